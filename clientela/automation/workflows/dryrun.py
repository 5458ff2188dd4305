"""The dry run: which records a rule's conditions select now (and, for a date-relative rule,
whose date falls today), without running anything."""

from dataclasses import dataclass

from django.utils import timezone

from ..choices import TriggerKind as T
from . import records, timed

PAGE = 50


@dataclass
class DryRun:
    count: int
    records: list  # the first ``PAGE`` after ``after``, by id
    next_after: int | None


def dry_run(entity, trigger, options, tree, *, after=None, limit=PAGE, now=None):
    """What a rule (saved or being edited, already validated) would act on now."""
    now = now or timezone.now()
    model = records.KINDS[entity].model()
    holder = _RuleLike(entity, trigger, options, tree)
    if trigger == T.DATE_RELATIVE:
        base = timed.due_by_date(holder, now)
    else:
        base = model._default_manager.all()
    selected = timed.matching(holder, base, now)
    count = selected.count()
    page = selected.order_by("pk")
    if after is not None:
        page = page.filter(pk__gt=after)
    found = list(page[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    return DryRun(count, found, found[-1].pk if more and found else None)


@dataclass
class _RuleLike:
    entity: str
    trigger: str
    trigger_options: dict
    conditions: dict
