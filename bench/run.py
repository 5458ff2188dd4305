"""``clientela bench`` / ``make bench``: latency, query counts and memory on a large database.

1. Points Clientela at the bench database (``bench/data/bench-<size>.sqlite3``, or the
   PostgreSQL database of ``CLIENTELA_DATABASE_URL``), migrates it and generates the data once.
2. Starts ``clientela serve --no-worker`` on a free port as a separate process.
3. From this process, times HTTP requests (keep-alive, after a warm-up) and reports p50/p95,
   counts SQL queries per API page in-process, and reads the server's peak RSS (VmHWM).
4. Prints a table with PASS/FAIL per target and writes ``bench/results/<db>-<date>.json``.
"""

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent

TARGETS = {
    # metric: (stat, limit, unit)
    "api_list_page1": [("p50", 15, "ms"), ("p95", 40, "ms")],
    "api_list_page10000": [("p50", 15, "ms"), ("p95", 40, "ms")],
    "api_queries_page1": [("value", 8, "queries")],
    "api_queries_page10000": [("value", 8, "queries")],
    "html_list": [("p50", 40, "ms")],
    "html_detail": [("p50", 20, "ms")],
    "typeahead": [("p95", 20, "ms")],
    "peak_rss": [("value", 250, "MB")],
    "board_first_paint": [("p50", 100, "ms")],
    "deal_move": [("p50", 20, "ms")],
    "forecast_team": [("p50", 300, "ms")],
    "timeline_page": [("p50", 30, "ms")],
}
# Suites measured in-process after the HTTP metrics, each a module of ``bench`` with its own
# ``TARGETS`` (as above) and ``measure(args, db)`` returning its metrics. A target whose unit is
# a rate ("rows/s") is a floor; every other target is a ceiling.
SUITES = [
    "forms",
    "imports",
    "mail",
    "quality",
    "export",
    "dupscan",
    "backup",
    "support",
    "marketing_templates",
    "marketing",
    "campaigns",
    "workflows",
    "collaboration",
    "analytics",
]


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="clientela bench", description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--deals", type=int, default=200_000)
    parser.add_argument("--open-deals", type=int, default=20_000, help="open, in one pipeline")
    parser.add_argument("--activities", type=int, default=5_000_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per metric")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--threads", type=int, default=4, help="web server threads")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument(
        "--only", metavar="SUITE", help="measure only this suite (one of SUITES, or 'http')"
    )
    return parser.parse_args(argv)


