"""Customer service at scale (issue 5): 500,000 cases and 3,000,000 messages, 10,000 articles.

Generates its data once (``generate_support``), then, in-process:

* the queues (``/cases/?queue=...``) and the page of a case with 500 messages, through Django's
  test client signed in as a service agent (``agent0``, role "service", in one team);
* the help-centre search (``/help/?q=``), anonymous, over varied queries in en/es/ca;
* the recount of every active case's SLA clock (``services.sla.recompute`` of all policies);
* e-mail to case: 2,000 raw RFC 822 messages handed to intake's ``capture`` for a service
  mailbox in this one process (new requests from known customers, strangers, replies to their
  cases), as a mailbox sync would. What it made is removed afterwards.
"""

import statistics
import time
from email.message import EmailMessage
from email.utils import format_datetime

TARGETS = {
    "support_queue_mine": [("p50", 30, "ms")],
    "support_queue_unassigned": [("p50", 30, "ms")],
    "support_queue_team": [("p50", 30, "ms")],
    "support_queue_breaching": [("p50", 30, "ms")],
    "support_queue_active": [("p50", 30, "ms")],
    "support_case_500_messages": [("p50", 50, "ms")],
    "support_email_to_case": [("rate", 50, "messages/s")],
    "support_sla_recompute_100k": [("seconds", 60, "s")],
    "support_help_search": [("p95", 30, "ms")],
}
NEEDS_DATASET = False  # makes its own contacts on an empty database
QUEUES = ("mine", "unassigned", "team", "breaching", "active")
E2C_MESSAGES = 2_000
MAILBOX = "e2c@bench-support.example"


def _summary(times, failures=None):
    times = sorted(times)
    return {
        "n": len(times),
        "p50": round(statistics.median(times), 1),
        "p95": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
        "max": round(times[-1], 1),
        "errors": failures or {},
    }


def _timed(client, paths, runs, warmup, **headers):
    for n in range(warmup):
        client.get(paths[n % len(paths)], **headers)
    times, failures = [], {}
    for n in range(runs):
        started = time.perf_counter()
        response = client.get(paths[n % len(paths)], **headers)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            failures[response.status_code] = failures.get(response.status_code, 0) + 1
    return _summary(times, failures)


