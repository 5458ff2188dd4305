"""Customer-service bench data: 500,000 cases with 3,000,000 messages and 10,000 published
knowledge-base articles (en/es/ca), written once per bench database in bounded memory.

Rows go in with one ``executemany`` (``COPY`` on PostgreSQL) per batch through
``core.bulk.insert_rows``, as ``generate`` does for contacts: no services, no history (bench data
is not anyone's change). The newest 125,000 cases hold the 100,000 active ones (new, open,
waiting for the customer, on hold), every case follows an SLA policy by priority and the active
ones have their due moments and ``next_due``; five active cases of the bench agent have 500
messages each. Articles get their search entries (the help centre searches ``core.search``).

Contacts: the first 20,000 of the main bench dataset when it is there, else 5,000 of its own.
"""

import os
import random
import time
import uuid
from datetime import timedelta

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from clientela.contacts.models import Contact, ContactEmail
from clientela.core import bulk
from clientela.core.models import Flag, Role, SearchEntry, Team, User
from clientela.core.search import _index_text
from clientela.support.markdown import plain_text
from clientela.support.models import (
    Article,
    ArticleCategory,
    BusinessCalendar,
    Case,
    CaseCategory,
    CaseMessage,
    Holiday,
    SlaPolicy,
)

FLAG = "bench_support_generated"
# BENCH_SUPPORT_CASES: fewer cases, to try the suite out (the targets are for 500,000).
CASES = int(os.environ.get("BENCH_SUPPORT_CASES", "500000"))
ACTIVE_WINDOW = CASES // 4  # the newest cases; four in five of them are active (100,000)
HOT_CASES = 5  # cases with HOT_MESSAGES messages each
HOT_MESSAGES = 500
MESSAGES_PER_CASE = (2, 4, 6, 8, 10, 6)  # cycled: six on average, 3,000,000 in all
ARTICLES = 10_000
AGENTS = 20
AGENT = "agent0"  # the agent the suite signs in as
OWN_CONTACTS = 5_000
REUSED_CONTACTS = 20_000
BATCH = 5000
DOMAIN = "bench-support.example"
SUPPORT_ADDRESS = f"soporte@{DOMAIN}"
TEAMS = ("Tier 1", "Tier 2", "Billing", "Returns")
CATEGORIES = ("Billing", "Returns", "Delivery", "Accounts", "Product", "Other")


def _print(message):
    print(message, flush=True)


def ensure(*, log=_print):
    """Generate unless this database already holds the support bench data; return its flag."""
    flag = Flag.objects.filter(name=FLAG).first()
    if flag:
        log(f"support bench data already there ({flag.value.get('cases', 0):,} cases)")
        return flag.value
    return generate(log=log)


def agent():
    return User.objects.get(username=AGENT)


def hot_case_ids():
    return Flag.objects.get(name=FLAG).value["hot_cases"]


def generate(*, log=_print):
    started = time.monotonic()
    rng = random.Random(11)
    now = timezone.now().replace(microsecond=0)
    agents, teams = _agents()
    categories = [CaseCategory.objects.get_or_create(name=n)[0].pk for n in CATEGORIES]
    policies = _policies()
    contacts = _contacts(rng, now, log)
    hot = _cases(rng, now, agents, teams, categories, policies, contacts, started, log)
    articles = _articles(rng, now, log)
    _reset_sequences()
    log("analyzing tables")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    value = {
        "cases": Case.all_objects.count(),
        "active": Case.all_objects.filter(status__in=("new", "open", "pending_customer", "on_hold"))
        .only("pk")
        .count(),
        "messages": CaseMessage.objects.count(),
        "articles": articles,
        "hot_cases": hot,
        "seconds": round(time.monotonic() - started, 1),
    }
    Flag.objects.update_or_create(name=FLAG, defaults={"value": value})
    log(f"support data generated in {value['seconds']} s: {value}")
    return value


def _agents():
    service = Role.objects.get(code="service")
    teams = []
    for name in TEAMS:
        team, _ = Team.objects.get_or_create(
            handle=f"bench-{slugify(name)}", defaults={"name": f"Bench {name}"}
        )
        teams.append(team)
    agents = []
    for n in range(AGENTS):
        user, _ = User.objects.get_or_create(username=f"agent{n}", defaults={"role": service})
        user.teams.add(teams[n % len(teams)])
        agents.append(user.pk)
    return agents, [t.pk for t in teams]