def configure(args):
    """Choose the bench database before Django starts."""
    url = os.environ.get("CLIENTELA_DATABASE_URL", "")
    data_dir = HERE / "data"
    data_dir.mkdir(exist_ok=True)
    (data_dir / "static").mkdir(exist_ok=True)  # whitenoise warns when STATIC_ROOT is missing
    os.environ["CLIENTELA_DATA_DIR"] = str(data_dir)
    # One log line per request would be measured too (and would flood this output).
    os.environ.setdefault("CLIENTELA_LOG_LEVEL", "WARNING")
    if url.startswith("postgres"):
        return "postgresql"
    size = f"{args.contacts // 1000}k"
    os.environ["CLIENTELA_DATABASE_URL"] = f"sqlite:///{data_dir / f'bench-{size}.sqlite3'}"
    return "sqlite"


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    db = configure(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from bench import generate, generate_activities, generate_sales

    print(f"bench database: {db} ({os.environ['CLIENTELA_DATABASE_URL'].split('@')[-1]})")
    call_command("migrate", interactive=False, verbosity=0)
    info = {}
    if args.only in (None, "http") or any(
        getattr(module, "NEEDS_DATASET", True) for module in suite_modules(args)
    ):
        info = generate.ensure(args.contacts, args.companies)
        info["sales"] = generate_sales.ensure(
            args.deals, args.open_deals, contacts=args.contacts, companies=args.companies
        )
        info["activities"] = generate_activities.ensure(
            args.activities, contacts=args.contacts, deals=args.deals
        )
    if args.generate_only:
        return 0
    results = measure_all(args, db)
    results["generation"] = info
    report(results, db)
    return 0 if all(r["pass"] for r in results["checks"]) else 1


def suite_modules(args):
    import importlib

    names = SUITES if args.only in (None, "http") else [args.only]
    if args.only == "http":
        names = []
    return [importlib.import_module(f"bench.{name}") for name in names]


def targets_of(modules):
    targets = dict(TARGETS)
    for module in modules:
        targets.update(module.TARGETS)
    return targets


def measure_all(args, db):
    modules = suite_modules(args)
    if args.only in (None, "http"):
        results = measure(args, db)
    else:
        results = environment(db, total=None, metrics={})
    for module in modules:
        results["metrics"].update(module.measure(args, db))
    results["checks"] = checks(results["metrics"], targets_of(modules))
    return results


def environment(db, total, metrics):
    return {
        "database": db,
        "contacts": total,
        "date": datetime.now().isoformat(timespec="seconds"),
        # Other work on the machine skews latencies: keep the load next to the figures.
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
        "metrics": metrics,
    }


# --- the server and the client -------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port, threads, extra=()):
    log = open(HERE / "data" / "server.log", "w")  # noqa: SIM115 (lives as long as the server)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "clientela.cli",
            "serve",
            "--no-worker",
            "--port",
            str(port),
            "--threads",
            str(threads),
            *extra,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited; see {log.name}")
        try:
            status, _ = Client(port).get("/health/")
            if status == 200:
                return process
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not start in time")


class Client:
    """A keep-alive HTTP/1.1 client: what a browser or an API client does between requests."""

    def __init__(self, port, headers=None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = headers or {}

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body):
        return self.request("POST", path, body)

    def request(self, method, path, body=None):
        self.connection.request(method, path, body=body, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        return response.status, body


def timed(client, paths, warmup, count):
    """Latencies (ms) of ``count`` requests cycling through ``paths``, after a warm-up."""
    for i in range(warmup):
        client.get(paths[i % len(paths)])
    times, failures = [], {}
    for i in range(count):
        path = paths[i % len(paths)]
        started = time.perf_counter()
        status, _ = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            failures[status] = failures.get(status, 0) + 1
    return summarize(times, failures)


def summarize(times, failures=None):
    times = sorted(times)
    return {
        "n": len(times),
        "p50": round(statistics.median(times), 2),
        "p95": round(times[max(0, int(len(times) * 0.95) - 1)], 2),
        "max": round(times[-1], 2),
        "errors": failures or {},
    }


# --- what is measured ----------------------------------------------------------------------------


def route(name, *args, fallback=None):
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def api_position_cursor(position):
    """The cursor the API would hand out after ``position`` rows of its default ordering."""
    from django.urls import resolve

    from clientela.contacts.models import Contact
    from clientela.core.pagination import encode_cursor

    view = resolve("/api/v1/contacts/").func
    cls = getattr(view, "cls", None)
    orderings = getattr(cls, "orderings", {"name": ["sort_name", "id"]})
    ordering = orderings[getattr(cls, "default_ordering", next(iter(orderings)))]
    fields = [term.lstrip("-") for term in ordering]
    row = Contact.objects.order_by(*ordering).values_list(*fields)[position - 1]
    return encode_cursor(list(row), "next")


def query_count(path, headers):
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    client = DjangoClient(**{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    client.get(path)  # warm caches (content types, token last-used write)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response.status_code, len(queries.captured_queries)


def session_cookie(user):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def typeahead_prefixes(rng, count):
    from clientela.contacts import demo_data as data

    words = [n for n, _ in data.FIRST_NAMES] + data.SURNAMES + data.BRAND_WORDS
    words += [b[1].split()[0] for b in data.BUSINESSES]
    from clientela.core.text import normalize

    prefixes = sorted({normalize(w)[:3] for w in words if len(w) >= 3})
    return [rng.choice(prefixes) for _ in range(count)]


def measure(args, db):
    from bench import generate
    from clientela.contacts.models import Contact
    from clientela.core import search, tokens

    rng = random.Random(1)
    user = generate.bench_user()
    _token, raw = tokens.create_token(user, "bench")
    api_headers = {"Authorization": f"Bearer {raw}"}
    total = Contact.objects.count()
    page10000 = min(500_000, max(1, total - 50))
    cursor = api_position_cursor(page10000)
    api_page1 = "/api/v1/contacts/"
    api_deep = f"/api/v1/contacts/?cursor={quote(cursor)}"
    port = free_port()
    server = start_server(port, args.threads)
    metrics = {}
    try:
        api = Client(port, api_headers)
        metrics["api_list_page1"] = timed(api, [api_page1], args.warmup, args.requests)
        metrics["api_list_page10000"] = timed(api, [api_deep], args.warmup, args.requests)
        for name, path in (("api_queries_page1", api_page1), ("api_queries_page10000", api_deep)):
            status, count = query_count(path, api_headers)
            metrics[name] = {"value": count, "errors": {} if status == 200 else {status: 1}}

        browser = Client(port, {"Cookie": session_cookie(user)})
        list_url = route("contacts:contact_list", fallback="/contacts/")
        metrics["html_list"] = timed(browser, [list_url], args.warmup, args.requests)
        ids = [rng.randint(1, total) for _ in range(args.requests)]
        details = [route("contacts:contact_detail", pk, fallback=f"/contacts/{pk}/") for pk in ids]
        metrics["html_detail"] = timed(browser, details, args.warmup, args.requests)

        prefixes = typeahead_prefixes(rng, args.requests)
        suggest = route("core:search_suggest")
        if suggest:
            paths = [f"{suggest}?q={quote(p)}" for p in prefixes]
            metrics["typeahead"] = timed(browser, paths, args.warmup, args.requests)
            metrics["typeahead"]["how"] = "http"
        else:
            for p in prefixes[: args.warmup]:
                search.search(user, p)
            times = []
            for p in prefixes:
                started = time.perf_counter()
                search.search(user, p)
                times.append((time.perf_counter() - started) * 1000)
            metrics["typeahead"] = summarize(times)
            metrics["typeahead"]["how"] = "in-process (no suggest route yet)"
        metrics.update(measure_sales(args, port, browser, api_headers))
        metrics["peak_rss"] = {"value": peak_rss_mb(server.pid), "errors": {}}
    finally:
        server.terminate()
        server.wait(timeout=30)
    return environment(db, total, metrics)


def measure_sales(args, port, browser, api_headers):
    """The pipeline board of the big pipeline, moving deals through the API, the forecast."""
    from django.utils import timezone

    from bench import generate_activities, generate_sales
    from clientela.sales.models import Deal

    pipeline = generate_sales.bench_pipeline()
    stages = list(pipeline.stages.filter(kind="open").order_by("position"))
    board = f"{route('sales:deal_board')}?pipeline={pipeline.pk}"
    metrics = {"board_first_paint": timed(browser, [board], 5, max(20, args.requests // 4))}

    # Each deal is moved once, to the next open stage: history, stage change, lifecycle, event.
    deals = list(
        Deal.objects.filter(pipeline=pipeline, status="open").values_list("pk", "stage_id")[
            : args.requests + args.warmup
        ]
    )
    api = Client(port, {**api_headers, "Content-Type": "application/json"})
    times, failures = [], {}
    for n, (pk, stage_id) in enumerate(deals):
        target = next(s for s in stages if s.pk != stage_id)
        body = json.dumps({"stage": target.pk})
        started = time.perf_counter()
        status, _body = api.post(f"/api/v1/deals/{pk}/move/", body)
        if n >= args.warmup:
            times.append((time.perf_counter() - started) * 1000)
            if status != 200:
                failures[status] = failures.get(status, 0) + 1
    metrics["deal_move"] = summarize(times, failures)

    year = timezone.localdate().year
    forecast = f"{route('sales:forecast')}?year={year}&period=month"
    metrics["forecast_team"] = timed(browser, [forecast], 3, max(10, args.requests // 10))

    # The contact page with the first page of its 2,000-activity timeline.
    hot = route("contacts:contact_detail", generate_activities.hot_contact_id())
    metrics["timeline_page"] = timed(browser, [hot], args.warmup, args.requests)
    return metrics


def peak_rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def is_floor(unit):
    return unit.endswith("/s")


def checks(metrics, targets):
    results = []
    for metric, metric_targets in targets.items():
        if metric not in metrics:
            continue  # a suite not run (``--only``)
        values = metrics[metric]
        for stat, limit, unit in metric_targets:
            value = values.get(stat)
            within = value is not None and (value >= limit if is_floor(unit) else value <= limit)
            ok = within and not values.get("errors")
            results.append(
                {
                    "metric": metric,
                    "stat": stat,
                    "value": value,
                    "limit": limit,
                    "unit": unit,
                    "errors": values.get("errors", {}),
                    "pass": ok,
                }
            )
    return results


def report(results, db):
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    path = out_dir / f"{db}-{datetime.now():%Y-%m-%d}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print()
    print(f"{'metric':<24} {'stat':<6} {'value':>10} {'target':>18}  result")
    for check in results["checks"]:
        value = "-" if check["value"] is None else f"{check['value']}"
        sign = ">=" if is_floor(check["unit"]) else "<="
        target = f"{sign} {check['limit']} {check['unit']}"
        verdict = "PASS" if check["pass"] else "FAIL"
        if check["errors"]:
            verdict += f" (HTTP errors: {check['errors']})"
        print(f"{check['metric']:<24} {check['stat']:<6} {value:>10} {target:>18}  {verdict}")
    load = ", ".join(f"{x:.1f}" for x in results["load_average"])
    print(f"\nload average during the run: {load} on {results['cpus']} CPUs")
    print(f"results written to {path}")


if __name__ == "__main__":
    sys.exit(main())
