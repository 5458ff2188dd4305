"""Campaign sending (issue 6): a personalised campaign to 100,000 recipients, delivered by two
workers to a local SMTP sink (``bench.smtp_sink``, its own process); then the same again with
one worker killed (SIGKILL) when about 40% has arrived.

The audience is 100,000 contacts of its own (consent granted, an address each), made once in
bulk, marked ``source_detail`` and tagged ``bench-campaign``. Each run makes a new campaign for them
with a newsletter template in three languages, starts it (which writes the recipient rows and
queues two sender jobs) and starts two ``clientela worker --burst`` processes. The sink logs
each message's arrival time and Message-ID; from it the benchmark reads the rate (first to
last arrival) and, against the recipient rows, duplicates (a Message-ID twice) and missed
messages (a recipient whose Message-ID never arrived).
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

TARGETS = {
    "campaign_send_rate": [("rate", 500, "messages/s")],
    "campaign_kill_duplicates": [("value", 0, "messages")],
    "campaign_kill_missed": [("value", 0, "messages")],
}
NEEDS_DATASET = False  # makes its own contacts
# ``CLIENTELA_BENCH_CAMPAIGN_AUDIENCE`` makes a smaller run (a quick check of the harness).
AUDIENCE = int(os.environ.get("CLIENTELA_BENCH_CAMPAIGN_AUDIENCE", "100000"))
MARK = "bench-campaign" if AUDIENCE == 100_000 else f"bench-campaign-{AUDIENCE}"
KILL_AT = 0.4
TIMEOUT = 900  # seconds for one run
ROOT = Path(__file__).resolve().parent.parent


def measure(args, db):
    _ensure_audience()
    metrics = {}
    clean = _run(kill=False)
    metrics["campaign_send_rate"] = {
        "rate": clean["rate"],
        "wall_seconds": clean["wall_seconds"],
        "audience_seconds": clean["audience_seconds"],
        "duplicates": clean["duplicates"],
        "missed": clean["missed"],
    }
    killed = _run(kill=True)
    metrics["campaign_kill_duplicates"] = {"value": killed["duplicates"], **_about(killed)}
    metrics["campaign_kill_missed"] = {"value": killed["missed"], **_about(killed)}
    return metrics


def _about(run):
    return {
        "killed_after": run["killed_after"],
        "wall_seconds": run["wall_seconds"],
        "missed_by_status": run["missed_by_status"],
    }


def _ensure_audience():
    from clientela.contacts.models import Contact, ContactEmail
    from clientela.core.models import Tag
    from clientela.core.text import sort_key

    tag, _ = Tag.objects.get_or_create(name=MARK)
    have = Contact.objects.filter(source_detail=MARK).count()
    if have >= AUDIENCE:
        return
    languages = ("es", "ca", "en")
    regions = ("Barcelona", "Girona", "Lleida", "Tarragona", "Madrid", "València")
    batch = 5_000
    for start in range(have, AUDIENCE, batch):
        contacts = [
            Contact(
                first_name=f"Client{n}",
                last_name="Bench",
                sort_name=sort_key(f"Bench Client{n}"),
                language=languages[n % 3],
                region=regions[n % len(regions)],
                source="import",
                source_detail=MARK,
                consent_status="granted",
                has_email=True,
            )
            for n in range(start, min(start + batch, AUDIENCE))
        ]
        Contact.objects.bulk_create(contacts)
        made = Contact.objects.filter(source_detail=MARK).order_by("-id")[: len(contacts)]
        ids = list(made.values_list("pk", flat=True))
        ContactEmail.objects.bulk_create(
            ContactEmail(contact_id=pk, email=f"client{pk}@bench-campaign.example", is_primary=True)
            for pk in ids
        )
        tagged = Contact.tags.through
        tagged.objects.bulk_create(tagged(contact_id=pk, tag_id=tag.pk) for pk in ids)


def _audience_segment(actor):
    """A dynamic segment: the benchmark's own contacts (tagged)."""
    from clientela.marketing.services import segments

    return segments.create_segment(
        actor=actor,
        name=f"Bench audience {time.time():.0f}",
        rules={
            "op": "and",
            "rules": [{"field": "tags", "operator": "has_any", "value": [MARK]}],
        },
    )


