"""Segments at scale (issue 6): live counts over the bench's contacts with 2,000,000 purchases.

Generates its data once (idempotent, a flag records the size): a province for every bench
contact (the cities of ``contacts.demo_data``, so four in ten are in Catalonia), two purchases
per contact on average over the last three years, and one e-mail campaign sent to a fifth of
the contacts, a third of whom opened it. Plain ``executemany`` batches, no services, no
history. Then times ``count()`` of five realistic segments (rules evaluated as one query each),
in-process: p50 and p95 per segment.
"""

import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

TARGETS = {
    "segment_catalonia_90d_200eur": [("p50", 500, "ms")],
    "segment_lapsed_customers": [("p50", 500, "ms")],
    "segment_frequent_or_big_spenders": [("p50", 500, "ms")],
    "segment_opened_but_no_purchase": [("p50", 500, "ms")],
    "segment_quiet_catalan_customers": [("p50", 500, "ms")],
}
FLAG = "bench_marketing_generated_v2"  # v2: with the contacts' purchase rollups
PURCHASES_PER_CONTACT = 2
BATCH = 20_000

SEGMENTS = {
    # The user story: customers in Catalonia who bought in the last 90 days and spent > 200 EUR.
    "segment_catalonia_90d_200eur": {
        "op": "and",
        "rules": [
            {"field": "community", "operator": "eq", "value": "cataluna"},
            {"field": "purchases.total", "operator": "gt", "value": 200, "params": {"days": 90}},
        ],
    },
    "segment_lapsed_customers": {
        "op": "and",
        "rules": [
            {"field": "lifecycle_stage", "operator": "eq", "value": "customer"},
            {"field": "purchases.last_date", "operator": "more_than_days_ago", "value": 365},
        ],
    },
    "segment_frequent_or_big_spenders": {
        "op": "or",
        "rules": [
            {"field": "purchases.count", "operator": "gte", "value": 5},
            {"field": "purchases.total", "operator": "gt", "value": 1500},
        ],
    },
    "segment_opened_but_no_purchase": {
        "op": "and",
        "rules": [
            {"field": "campaigns.opened", "operator": "is_true", "params": {"days": 60}},
            {"field": "purchases.count", "operator": "eq", "value": 0, "params": {"days": 365}},
        ],
    },
    "segment_quiet_catalan_customers": {
        "op": "and",
        "rules": [
            {"field": "language", "operator": "eq", "value": "ca"},
            {"field": "lifecycle_stage", "operator": "in", "value": ["customer", "mql"]},
            {"field": "activities.last_date", "operator": "not_within_last_days", "value": 90},
            {
                "op": "or",
                "rules": [
                    {"field": "region", "operator": "eq", "value": "Girona"},
                    {"field": "purchases.total", "operator": "gte", "value": 300},
                ],
            },
        ],
    },
}


def _print(message):
    print(message, flush=True)


