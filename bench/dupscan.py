"""Duplicate scan suite: the full scan of every contact and company of the bench database, as
the nightly job runs it (``contacts.jobs.run_duplicate_scan``: candidates by blocking keys,
scored with rapidfuzz, stored as ``DuplicateCandidate`` rows in batches).

It runs in a child process (``python -m bench.dupscan``) so its peak resident memory is its own.
It writes to the bench database (the stored pairs), as the job would.
"""

import json
import os
import subprocess
import sys
import time

TARGETS = {
    "duplicate_scan_1m": [("seconds", 120, "s")],
    "duplicate_scan_peak_rss": [("value", 600, "MB")],
}


def measure(args, db):
    process = subprocess.run(
        [sys.executable, "-m", "bench.dupscan"],
        capture_output=True,
        text=True,
        env=os.environ,
        check=False,
    )
    try:
        figures = json.loads(process.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        tail = (process.stderr or "").strip().splitlines()[-3:]
        error = {"errors": {"exit": process.returncode, "stderr": tail}}
        return {"duplicate_scan_1m": dict(error), "duplicate_scan_peak_rss": dict(error)}
    peak = figures.pop("peak_rss_mb")
    return {
        "duplicate_scan_1m": figures,
        "duplicate_scan_peak_rss": {"value": peak, "errors": {}},
    }


def scan():
    from bench.export import peak_rss_mb
    from clientela.contacts import jobs
    from clientela.contacts.models import Contact

    started = time.perf_counter()
    cpu = time.process_time()
    results = jobs.run_duplicate_scan()
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),
        "contacts": Contact.objects.count(),
        "by_kind": results,
        "peak_rss_mb": peak_rss_mb(),
        "load_average": os.getloadavg(),
        "errors": {},
    }


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    import django

    django.setup()
    print(json.dumps(scan(), default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
