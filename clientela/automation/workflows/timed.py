"""Timed triggers, run by the periodic job ``run_timed_workflows``.

A date-relative rule ("3 days before the renewal date") runs, once a day, for each record whose
date plus or minus the offset is today and that meets its conditions; a scheduled rule runs at
its time of the day (every day, or one weekday) for each record that meets its conditions.
Each run is keyed by its day or slot, so the job may pass as often as it likes: a record gets
one run per rule per day (or slot).
"""

import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..choices import TriggerKind as T
from ..models import WorkflowRule, WorkflowRun
from . import conditions, engine, records

MAX_RECORDS_PER_PASS = 5000  # per rule; the rest get their run at the next pass


def run_due(now=None):
    """Queue the runs now due; returns how many."""
    now = now or timezone.now()
    queued = 0
    for rule in WorkflowRule.objects.filter(active=True, trigger__in=(T.DATE_RELATIVE, T.SCHEDULE)):
        if rule.trigger == T.DATE_RELATIVE:
            key, base = date_key(now), due_by_date(rule, now)
        else:
            key = schedule_key(rule, now)
            if key is None:
                continue
            base = records.KINDS[rule.entity].model()._default_manager.all()
        queued += _queue(rule, matching(rule, base, now), key)
    return queued


def date_key(now):
    return f"date:{timezone.localdate(now).isoformat()}"


def schedule_key(rule, now):
    """The slot due now (``None`` before the rule's time of day or on another weekday)."""
    options = rule.trigger_options
    local = timezone.localtime(now)
    if options.get("every") == "week" and local.weekday() != options.get("weekday", 0):
        return None
    if local.strftime("%H:%M") < options.get("time", "00:00"):
        return None
    return f"schedule:{local.date().isoformat()}T{options.get('time')}"


def target_date(rule, now):
    """The date a record's field must hold for the rule to run for it today."""
    days = datetime.timedelta(days=rule.trigger_options.get("days", 0))
    today = timezone.localdate(now)
    return today + days if rule.trigger_options.get("direction") == "before" else today - days


def due_by_date(rule, now):
    """The records whose date (plus or minus the offset) is today."""
    model = records.KINDS[rule.entity].model()
    field, day = rule.trigger_options["field"], target_date(rule, now)
    if field.startswith("cf."):
        lookup = {f"custom_fields__{field[3:]}__startswith": day.isoformat()}
    elif model._meta.get_field(field).get_internal_type() == "DateTimeField":
        lookup = {f"{field}__date": day}
    else:
        lookup = {field: day}
    return model._default_manager.filter(**lookup)


def matching(rule, base, now):
    """``base`` narrowed to the records meeting the rule's conditions (through their contact
    for a case)."""
    if conditions.is_empty(rule.conditions):
        return base
    compiled = conditions.compile_conditions(rule.entity, rule.conditions, now=now)
    kind = records.KINDS[rule.entity]
    if kind.via_contact:
        people = compiled.model._default_manager.filter(compiled.q).values("pk")
        return base.filter(contact__in=people)
    return base.filter(compiled.q)


def _queue(rule, queryset, key):
    done = WorkflowRun.objects.filter(rule=rule, event_key=key, record_id=OuterRef("pk"))
    pending = queryset.filter(~Exists(done)).order_by("pk").values_list("pk", flat=True)
    event = f"timer.{rule.trigger}"
    return sum(
        1
        for pk in pending[:MAX_RECORDS_PER_PASS]
        if engine.record_run(rule, pk, event, key) is not None
    )
