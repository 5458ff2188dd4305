"""From events to runs, and running them.

After each commit, ``on_event`` takes the rules waiting for the event (from memory), matches
their trigger options and conditions on the record, and queues one run (a ``WorkflowRun``) per
matched rule and one job for them all. ``execute`` — run by the job — does the rule's actions
through the services inside ``change_context(source=automation, chain=...)``, all or nothing,
and logs each result.

Loop protection: a change made by a rule's actions carries the chain of rules that led to it
(``core.context.current_chain``, captured with the event). A rule does not run for an event
that its own actions caused (directly or through other rules), nor for one at the end of a
chain ``MAX_CHAIN`` rules long, nor (checked by the job) more than ``MAX_RUNS_PER_HOUR`` times
for one record in an hour (loops through webhooks or people); such a stop is logged as
``loop_stopped`` with the chain.
"""

import datetime
import logging
import time
import uuid

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from clientela.core import events
from clientela.core.choices import ChangeSource
from clientela.core.context import change_context, current_chain

from ..choices import RunStatus
from ..models import WorkflowRule, WorkflowRun
from ..models.workflows import MAX_ERROR
from . import actions, cache, records, triggers

logger = logging.getLogger(__name__)
MAX_CHAIN = 3
MAX_RUNS_PER_HOUR = 20


@events.subscribe("*", wants=cache.wants)
def on_event(event, *, record, actor=None, changes=None, **_extra):
    """After an event's commit: the runs of the rules it triggers (returned, for tests)."""
    candidates = cache.rules_for(event)
    if not candidates:
        return []
    matched = evaluate(candidates, record, changes)
    if not matched:
        return []
    return queue(matched, record, event, uuid.uuid4().hex, current_chain())


def evaluate(candidates, record, changes):
    """The rules among ``candidates`` whose trigger options and conditions ``record`` meets."""
    matched = []
    for rule in candidates:
        if not triggers.matches(rule.trigger, rule.options, record, changes):
            continue
        subject = records.KINDS[rule.entity].condition_record(record)
        if rule.conditions.matches(subject):
            matched.append(rule)
    return matched


def queue(rules, record, event, event_key, chain):
    """A run per rule (or a ``loop_stopped`` entry), and one job for the runs, after the
    commit."""
    now = timezone.now()
    stopped = _in_loop([rule.id for rule in rules], chain)
    runs = [
        WorkflowRun(
            rule_id=rule.id,
            entity=rule.entity,
            record_id=record.pk,
            event=event,
            event_key=event_key,
            status=RunStatus.LOOP_STOPPED if rule.id in stopped else RunStatus.QUEUED,
            chain=[*chain, rule.id],
            created_at=now,
            finished_at=now if rule.id in stopped else None,
        )
        for rule in rules
    ]
    if not stopped:  # one INSERT: atomic as it is
        runs = WorkflowRun.objects.bulk_create(runs)
    else:
        with transaction.atomic():
            runs = WorkflowRun.objects.bulk_create(runs)
            for rule_id in stopped:
                _count(rule_id, RunStatus.LOOP_STOPPED, now)
    queued = [run.pk for run in runs if run.status == RunStatus.QUEUED]
    if queued:
        _enqueue_after_commit(queued)
    return runs


def _in_loop(rule_ids, chain):
    """The rules of ``rule_ids`` that must not run for a change their chain caused: those in
    the chain that led here, or all at the end of a chain too long. (The hourly limit per
    record is checked by the job, which spares queueing a query per event.)"""
    if len(chain) >= MAX_CHAIN:
        return set(rule_ids)
    return {rule_id for rule_id in rule_ids if rule_id in chain}


def _too_frequent(run):
    """Whether ``run``'s rule ran ``MAX_RUNS_PER_HOUR`` times for its record in the hour
    before it was queued (a loop through webhooks or people)."""
    earlier = WorkflowRun.objects.filter(
        rule_id=run.rule_id,
        record_id=run.record_id,
        created_at__gte=run.created_at - datetime.timedelta(hours=1),
        pk__lt=run.pk,
    )
    return earlier[MAX_RUNS_PER_HOUR - 1 :].exists()


def _enqueue_after_commit(run_pks):
    """One job for the runs of one event: a job row (or an RQ push) is most of what queueing
    a run costs."""
    from .. import jobs

    transaction.on_commit(lambda: jobs.run_workflows.enqueue(run_pks))


def _count(rule_id, status, now):
    failed = 1 if status == RunStatus.FAILED else 0
    WorkflowRule.objects.filter(pk=rule_id).update(
        run_count=F("run_count") + 1,
        failure_count=F("failure_count") + failed,
        last_run_at=now,
        last_status=status,
    )


# --- running ------------------------------------------------------------------------------------


def execute(run_pk):
    """Run a queued run's actions (the job); returns its status. A run already done (a job
    delivered twice) is left alone: runs are idempotent."""
    started = time.monotonic()
    chain = WorkflowRun.objects.filter(pk=run_pk).values_list("chain", flat=True).first()
    if chain is None:
        return RunStatus.SKIPPED
    with change_context(source=ChangeSource.AUTOMATION, chain=chain), transaction.atomic():
        run = WorkflowRun.objects.select_for_update().filter(pk=run_pk).first()
        if run is None or run.status != RunStatus.QUEUED:
            return RunStatus.SKIPPED
        if _too_frequent(run):
            status, results, error = RunStatus.LOOP_STOPPED, [], ""
        else:
            status, results, error = _perform(run)
        now = timezone.now()
        WorkflowRun.objects.filter(pk=run.pk).update(
            status=status,
            results=results,
            error=error[:MAX_ERROR],
            finished_at=now,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        _count(run.rule_id, status, now)
    return status


def _perform(run):
    rule = WorkflowRule.objects.filter(pk=run.rule_id, active=True).first()
    if rule is None:
        return RunStatus.SKIPPED, [], "rule turned off"
    record = records.KINDS[rule.entity].model()._default_manager.filter(pk=run.record_id).first()
    if record is None:
        return RunStatus.SKIPPED, [], "record gone"
    context = actions.Context(rule, record, run.event)
    results = []
    try:
        with transaction.atomic():  # all the actions or none
            for action in rule.actions:
                results.append(actions.run(action, context))
    except Exception as error:  # logged on the run: the person who wrote the rule reads it
        logger.info("workflow run failed", exc_info=True, extra={"rule": rule.pk})
        message = _error_text(error)
        failing = rule.actions[len(results)]["kind"] if len(results) < len(rule.actions) else ""
        results.append({"kind": failing, "ok": False, "detail": message})
        return RunStatus.FAILED, results, message
    return RunStatus.SUCCEEDED, results, ""


def _error_text(error):
    messages = getattr(error, "messages", None)
    return "; ".join(str(m) for m in messages) if messages else (str(error) or type(error).__name__)


def record_run(rule, record_pk, event, event_key):
    """A queued run of ``rule`` for one record caused by a timer (``event_key`` names the
    date or the slot); ``None`` when that run exists already."""
    try:
        with transaction.atomic():
            run = WorkflowRun.objects.create(
                rule=rule,
                entity=rule.entity,
                record_id=record_pk,
                event=event,
                event_key=event_key,
                chain=[rule.pk],
            )
    except IntegrityError:
        return None
    _enqueue_after_commit([run.pk])
    return run
