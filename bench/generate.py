"""Bench data: 100,000 companies and 1,000,000 contacts (by default), written in bounded memory.

Rows go in with plain multi-row ``executemany`` per batch (explicit ids, one transaction per
batch), which is what a bulk import costs without the ORM's per-object overhead. Each contact
gets an e-mail, a mobile and its search entry, each company a phone and its search entry. On
SQLite the FTS5 insert trigger is dropped during the load and the index rebuilt once at the end;
on PostgreSQL the GIN index is maintained as rows arrive. No history is written: bench data is
not anyone's change.
"""

import random
import time
from datetime import timedelta

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from clientela.contacts import demo_data as data
from clientela.contacts import quality
from clientela.contacts.demo import ascii_slug
from clientela.contacts.models import Company, CompanyPhone, Contact, ContactEmail, ContactPhone
from clientela.core.models import Flag, Role, SearchEntry, Team, User
from clientela.core.search import _index_text
from clientela.core.text import sort_key

FLAG = "bench_generated"


def _print(message):
    print(message, flush=True)  # progress must show up even when stdout is a file


BATCH = 5000
OWNERS = 12


def ensure(contacts, companies, *, log=_print):
    """Generate unless this database already holds a bench of that size; return the flag."""
    flag = Flag.objects.filter(name=FLAG).first()
    wanted = {"contacts": contacts, "companies": companies}
    if flag and all(flag.value.get(k) == v for k, v in wanted.items()):
        log(f"bench data already there ({contacts:,} contacts, {companies:,} companies)")
        return flag.value
    if flag or Contact.all_objects.exists():
        _clear()
    return generate(contacts, companies, log=log)


def bench_user():
    admin = Role.objects.get(code="admin")
    user, _ = User.objects.get_or_create(username="bench", defaults={"role": admin})
    return user


def _owners():
    team, _ = Team.objects.get_or_create(handle="bench", defaults={"name": "Bench"})
    sales = Role.objects.get(code="sales")
    owners = []
    for i in range(OWNERS):
        user, _ = User.objects.get_or_create(username=f"rep{i}", defaults={"role": sales})
        user.teams.add(team)
        owners.append(user.pk)
    return owners, team.pk


def _insert(model, columns, rows):
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _base_columns(model):
    return [f.column for f in model._meta.concrete_fields]


def _row(model, values):
    """Values in column order; fields not given take their model default."""
    row = []
    for f in model._meta.concrete_fields:
        if f.column in values:
            row.append(values[f.column])
        elif f.has_default():
            default = f.get_default()
            row.append("{}" if isinstance(default, dict) else default)
        else:
            row.append(None if f.null else "")
    return row


def generate(contacts, companies, *, log=_print):
    started = time.monotonic()
    bench_user()
    owners, team_id = _owners()
    rng = random.Random(7)
    now = timezone.now()
    stamps = [
        connection.ops.adapt_datetimefield_value(now - timedelta(minutes=rng.randrange(1_500_000)))
        for _ in range(2000)
    ]
    fts_trigger = _pause_sqlite_fts()
    company_names = {}
    for start in range(0, companies, BATCH):
        ids = range(start + 1, min(start + BATCH, companies) + 1)
        with transaction.atomic():
            company_names.update(_companies(ids, rng, owners, team_id, stamps))
        _progress(log, "companies", ids[-1], companies, started)
    for start in range(0, contacts, BATCH):
        ids = range(start + 1, min(start + BATCH, contacts) + 1)
        with transaction.atomic():
            _contacts(ids, rng, owners, team_id, stamps, companies, company_names)
        _progress(log, "contacts", ids[-1], contacts, started)
    _resume_sqlite_fts(fts_trigger, log)
    _reset_sequences()
    log("analyzing tables")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seconds = round(time.monotonic() - started, 1)
    value = {"contacts": contacts, "companies": companies, "seconds": seconds}
    Flag.objects.update_or_create(name=FLAG, defaults={"value": value})
    log(f"generated in {seconds} s")
    return value


def _progress(log, what, done, total, started):
    if done == total or done % (BATCH * 20) == 0:
        log(f"  {what}: {done:,}/{total:,} ({time.monotonic() - started:.0f} s)")


