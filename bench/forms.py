"""Web form submissions: a visitor posting the hosted form, on the big bench database.

Each submission comes from its own address (through ``X-Forwarded-For`` and a trusted proxy,
as behind a reverse proxy), so the per-sender rate limit does not refuse the bench; one in five
repeats the e-mail of an existing contact, which is then updated instead of created. Timed over
HTTP like the other page metrics: the contact lookup, creation or update, the activity, history,
assignment rules and the owner's e-mail queued after commit.
"""

import time
from urllib.parse import urlencode

TARGETS = {"form_submission": [("p95", 50, "ms")]}
FORM_SLUG = "bench-contacto"


def bench_form():
    from bench import generate
    from clientela.intake.models import WebForm
    from clientela.intake.services import webforms

    form = WebForm.objects.filter(slug=FORM_SLUG).first()
    if form is None:
        form = webforms.create_form(
            actor=generate.bench_user(),
            name="Bench contacto",
            slug=FORM_SLUG,
            fields=[
                {"name": "first_name", "label": "Nombre", "required": True},
                {"name": "email", "label": "Correo", "required": True},
                {"name": "phone", "label": "Teléfono", "required": False},
                {"name": "notes", "label": "Mensaje", "required": False},
            ],
        )
    return form


def measure(args, db):
    from bench import run

    form = bench_form()
    port = run.free_port()
    server = run.start_server(port, args.threads, extra=["--trusted-proxy", "127.0.0.1"])
    path = f"/intake/f/{form.slug}/"
    stamp = int(time.time())
    times, failures = [], {}
    try:
        client = run.Client(port, {"Content-Type": "application/x-www-form-urlencoded"})
        for n in range(args.warmup + args.requests):
            email = f"person{n * 37}@example.com" if n % 5 == 0 else f"form{stamp}-{n}@example.es"
            body = urlencode(
                {
                    "first_name": f"Visitante {n}",
                    "email": email,
                    "phone": f"+34 6{(stamp + n) % 100_000_000:08d}",
                    "notes": "Quiero información sobre vuestros servicios.",
                    "utm_source": "bench",
                }
            )
            client.headers["X-Forwarded-For"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
            started = time.perf_counter()
            status, _body = client.post(path, body)
            if n >= args.warmup:
                times.append((time.perf_counter() - started) * 1000)
                if status not in (200, 302, 303):
                    failures[status] = failures.get(status, 0) + 1
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"form_submission": run.summarize(times, failures)}
