"""The rollups kept current: every write of a counted record (or of a record whose fields a
rollup groups by, such as a company's region) marks the days it touches, in its transaction."""

import datetime

from django.utils import timezone

from clientela.core import records as core_records

from . import engine
from .definitions import ROLLUPS


def track():
    """Hook every rollup to the writes of the models it depends on (``AppConfig.ready``)."""
    models = {rollup.records for rollup in ROLLUPS.values()}
    models |= {model for rollup in ROLLUPS.values() for model in rollup.related}
    for model in models:  # all written through core.records
        core_records.register_derived(model, _marker(model))


def _marker(model):
    def mark_touched_days(records, changes):
        engine.mark(
            {key: touched_days(rollup, model, records, changes) for key, rollup in ROLLUPS.items()}
        )

    return mark_touched_days


def touched_days(rollup, model, records, changes):
    """The days of ``rollup`` that a write of ``records`` (of ``model``) may change: their own
    dates now and before, or the dates of the counted records linked to them."""
    days = set()
    if model is rollup.records:
        for record in records:
            for name in rollup.date_fields():
                days.add(engine.local_day(getattr(record, name)))
                before = changes.get(record.pk, {}).get(name)
                if before:
                    days.add(engine.local_day(before[0]))
    elif model in rollup.related:
        link, fields = rollup.related[model]
        if any(set(fields) & set(changes.get(r.pk, {})) for r in records):
            linked = rollup.source().filter(**{f"{link}__in": [r.pk for r in records]})
            for name in rollup.date_fields():
                days |= {engine.local_day(m) for m in linked.values_list(name, flat=True)}
    days.discard(None)
    return days


def settled(key):
    """The rollup model of ``key``, with every dirty day counted again first (for reading)."""
    rollup = ROLLUPS[key]
    engine.settle(rollup)
    return rollup.model


def settle_all():
    """The worker's round: today and yesterday are counted again whatever was marked (writes
    made outside the services, like a raw update of a case's first response), then every
    dirty day."""
    today = timezone.localdate()
    recent = {today, today - datetime.timedelta(days=1)}
    engine.mark({key: recent for key in ROLLUPS})
    for rollup in ROLLUPS.values():
        engine.settle(rollup)


def rebuild_all(*, log=None):
    for rollup in ROLLUPS.values():
        engine.rebuild(rollup, log=log)