def _companies(ids, rng, owners, team_id, stamps):
    rows, phones, entries, names = [], [], [], {}
    for pk in ids:
        city = rng.choice(data.CITIES)
        industry, pattern_ca, pattern_es = rng.choice(data.BUSINESSES)
        base = (pattern_ca if city[2] == "Catalunya" else pattern_es).format(
            s=rng.choice(data.SURNAMES),
            s2=rng.choice(data.SURNAMES),
            t=city[0],
            w=rng.choice(data.BRAND_WORDS),
        )
        name = f"{base} {rng.choice(data.BRAND_WORDS)}" if rng.random() < 0.5 else base
        domain = f"{ascii_slug(base)[:30]}{pk}.es"
        phone = f"+3491{pk:07d}"
        stamp = rng.choice(stamps)
        owner = rng.choice(owners)
        names[pk] = (name, domain)
        rows.append(
            _row(
                Company,
                {
                    "id": pk,
                    "name": name,
                    "legal_name": f"{name}, SL",
                    "domain": domain,
                    "website": f"https://www.{domain}",
                    "industry": industry,
                    "size": "10-49",
                    "city": city[0],
                    "postcode": f"{city[3]:05d}",
                    "region": city[1],
                    "country": "ES",
                    "owner_id": owner,
                    "team_id": team_id,
                    "sort_name": sort_key(name),
                    "created_at": stamp,
                    "updated_at": stamp,
                },
            )
        )
        phones.append([pk, phone, "work", True, pk])
        text = _index_text(" ".join([name, f"{name}, SL", domain, city[0], phone]))
        entries.append([pk, "company", pk, name[:300], city[0], text, owner, team_id])
    _insert(Company, _base_columns(Company), rows)
    _insert(CompanyPhone, ["id", "number", "kind", "is_primary", "company_id"], phones)
    _insert(SearchEntry, _entry_columns(), entries)
    quality.refresh_range(Company, ids[0], ids[-1])
    return names


def _entry_columns():
    return ["id", "entity", "object_id", "title", "subtitle", "text", "owner_id", "team_id"]


def _contacts(ids, rng, owners, team_id, stamps, companies, company_names):
    rows, emails, phones, entries = [], [], [], []
    for pk in ids:
        first, _gender = rng.choice(data.FIRST_NAMES)
        last, second = rng.choice(data.SURNAMES), rng.choice(data.SURNAMES)
        company_id = rng.randint(1, companies) if companies and rng.random() < 0.9 else None
        company_name, domain = company_names.get(company_id, (None, None))
        email = f"{ascii_slug(first)}.{ascii_slug(last)}{pk}@{domain or 'gmail.com'}"
        phone = f"+346{pk:08d}"
        owner = rng.choice(owners)
        stamp = rng.choice(stamps)
        full_name = f"{first} {last} {second}"
        rows.append(
            _row(
                Contact,
                {
                    "id": pk,
                    "first_name": first,
                    "last_name": last,
                    "second_last_name": second,
                    "company_id": company_id,
                    "language": rng.choice(("es", "ca", "en")),
                    "lifecycle_stage": rng.choice(("lead", "customer", "mql", "subscriber")),
                    "source": "import",
                    "consent_status": "unknown",
                    "country": "ES",
                    "owner_id": owner,
                    "team_id": team_id,
                    "sort_name": sort_key(f"{last} {second} {first}"),
                    "created_at": stamp,
                    "updated_at": stamp,
                },
            )
        )
        emails.append([pk, email, "work", True, pk])
        phones.append([pk, phone, "mobile", True, pk])
        text = _index_text(" ".join([full_name, company_name or "", email, phone]))
        subtitle = " · ".join(p for p in (company_name, email) if p)
        entries.append(
            [companies + pk, "contact", pk, full_name, subtitle[:300], text, owner, team_id]
        )
    _insert(Contact, _base_columns(Contact), rows)
    _insert(ContactEmail, ["id", "email", "kind", "is_primary", "contact_id"], emails)
    _insert(ContactPhone, ["id", "number", "kind", "is_primary", "contact_id"], phones)
    _insert(SearchEntry, _entry_columns(), entries)
    quality.refresh_range(Contact, ids[0], ids[-1])


def _pause_sqlite_fts():
    """Drop the FTS insert trigger (the index is rebuilt once at the end); return its SQL."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'core_searchentry_ai'"
        )
        row = cursor.fetchone()
        cursor.execute("DROP TRIGGER IF EXISTS core_searchentry_ai")
    return row[0] if row else None


def _resume_sqlite_fts(trigger_sql, log):
    if connection.vendor != "sqlite":
        return
    log("rebuilding the FTS5 index")
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO core_searchentry_fts(core_searchentry_fts) VALUES ('rebuild')")
        if trigger_sql:
            cursor.execute(trigger_sql)


def _reset_sequences():
    models = [Company, CompanyPhone, Contact, ContactEmail, ContactPhone, SearchEntry]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _clear():
    """Empty the bench tables before generating another size (with the rows of other suites
    that point at contacts: survey answers and invitations, customer scores)."""
    from clientela.analytics.models import CustomerScore
    from clientela.collaboration.models import SurveyAnswer, SurveyInvitation

    tables = [
        SurveyAnswer,
        SurveyInvitation,
        CustomerScore,
        SearchEntry,
        ContactEmail,
        ContactPhone,
        CompanyPhone,
        Contact.tags.through,
        Company.tags.through,
        Contact.employments.rel.related_model,
        Contact,
        Company,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        Flag.objects.filter(name=FLAG).delete()
