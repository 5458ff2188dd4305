"""Bench activities: 5,000,000 (by default) calls, e-mails, notes, meetings and tasks over three
years, spread over the bench contacts and their companies and deals, plus one "hot" contact with
exactly ``HOT_COUNT`` activities whose timeline the bench reads. Written like ``generate.py``:
plain ``executemany`` per batch, bounded memory, no history.
"""

import random
import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from clientela.activities.models import Activity
from clientela.core.models import Flag

from .generate import BATCH, _base_columns, _insert, _owners, _print, _row

FLAG = "bench_activities_generated"
HOT_CONTACT = 1
HOT_COUNT = 2000
KINDS = [("call", 45), ("email", 30), ("note", 15), ("meeting", 6), ("task", 4)]
SUBJECTS = {
    "call": "Llamada de seguimiento",
    "email": "Re: propuesta",
    "note": "Nota de la reunión",
    "meeting": "Reunión de revisión",
    "task": "Enviar presupuesto",
}


def ensure(activities, *, contacts, deals, log=_print):
    flag = Flag.objects.filter(name=FLAG).first()
    if flag and flag.value.get("activities") == activities:
        log(f"bench activities already there ({activities:,})")
        return flag.value
    if flag or Activity.all_objects.exists():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Activity._meta.db_table}")  # noqa: S608
            Flag.objects.filter(name=FLAG).delete()
    return generate(activities, contacts=contacts, deals=deals, log=log)


def hot_contact_id():
    return HOT_CONTACT


def generate(activities, *, contacts, deals, log=_print):
    started = time.monotonic()
    owners, team_id = _owners()
    rng = random.Random(13)
    now = timezone.now()
    kinds = [kind for kind, _weight in KINDS]
    weights = [weight for _kind, weight in KINDS]
    columns = _base_columns(Activity)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, company_id FROM contacts_contact WHERE id = %s", [HOT_CONTACT])
        company_of = dict(cursor.fetchall())
    for start in range(0, activities, BATCH):
        ids = range(start + 1, min(start + BATCH, activities) + 1)
        rows = []
        for pk in ids:
            kind = rng.choices(kinds, weights)[0]
            hot = pk <= HOT_COUNT
            contact_id = HOT_CONTACT if hot else rng.randint(1, contacts)
            when = now - timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
            stamp = connection.ops.adapt_datetimefield_value(when)
            values = {
                "id": pk,
                "kind": kind,
                "subject": SUBJECTS[kind],
                "body": "",
                "timeline_at": stamp,
                "contact_id": contact_id,
                "company_id": company_of.get(contact_id) if hot else None,
                "deal_id": rng.randint(1, deals) if deals and rng.random() < 0.2 else None,
                "owner_id": rng.choice(owners),
                "team_id": team_id,
                "created_at": stamp,
                "updated_at": stamp,
                "custom_fields": "{}",
                "to_addresses": "[]",
            }
            if kind == "call":
                values.update(direction="out", duration_seconds=rng.randint(30, 1800))
            elif kind == "meeting":
                values.update(
                    starts_at=stamp,
                    ends_at=connection.ops.adapt_datetimefield_value(when + timedelta(hours=1)),
                )
            elif kind == "task":
                values.update(due_at=stamp, priority="normal")
                if when < now - timedelta(days=2):
                    values["done_at"] = stamp
            rows.append(_row(Activity, values))
        with transaction.atomic():
            _insert(Activity, columns, rows)
        if ids[-1] == activities or ids[-1] % (BATCH * 100) == 0:
            log(f"  activities: {ids[-1]:,}/{activities:,} ({time.monotonic() - started:.0f} s)")
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Activity]):
            cursor.execute(statement)
        cursor.execute("ANALYZE")
    seconds = round(time.monotonic() - started, 1)
    value = {"activities": activities, "seconds": seconds}
    Flag.objects.update_or_create(name=FLAG, defaults={"value": value})
    log(f"activities generated in {seconds} s")
    return value
