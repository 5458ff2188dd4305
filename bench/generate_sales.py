"""Bench sales data: 200,000 deals (by default), 20,000 of them open in one pipeline, the rest
won or lost over three years, with their search entries, a contact on every open deal and this
year's quotas. Written like ``generate.py``: plain ``executemany`` per batch, bounded memory,
no history (bench data is not anyone's change).
"""

import random
import time
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from clientela.core.models import Flag, SearchEntry
from clientela.core.search import _index_text
from clientela.sales.models import Deal, DealContact, DealStageChange, Pipeline, Quota, Stage

from .generate import BATCH, _base_columns, _insert, _owners, _print, _row

FLAG = "bench_sales_generated"
STAGES = [
    ("Qualification", 10, "open"),
    ("Proposal", 40, "open"),
    ("Negotiation", 70, "open"),
    ("Contract", 90, "open"),
    ("Won", 100, "won"),
    ("Lost", 0, "lost"),
]
NAMES = ["Renewal", "New licences", "Pilot", "Annual supply", "Training", "Upgrade", "Support"]


def ensure(deals, open_deals, *, contacts, companies, log=_print):
    """Generate unless this database already holds bench deals of that size."""
    flag = Flag.objects.filter(name=FLAG).first()
    wanted = {"deals": deals, "open": open_deals}
    if flag and all(flag.value.get(k) == v for k, v in wanted.items()):
        log(f"bench deals already there ({deals:,} deals, {open_deals:,} open)")
        return flag.value
    if flag or Deal.all_objects.exists():
        _clear()
    return generate(deals, open_deals, contacts=contacts, companies=companies, log=log)


def bench_pipeline():
    return Pipeline.objects.get(name="Bench pipeline")


def generate(deals, open_deals, *, contacts, companies, log=_print):
    started = time.monotonic()
    owners, team_id = _owners()
    pipeline = Pipeline.objects.create(name="Bench pipeline", is_default=True, position=0)
    Pipeline.objects.exclude(pk=pipeline.pk).update(is_default=False)
    stages = [
        Stage.objects.create(pipeline=pipeline, name=n, probability=p, kind=k, position=i)
        for i, (n, p, k) in enumerate(STAGES)
    ]
    open_stages = [s for s in stages if s.kind == "open"]
    won, lost = stages[-2], stages[-1]
    rng = random.Random(11)
    today = timezone.localdate()
    now = timezone.now()
    entry_base = (SearchEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    for start in range(0, deals, BATCH):
        ids = range(start + 1, min(start + BATCH, deals) + 1)
        rows, moves, links, entries = [], [], [], []
        for pk in ids:
            is_open = pk <= open_deals
            stage = rng.choice(open_stages) if is_open else (won if rng.random() < 0.5 else lost)
            owner = rng.choice(owners)
            company_id = rng.randint(1, companies)
            amount = rng.randrange(500, 60_000, 50)
            created = now - timedelta(days=rng.randint(1, 3 * 365))
            if is_open:
                close_date, closed_at = today + timedelta(days=rng.randint(0, 365)), None
            else:
                closed_at = created + timedelta(days=rng.randint(5, 120))
                close_date = closed_at.date()
            name = f"{rng.choice(NAMES)} {pk}"
            stamp = connection.ops.adapt_datetimefield_value(created)
            rows.append(
                _row(
                    Deal,
                    {
                        "id": pk,
                        "name": name,
                        "pipeline_id": pipeline.pk,
                        "stage_id": stage.pk,
                        "status": stage.kind,
                        "amount": amount,
                        "currency": "EUR",
                        "amount_base": amount,
                        "expected_close_date": close_date,
                        "closed_at": connection.ops.adapt_datetimefield_value(closed_at)
                        if closed_at
                        else None,
                        "stage_entered_at": stamp,
                        "company_id": company_id,
                        "source": "web_form",
                        "forecast_category": rng.choice(("pipeline", "best_case", "commit")),
                        "owner_id": owner,
                        "team_id": team_id,
                        "created_at": stamp,
                        "updated_at": stamp,
                        "custom_fields": "{}",
                    },
                )
            )
            moves.append([pk, pk, None, stage.pk, stamp, None, 0])
            if is_open:
                links.append([pk, pk, rng.randint(1, contacts), "decision_maker"])
            entries.append(
                [entry_base + pk, "deal", pk, name, "", _index_text(name), owner, team_id]
            )
        with transaction.atomic():
            _insert(Deal, _base_columns(Deal), rows)
            _insert(DealStageChange, _base_columns(DealStageChange), moves)
            if links:
                _insert(DealContact, ["id", "deal_id", "contact_id", "role"], links)
            _insert(
                SearchEntry,
                ["id", "entity", "object_id", "title", "subtitle", "text", "owner_id", "team_id"],
                entries,
            )
        if ids[-1] == deals or ids[-1] % (BATCH * 10) == 0:
            log(f"  deals: {ids[-1]:,}/{deals:,} ({time.monotonic() - started:.0f} s)")
    for owner in owners:
        for month in range(1, 13):
            Quota.objects.create(user_id=owner, month=date(today.year, month, 1), amount=400_000)
    _reset_sequences()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seconds = round(time.monotonic() - started, 1)
    value = {"deals": deals, "open": open_deals, "seconds": seconds}
    Flag.objects.update_or_create(name=FLAG, defaults={"value": value})
    log(f"deals generated in {seconds} s")
    return value


def _reset_sequences():
    from django.core.management.color import no_style

    models = [Deal, DealStageChange, DealContact, SearchEntry]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def _clear():
    with transaction.atomic(), connection.cursor() as cursor:
        SearchEntry.objects.filter(entity="deal").delete()
        for model in (DealStageChange, DealContact, Deal.tags.through, Deal, Quota):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        Stage.objects.filter(pipeline__name="Bench pipeline").delete()
        Pipeline.objects.filter(name="Bench pipeline").delete()
        Flag.objects.filter(name=FLAG).delete()