def _policies():
    """priority -> policy id: urgent and high round the clock, the others in working hours."""
    calendar, _ = BusinessCalendar.objects.get_or_create(
        name="Bench office hours",
        defaults={
            "hours": {str(d): [["09:00", "14:00"], ["15:00", "18:00"]] for d in range(5)},
        },
    )
    today = timezone.localdate()
    for offset in (20, 60, 120, 200, 300):
        Holiday.objects.get_or_create(
            calendar=calendar, date=today + timedelta(days=offset), defaults={"name": "Festa"}
        )
    targets = {"urgent": (60, 480, None), "high": (240, 1440, None)}
    targets |= {"normal": (480, 4800, calendar), "low": (960, 9600, calendar)}
    policies = {}
    for position, (priority, (first, resolution, cal)) in enumerate(targets.items()):
        policy, _ = SlaPolicy.objects.get_or_create(
            name=f"Bench {priority}",
            defaults={
                "position": position,
                "priority": priority,
                "calendar": cal,
                "first_response_minutes": first,
                "resolution_minutes": resolution,
            },
        )
        policies[priority] = (policy.pk, first, resolution)
    return policies


def _contacts(rng, now, log):
    """[(contact id, company id, e-mail, language)]: the main dataset's, else our own."""
    rows = list(
        ContactEmail.objects.filter(is_primary=True, contact_id__lte=REUSED_CONTACTS)
        .order_by("contact_id")
        .values_list("contact_id", "contact__company_id", "email", "contact__language")
    )
    if len(rows) >= 1000:
        log(f"cases for {len(rows):,} contacts of the bench dataset")
        return rows
    log(f"creating {OWN_CONTACTS:,} contacts")
    from bench.generate import _row
    from clientela.contacts import quality
    from clientela.contacts.demo_data import FIRST_NAMES, SURNAMES
    from clientela.core.text import sort_key

    with transaction.atomic():
        ids = bulk.allocate_ids(Contact, OWN_CONTACTS)
        email_ids = bulk.allocate_ids(ContactEmail, OWN_CONTACTS)
        stamp = connection.ops.adapt_datetimefield_value(now - timedelta(days=800))
        people, emails, rows = [], [], []
        for pk, email_pk in zip(ids, email_ids, strict=True):
            first, last = rng.choice(FIRST_NAMES)[0], rng.choice(SURNAMES)
            language = rng.choice(("es", "ca", "en"))
            values = {
                "id": pk,
                "first_name": first,
                "last_name": last,
                "language": language,
                "lifecycle_stage": "customer",
                "source": "import",
                "consent_status": "unknown",
                "country": "ES",
                "sort_name": sort_key(f"{last} {first}"),
                "created_at": stamp,
                "updated_at": stamp,
            }
            people.append(_row(Contact, values))
            email = f"cliente{pk}@{DOMAIN}"
            emails.append([email_pk, email, "work", True, pk])
            rows.append((pk, None, email, language))
        columns = [f.column for f in Contact._meta.concrete_fields]
        bulk.insert_rows(Contact, columns, people)
        bulk.insert_rows(ContactEmail, ["id", "email", "kind", "is_primary", "contact_id"], emails)
        quality.refresh_range(Contact, ids[0], ids[-1])
    return rows


SUBJECTS = (
    "No puedo acceder a mi cuenta",
    "La factura no cuadra",
    "Pedido sin recibir",
    "Quiero devolver un producto",
    "La factura no quadra",
    "No em deixa entrar al compte",
    "Comanda danyada",
    "Cannot reset my password",
    "Wrong item delivered",
    "Refund still pending",
    "Cambio de dirección de envío",
    "Error al pagar con tarjeta",
)
BODIES = tuple(
    f"{opening} {middle} {closing}"
    for opening in ("Hola,", "Bon dia,", "Hello,", "Buenas tardes,")
    for middle in (
        "el pedido llegó incompleto y falta una caja de las que pedimos la semana pasada.",
        "la factura de maig diu dotze caixes i en vam comprar dues; ens la podeu revisar?",
        "I tried to reset my password three times and the link says it has expired.",
        "hemos cambiado de dirección y los próximos envíos deben ir al almacén nuevo.",
        "thanks for the quick answer, that solved it; you can close the case now.",
    )
    for closing in ("Gracias.", "Salutacions.", "Regards, " + "the team " * 8)
)
ACTIVE_STATUSES = ("new", "open", "open", "pending_customer", "on_hold")


