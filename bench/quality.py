"""Data quality on the bench database: lists of contacts missing key data and the managers'
"Data quality" page, timed in-process (Django's test client, signed in as the bench admin).

The generated contacts all have an e-mail, which would make "missing e-mail" an empty list; the
suite first takes the e-mails of one contact in 50 away (once, remembered in a ``Flag``) so the
list pages have 20,000 rows to page through on a million contacts.
"""

import statistics
import time

TARGETS = {
    "quality_missing_email_list": [("p50", 40, "ms"), ("p95", 80, "ms")],
    "quality_missing_email_last_page": [("p50", 40, "ms")],
    "quality_below_50_list": [("p50", 40, "ms")],
    "quality_missing_email_api": [("p50", 25, "ms")],
    "quality_page": [("p50", 1500, "ms")],
    "quality_list_queries": [("value", 14, "queries")],
}
FLAG = "bench_quality_prepared"
EVERY = 50


def prepare():
    """Remove the e-mails of contacts whose id is a multiple of ``EVERY`` (once)."""
    from django.db import transaction

    from clientela.contacts import quality
    from clientela.contacts.models import Contact, ContactEmail
    from clientela.core.models import Flag

    if Flag.objects.filter(name=FLAG).exists():
        return
    last = Contact.all_objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for start in range(0, last, 50_000):
        with transaction.atomic():
            ids = range(start + EVERY - start % EVERY, min(start + 50_000, last) + 1, EVERY)
            ContactEmail.objects.filter(contact_id__in=list(ids)).delete()
            quality.refresh_range(Contact, start + 1, start + 50_000)
    Flag.objects.create(name=FLAG, value={"every": EVERY})


def _timed(client, path, runs, warmup):
    for _ in range(warmup):
        client.get(path)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    return {
        "p50": round(statistics.median(times), 1),
        "p95": round(times[int(len(times) * 0.95) - 1], 1),
    }


def _last_page(path):
    """``path`` at its last page: the cursor after the record that sorts 51st from the end
    (what following "next" 400 times would reach)."""
    from clientela.contacts.models import Contact
    from clientela.core.pagination import encode_cursor

    tail = list(
        Contact.objects.filter(has_email=False)
        .order_by("-sort_name", "-id")
        .values_list("sort_name", "id")[50:51]
    )
    if not tail:
        return path
    return f"{path}&cursor={encode_cursor(list(tail[0]), 'next')}"


def measure(args, db):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.generate import bench_user

    prepare()
    client = Client()
    client.force_login(bench_user())
    runs, warmup = max(20, args.requests // 4), 5
    metrics = {
        "quality_missing_email_list": _timed(client, "/contacts/?missing=email", runs, warmup),
        "quality_below_50_list": _timed(
            client, "/contacts/?completeness_below=50&sort=completeness", runs, warmup
        ),
        "quality_missing_email_api": _timed(
            client, "/api/v1/contacts/?missing=email", runs, warmup
        ),
        "quality_page": _timed(client, "/contacts/quality/", 5, 1),
    }
    last = _last_page("/contacts/?missing=email")
    metrics["quality_missing_email_last_page"] = _timed(client, last, runs, warmup)
    with CaptureQueriesContext(connection) as queries:
        client.get("/contacts/?missing=email")
    metrics["quality_list_queries"] = {"value": len(queries)}
    return metrics