def ensure(contacts, *, log=_print):
    """Generate unless this database already holds the purchases for ``contacts``."""
    from django.db import connection, transaction

    from clientela.core.models import Flag

    flag = Flag.objects.filter(name=FLAG).first()
    if flag and flag.value.get("contacts") == contacts:
        log(f"bench purchases already there ({flag.value['purchases']:,})")
        return flag.value
    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("sales_purchase", "marketing_campaignrecipient", "marketing_campaign"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        Flag.objects.filter(name=FLAG).delete()
    return generate(contacts, log=log)


def generate(contacts, *, log=_print):
    from django.db import connection, transaction
    from django.utils import timezone

    from clientela.contacts import demo_data
    from clientela.contacts.models import Contact
    from clientela.core.models import Flag
    from clientela.marketing.models import Campaign, CampaignRecipient
    from clientela.sales import rollups
    from clientela.sales.models import Purchase

    from .generate import _base_columns, _insert, _row

    started = time.monotonic()
    rng = random.Random(17)
    now = timezone.now()
    provinces = [city[1] for city in demo_data.CITIES]
    # A province per contact, by id: one UPDATE over the table.
    with transaction.atomic(), connection.cursor() as cursor:
        cases = " ".join("WHEN %s THEN %s" for _p in provinces)
        params = [v for i, p in enumerate(provinces) for v in (i, p)]
        cursor.execute(
            f"UPDATE contacts_contact SET region = CASE (id %% {len(provinces)}) {cases} END",  # noqa: S608
            params,
        )
    log(f"  regions set ({time.monotonic() - started:.0f} s)")
    stamp = connection.ops.adapt_datetimefield_value
    moments = [
        stamp(now - timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))) for _n in range(5000)
    ]
    columns = _base_columns(Purchase)
    total = contacts * PURCHASES_PER_CONTACT
    for start in range(0, total, BATCH):
        rows = []
        for pk in range(start + 1, min(start + BATCH, total) + 1):
            amount = Decimal(rng.randrange(500, 40_000)) / 100
            rows.append(
                _row(
                    Purchase,
                    {
                        "id": pk,
                        "number": f"B{pk}",
                        "source": "bench",
                        "contact_id": rng.randint(1, contacts),
                        "purchased_at": rng.choice(moments),
                        "channel": "online_shop",
                        "status": "completed" if rng.random() < 0.95 else "refunded",
                        "currency": "EUR",
                        "net_amount": amount,
                        "total_amount": amount,
                        "net_base": amount,
                        "total_base": amount,
                        "created_at": now,
                        "updated_at": now,
                    },
                )
            )
        with transaction.atomic():
            _insert(Purchase, columns, rows)
        if (start // BATCH) % 10 == 0:
            log(
                f"  purchases: {start + len(rows):,}/{total:,} ({time.monotonic() - started:.0f} s)"
            )
    campaign = Campaign.objects.create(name="Bench newsletter", status="sent")
    recipients = []
    for pk in range(1, contacts + 1, 5):
        opened = rng.random() < 0.33
        recipients.append(
            [
                campaign.pk,
                pk,
                f"c{pk}@example.com",
                "sent",
                stamp(now - timedelta(days=20)),
                stamp(now - timedelta(days=rng.randrange(1, 90))) if opened else None,
            ]
        )
    with transaction.atomic(), connection.cursor() as cursor:
        table = CampaignRecipient._meta.db_table
        cursor.executemany(
            f"INSERT INTO {table} (campaign_id, contact_id, email, status, sent_at, opened_at, "  # noqa: S608
            "language, claimed_by, attempts, message_id, error) "
            "VALUES (%s, %s, %s, %s, %s, %s, '', '', 1, '', '')",
            recipients,
        )
    _reset_sequences()
    rollups.rebuild(Contact)  # what the purchase services keep on each contact
    log(f"  purchase rollups counted ({time.monotonic() - started:.0f} s)")
    log("  analyzing")
    # PostgreSQL reads a covering index without visiting the table only for pages VACUUM has
    # marked all-visible (autovacuum would have, long before anyone counted a segment). The
    # generation rewrote every contact twice (its province, its purchase totals), which on
    # PostgreSQL left the table 3.6 times its size (805 MB, 221 MB compacted): no live
    # installation carries that, so it is compacted.
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for table in ("contacts_contact", "sales_purchase", "marketing_campaignrecipient"):
            if not postgres:
                cursor.execute(f"ANALYZE {table}")
            else:
                full = "FULL " if table == "contacts_contact" else ""
                cursor.execute(f"VACUUM {full}ANALYZE {table}")
    value = {
        "contacts": contacts,
        "purchases": total,
        "recipients": len(recipients),
        "seconds": round(time.monotonic() - started, 1),
    }
    Flag.objects.update_or_create(name=FLAG, defaults={"value": value})
    log(f"marketing bench data generated in {value['seconds']} s")
    return value


def _reset_sequences():
    from django.core.management.color import no_style
    from django.db import connection

    from clientela.marketing.models import Campaign, CampaignRecipient
    from clientela.sales.models import Purchase

    statements = connection.ops.sequence_reset_sql(
        no_style(), [Purchase, Campaign, CampaignRecipient]
    )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _summary(times):
    times = sorted(times)
    return {
        "n": len(times),
        "p50": round(statistics.median(times), 1),
        "p95": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
        "max": round(times[-1], 1),
    }


def measure(args, db):
    from clientela.marketing import rules

    ensure(args.contacts)
    runs = max(5, args.requests // 20)
    metrics = {}
    for name, tree in SEGMENTS.items():
        tree = rules.validate("contact", tree)
        counts, times = set(), []
        for n in range(runs + 1):
            started = time.perf_counter()
            counts.add(rules.queryset("contact", tree).count())
            if n:  # the first run warms the cache
                times.append((time.perf_counter() - started) * 1000)
        metrics[name] = {**_summary(times), "count": max(counts)}
        _print(f"  {name}: {metrics[name]}")
    return metrics