def _cases(rng, now, agents, teams, categories, policies, contacts, started, log):
    """Cases and their messages, in id order (the oldest first); returns the hot case ids."""
    adapt = connection.ops.adapt_datetimefield_value
    first_id = bulk.allocate_ids(Case, 1)[0]
    message_id = bulk.allocate_ids(CaseMessage, 1)[0]
    last_id = first_id + CASES - 1
    spacing = 2 * 365 * 24 * 3600 / CASES  # two years of cases
    window_start = last_id - ACTIVE_WINDOW + 1
    hot = [last_id - 37 - (ACTIVE_WINDOW // 10) * n for n in range(HOT_CASES)]
    hot_set = set(hot)
    case_columns = [f.column for f in Case._meta.concrete_fields]
    message_columns = [f.column for f in CaseMessage._meta.concrete_fields]
    priorities = ["normal"] * 12 + ["low"] * 3 + ["high"] * 4 + ["urgent"]
    me = agents[0]
    for start in range(first_id, last_id + 1, BATCH):
        cases, messages = [], []
        for pk in range(start, min(start + BATCH, last_id + 1)):
            created = now - timedelta(seconds=int((last_id - pk + 1) * spacing))
            active = (pk >= window_start and pk % 5 != 0) or pk in hot_set
            status = rng.choice(ACTIVE_STATUSES) if active else rng.choice(("resolved", "closed"))
            priority = rng.choice(priorities)
            policy_id, first_minutes, resolution_minutes = policies[priority]
            contact_id, company_id, email, language = rng.choice(contacts)
            owner = None if active and rng.random() < 0.12 else rng.choice(agents)
            team = teams[agents.index(owner) % len(teams)] if owner else rng.choice(teams)
            if pk in hot_set:
                status, owner, team = "open", me, teams[0]
            count = HOT_MESSAGES if pk in hot_set else MESSAGES_PER_CASE[pk % 6]
            answer = timedelta(minutes=rng.randint(5, 900))
            responded = None if status == "new" else created + answer
            first_due = created + timedelta(minutes=first_minutes * 2)
            resolution_due = created + timedelta(minutes=resolution_minutes * 2)
            resolved = closed = paused = next_due = None
            state = "met"
            last_message = created + timedelta(minutes=count * 37)
            if not active:
                resolved = created + timedelta(minutes=rng.randint(60, 20_000))
                closed = resolved + timedelta(days=7) if status == "closed" else None
                state = "breached" if resolved > resolution_due else "met"
                last_message = min(last_message, resolved)
            else:
                if status == "pending_customer":
                    paused = last_message
                else:
                    next_due = first_due if responded is None else resolution_due
                if next_due is not None and next_due < now:
                    state = "breached"
                elif paused is not None:
                    state = "paused"
                else:
                    state = "on_track"
            changed = resolved or responded or created
            values = {
                "id": pk,
                "subject": SUBJECTS[pk % len(SUBJECTS)],
                "description": BODIES[pk % len(BODIES)],
                "contact_id": contact_id,
                "company_id": company_id,
                "channel": ("email", "email", "email", "web_form", "phone", "portal")[pk % 6],
                "category_id": categories[pk % len(categories)],
                "priority": priority,
                "status": status,
                "language": language or "es",
                "sla_policy_id": policy_id,
                "sla_state": state,
                "first_response_due": adapt(first_due),
                "resolution_due": adapt(resolution_due),
                "first_responded_at": adapt(responded),
                "resolved_at": adapt(resolved),
                "closed_at": adapt(closed),
                "paused_at": adapt(paused),
                "next_due": adapt(next_due),
                "last_message_at": adapt(last_message),
                "status_changed_at": adapt(changed),
                "owner_id": owner,
                "team_id": team,
                "created_at": adapt(created),
                "updated_at": adapt(last_message),
            }
            cases.append([values.get(c, _DEFAULTS.get(c)) for c in case_columns])
            step = timedelta(minutes=37)
            for n in range(count):
                at = created + step * n
                kind = "customer" if n % 2 == 0 else ("note" if n % 6 == 5 else "reply")
                customer = kind == "customer"
                row = {
                    "id": message_id,
                    "case_id": pk,
                    "kind": kind,
                    "author_id": None if customer else (owner or me),
                    "contact_id": contact_id if customer else None,
                    "from_address": email if customer else SUPPORT_ADDRESS,
                    "to_addresses": f'["{SUPPORT_ADDRESS}"]' if customer else f'["{email}"]',
                    "subject": SUBJECTS[pk % len(SUBJECTS)] if n == 0 else "",
                    "body": BODIES[(pk + n) % len(BODIES)],
                    "message_id": "" if kind == "note" else f"<{message_id:010d}@{DOMAIN}>",
                    "mail_id": None,
                    "created_at": adapt(at),
                    "sent_at": adapt(at) if kind == "reply" else None,
                    "send_error": "",
                }
                messages.append([row[c] for c in message_columns])
                message_id += 1
        with transaction.atomic():
            bulk.insert_rows(Case, case_columns, cases)
            bulk.insert_rows(CaseMessage, message_columns, messages)
        done = start + len(cases) - first_id
        if done % 50_000 == 0 or done == CASES:
            log(f"  cases: {done:,}/{CASES:,} ({time.monotonic() - started:.0f} s)")
    return hot


_DEFAULTS = {"version": 1, "custom_fields": "{}", "paused_seconds": 0, "deleted_at": None}
_DEFAULTS |= {"merged_into_id": None}

WORDS = {
    "en": {
        "verbs": ("change", "reset", "cancel", "track", "return", "update", "export", "pay"),
        "nouns": (
            "password",
            "invoice",
            "order",
            "delivery",
            "subscription",
            "address",
            "account",
            "refund",
            "warranty",
            "card",
        ),
        "title": "How to {verb} your {noun} ({n})",
        "text": "To {verb} your {noun}, open the settings page and follow the steps. ",
    },
    "es": {
        "verbs": ("cambiar", "restablecer", "cancelar", "seguir", "devolver", "pagar"),
        "nouns": (
            "contraseña",
            "factura",
            "pedido",
            "envío",
            "suscripción",
            "dirección",
            "cuenta",
            "reembolso",
            "garantía",
            "tarjeta",
        ),
        "title": "Cómo {verb} tu {noun} ({n})",
        "text": "Para {verb} tu {noun}, abre la página de ajustes y sigue los pasos. ",
    },
    "ca": {
        "verbs": ("canviar", "restablir", "cancel·lar", "seguir", "retornar", "pagar"),
        "nouns": (
            "contrasenya",
            "factura",
            "comanda",
            "enviament",
            "subscripció",
            "adreça",
            "compte",
            "reemborsament",
            "garantia",
            "targeta",
        ),
        "title": "Com {verb} la teva {noun} ({n})",
        "text": "Per {verb} la teva {noun}, obre la pàgina de configuració i segueix els passos. ",
    },
}
ARTICLE_CATEGORIES = ("Account", "Billing", "Orders", "Shipping", "Returns", "Payments")


def _articles(rng, now, log):
    """ARTICLES published articles, three languages per translation group, with their search
    entries (the FTS5 trigger, or PostgreSQL's words trigger, indexes them as they go in)."""
    categories = []
    for position, name in enumerate(ARTICLE_CATEGORIES):
        category, _ = ArticleCategory.objects.get_or_create(
            slug=f"bench-{slugify(name)}", defaults={"name": f"Bench {name}", "position": position}
        )
        categories.append(category.pk)
    adapt = connection.ops.adapt_datetimefield_value
    stamp = adapt(now - timedelta(days=30))
    languages = ("en", "es", "ca")
    labels = {"en": "English", "es": "Español", "ca": "Català"}
    article_columns = [f.column for f in Article._meta.concrete_fields]
    entry_columns = ["id", "entity", "object_id", "title", "subtitle", "text", "owner_id"]
    entry_columns.append("team_id")
    with transaction.atomic():
        ids = bulk.allocate_ids(Article, ARTICLES)
        entry_ids = bulk.allocate_ids(SearchEntry, ARTICLES)
        rows, entries = [], []
        group = None
        for n, (pk, entry_pk) in enumerate(zip(ids, entry_ids, strict=True)):
            language = languages[n % 3]
            if n % 3 == 0:
                group = uuid.UUID(int=rng.getrandbits(128), version=4)
                verb = rng.randrange(6)
                noun = rng.randrange(10)
                extra = [rng.randrange(10) for _ in range(3)]
            words = WORDS[language]
            fill = {"verb": words["verbs"][verb], "noun": words["nouns"][noun], "n": n // 3}
            title = words["title"].format(**fill)
            paragraphs = [
                "## " + words["nouns"][extra[0]].capitalize(),
                words["text"].format(**fill) * 3,
                "* " + words["text"].format(verb=fill["verb"], noun=words["nouns"][extra[1]]),
                "* " + words["text"].format(verb=fill["verb"], noun=words["nouns"][extra[2]]),
            ]
            body = "\n\n".join(paragraphs)
            values = {
                "id": pk,
                "translation_group": group.hex if connection.vendor == "sqlite" else group,
                "language": language,
                "title": title,
                "slug": f"{slugify(title)}-{n // 3}",
                "body": body,
                "category_id": categories[n // 3 % len(categories)],
                "status": "published",
                "internal": False,
                "version": 1,
                "created_at": stamp,
                "updated_at": stamp,
                "published_at": stamp,
                "updated_by_id": None,
                "helpful_votes": 0,
                "unhelpful_votes": 0,
            }
            rows.append([values[c] for c in article_columns])
            text = _index_text(" ".join([title, plain_text(body)]))
            entries.append([entry_pk, "article", pk, title, labels[language], text, None, None])
        bulk.insert_rows(Article, article_columns, rows)
        bulk.insert_rows(SearchEntry, entry_columns, entries)
    log(f"  articles: {ARTICLES:,}")
    return ARTICLES


def _reset_sequences():
    models = [Contact, ContactEmail, Case, CaseMessage, Article, SearchEntry]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