def _newsletter(actor):
    from clientela.marketing.services import templates

    body = (
        "# Hola {{ contact.first_name }}!\n\n"
        'Aquest mes, a **{{ company.name | default:"la teva empresa" }}** t\'esperen novetats.\n\n'
        "[Veure les ofertes](https://botiga.example/ofertes) · "
        "[El nostre blog](https://botiga.example/blog)\n\n"
        "Si no vols rebre més correus, [dona't de baixa]({{ unsubscribe_url }})."
    )
    return templates.create_email_template(
        actor=actor,
        name=f"Newsletter bench {time.time():.0f}",
        variants=[
            {"language": "ca", "subject": "Novetats per a {{ contact.first_name }}", "body": body},
            {"language": "es", "subject": "Novedades para {{ contact.first_name }}", "body": body},
            {"language": "en", "subject": "News for {{ contact.first_name }}", "body": body},
        ],
    )


def _run(*, kill):
    from django.conf import settings

    from clientela.core.models import User
    from clientela.marketing.models import CampaignRecipient
    from clientela.marketing.services import campaigns

    port = _free_port()
    log = Path(tempfile.mkstemp(prefix="campaign-sink-", suffix=".log")[1])
    sink = subprocess.Popen(
        [sys.executable, "-m", "bench.smtp_sink", str(port), str(log)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    sink.stdout.readline()  # "ready"
    env = {
        **os.environ,
        "CLIENTELA_EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "CLIENTELA_CAMPAIGN_SENDERS": "2",
        "CLIENTELA_BASE_URL": settings.BASE_URL or "https://crm.bench.example",
        "CLIENTELA_LOG_LEVEL": "WARNING",
    }
    actor = User.objects.filter(is_superuser=True).first() or User.objects.first()
    campaign = campaigns.create_campaign(
        actor=actor,
        name=f"Bench {'kill' if kill else 'clean'} {time.time():.0f}",
        from_name="Botiga Bench",
        from_email="news@botiga.example",
        segment=_audience_segment(actor),
        template=_newsletter(actor),
    )
    started = time.monotonic()
    count = campaigns.start_campaign(campaign, actor=actor)
    audience_seconds = time.monotonic() - started
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "clientela.cli", "worker", "--burst"], cwd=ROOT, env=env
        )
        for _ in range(2)
    ]
    killed_after = None
    deadline = time.monotonic() + TIMEOUT
    try:
        while time.monotonic() < deadline:
            arrived = _lines(log)
            if kill and killed_after is None and arrived >= KILL_AT * count:
                workers[0].send_signal(signal.SIGKILL)
                killed_after = arrived
            if all(w.poll() is not None for w in workers):
                break
            time.sleep(0.2)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(30)
        sink.terminate()
        sink.wait(30)
    wall = time.monotonic() - started - audience_seconds
    times, ids = _read(log)
    log.unlink()
    expected = set(
        CampaignRecipient.objects.filter(campaign=campaign).values_list("message_id", flat=True)
    )
    counts = Counter(ids)
    rows = CampaignRecipient.objects.filter(campaign=campaign)
    missing = rows.exclude(message_id__in=set(counts))
    missed_by_status = dict(Counter(missing.values_list("status", flat=True)))
    return {
        "recipients": count,
        "arrived": len(ids),
        "rate": round(len(ids) / (max(times) - min(times)), 1) if len(times) > 1 else 0.0,
        "wall_seconds": round(wall, 1),
        "audience_seconds": round(audience_seconds, 1),
        "duplicates": sum(n - 1 for n in counts.values() if n > 1),
        # Every recipient has a row; one whose message never arrived is missed, whatever
        # the row says (``sent`` with nothing at the sink would be a lost message).
        "missed": rows.count() - len(set(counts) & expected),
        "killed_after": killed_after,
        # "sent" here: recorded, then the worker died before the final dot (the one moment the
        # design leaves); any other status would be a message the queue lost.
        "missed_by_status": missed_by_status,
    }


def _lines(path):
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def _read(path):
    times, ids = [], []
    for line in path.read_text().splitlines():
        stamp, _, message_id = line.partition(" ")
        times.append(float(stamp))
        ids.append(message_id)
    return times, ids


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