def measure(args, db):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench import generate_support

    info = generate_support.ensure()
    client = Client()
    client.force_login(generate_support.agent())
    runs, warmup = max(20, args.requests // 4), 5
    metrics = {}
    for queue in QUEUES:
        path = f"/cases/?queue={queue}"
        metrics[f"support_queue_{queue}"] = _timed(client, [path], runs, warmup)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        metrics[f"support_queue_{queue}"]["queries"] = len(queries)
    pages = [f"/cases/{pk}/" for pk in generate_support.hot_case_ids()]
    metrics["support_case_500_messages"] = _timed(client, pages, runs, warmup)
    with CaptureQueriesContext(connection) as queries:
        client.get(pages[0])
    metrics["support_case_500_messages"]["queries"] = len(queries)
    metrics["support_help_search"] = help_search(args)
    metrics["support_sla_recompute_100k"] = sla_recompute()
    metrics["support_email_to_case"] = email_to_case()
    metrics["support_email_to_case"]["data"] = info
    return metrics


def help_search(args):
    """p95 of ``/help/?q=`` over one- and two-word queries (whole words and prefixes) in the
    reader's language, anonymous as the help centre's readers are."""
    import random

    from django.test import Client

    from bench.generate_support import WORDS

    rng = random.Random(5)
    queries = []
    for n in range(max(200, args.requests)):
        language = ("en", "es", "ca")[n % 3]
        words = WORDS[language]["nouns"] + WORDS[language]["verbs"]
        first = rng.choice(words)
        if n % 4 == 0:
            query = first[: rng.randint(3, 5)]  # typing: a prefix
        elif n % 4 == 1:
            query = f"{first} {rng.choice(WORDS[language]['nouns'])}"
        else:
            query = first
        queries.append((language, query))
    client = Client()
    for language, query in queries[:20]:
        client.get("/help/", {"q": query}, HTTP_ACCEPT_LANGUAGE=language)
    times, failures, found = [], {}, 0
    for language, query in queries:
        started = time.perf_counter()
        response = client.get("/help/", {"q": query}, HTTP_ACCEPT_LANGUAGE=language)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            failures[response.status_code] = failures.get(response.status_code, 0) + 1
        found += f"/help/{language}/".encode() in response.content  # a result links there
    result = _summary(times, failures)
    result["queries_with_results"] = found
    return result


def sla_recompute():
    from django.db import transaction

    from clientela.support.models import SlaPolicy
    from clientela.support.services import sla

    policies = list(SlaPolicy.objects.values_list("pk", flat=True))
    started = time.perf_counter()
    with transaction.atomic():
        counted = sla.recompute(policies)
    return {"seconds": round(time.perf_counter() - started, 1), "cases": counted, "errors": {}}


def email_to_case():
    """Messages per second through intake's capture to a service mailbox, in one process: six
    in ten new requests from known customers, two in ten from strangers (a new contact each),
    two in ten replies to one of the customer's cases (In-Reply-To its last e-mail)."""
    from clientela.support.models import Case, CaseMessage

    mailbox = _service_mailbox()
    marks = _high_water_marks()
    replies = list(
        CaseMessage.objects.filter(kind="customer", case__status="open")
        .exclude(message_id="")
        .order_by("-id")
        .values_list("message_id", "from_address", "case__subject")[: E2C_MESSAGES // 5]
    )
    raws = list(_messages(replies))
    try:
        started = time.perf_counter()
        outcomes = _capture_all(raws, mailbox)
        seconds = time.perf_counter() - started
        opened = Case.all_objects.filter(pk__gt=marks["case"]).count()
        joined = CaseMessage.objects.filter(
            pk__gt=marks["message"], kind="customer", case_id__lte=marks["case"]
        ).count()
    finally:
        _clean_up(mailbox, marks)
    errors = {}
    if outcomes.get("captured", 0) != len(raws):
        errors["outcomes"] = outcomes
    return {
        "rate": round(len(raws) / seconds, 1),
        "seconds": round(seconds, 1),
        "messages": len(raws),
        "cases_opened": opened,
        "replies_joined": joined,
        "outcomes": outcomes,
        "errors": errors,
    }


def _capture_all(raws, mailbox):
    from clientela.intake.services import mail

    outcomes = {}
    for uid, raw in enumerate(raws, start=1):
        message = mail.capture(raw, mailbox=mailbox, folder="INBOX", uidvalidity=1, uid=uid)
        status = message.status if message is not None else "skipped"
        outcomes[status] = outcomes.get(status, 0) + 1
    return outcomes


def _messages(replies):
    from django.utils import timezone

    from bench.generate_support import BODIES, SUBJECTS
    from clientela.contacts.models import ContactEmail

    known = list(
        ContactEmail.objects.filter(is_primary=True)
        .order_by("contact_id")
        .values_list("email", flat=True)[:5000]
    )
    now = format_datetime(timezone.now())
    reply_iter = iter(replies)
    for n in range(E2C_MESSAGES):
        message = EmailMessage()
        kind = n % 10
        message["To"] = MAILBOX
        message["Date"] = now
        message["Message-ID"] = f"<e2c-{n}-{time.time_ns()}@customer.example>"
        reply = next(reply_iter, None) if kind in (3, 8) else None
        if reply is not None:
            message_id, address, subject = reply
            message["From"] = address
            message["Subject"] = f"Re: {subject}"
            message["In-Reply-To"] = message_id
            message["References"] = message_id
        elif kind in (1, 6):
            message["From"] = f"Persona {n} <stranger{n}-{time.time_ns()}@elsewhere.example>"
            message["Subject"] = SUBJECTS[n % len(SUBJECTS)]
        else:
            message["From"] = known[n % len(known)]
            message["Subject"] = SUBJECTS[n % len(SUBJECTS)]
        message.set_content(BODIES[n % len(BODIES)] + "\n\n" + "Línia de text. " * 30)
        yield bytes(message)


def _service_mailbox():
    from clientela.intake.models import Mailbox
    from clientela.intake.services import mail
    from clientela.support.services import mailboxes

    Mailbox.objects.filter(email_address=MAILBOX).delete()
    mailbox = mail.create_mailbox(
        actor=None,
        name="Bench support",
        email_address=MAILBOX,
        host="127.0.0.1",
        port=993,
        security="tls",
        username=MAILBOX,
        password="not-used",
        folders=["INBOX"],
    )
    mailboxes.save_service_mailbox(mailbox, actor=None)
    return mailbox


def _high_water_marks():
    from django.db.models import Max

    from clientela.activities.models import Activity
    from clientela.contacts.models import Contact
    from clientela.support.models import Case, CaseMessage

    def top(model, manager="objects"):
        return getattr(model, manager).aggregate(m=Max("pk"))["m"] or 0

    return {
        "case": top(Case, "all_objects"),
        "message": top(CaseMessage),
        "activity": top(Activity, "all_objects"),
        "contact": top(Contact, "all_objects"),
    }


def _clean_up(mailbox, marks):
    """Remove what the capture made (bench bookkeeping, not a domain change): its cases, their
    messages, the messages added to older cases, the timeline entries and new contacts."""
    from django.db import transaction

    from clientela.activities.models import Activity
    from clientela.contacts.models import Contact
    from clientela.core.models import SearchEntry
    from clientela.intake.models import MailMessage
    from clientela.support.models import Case, CaseMessage

    with transaction.atomic():
        CaseMessage.objects.filter(pk__gt=marks["message"]).delete()
        new_cases = Case.all_objects.filter(pk__gt=marks["case"])
        SearchEntry.objects.filter(entity="case", object_id__gt=marks["case"]).delete()
        new_cases.delete()
        MailMessage.objects.filter(mailbox=mailbox).delete()
        Activity.all_objects.filter(pk__gt=marks["activity"]).delete()
        contacts = Contact.all_objects.filter(pk__gt=marks["contact"])
        SearchEntry.objects.filter(entity="contact", object_id__gt=marks["contact"]).delete()
        contacts.delete()
        mailbox.delete()
