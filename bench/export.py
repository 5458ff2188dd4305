"""Export suite: every contact of the bench database as CSV, vCard and XLSX.

Each format runs in a child process (``python -m bench.export FORMAT``), so its peak resident
memory (VmHWM) is its own: an export must stream whatever the table size. The child exports
what the bench user may see (``permissions.visible``, as the export page does), consumes the
output as the HTTP response would (text encoded to UTF-8; the XLSX file written, then read),
and prints its figures as JSON.
"""

import json
import os
import subprocess
import sys
import time

TARGETS = {
    "export_csv": [("rate", 50000, "rows/s")],
    "export_vcf": [("rate", 50000, "rows/s")],
    "export_xlsx": [("rate", 50000, "rows/s")],
    "export_peak_rss": [("value", 400, "MB")],
}
FORMATS = ("csv", "vcf", "xlsx")


def measure(args, db):
    metrics, peaks = {}, []
    for code in FORMATS:
        figures = run_child(code)
        peaks.append(figures.pop("peak_rss_mb", None) or 0)
        metrics[f"export_{code}"] = figures
    failed = {k: v["errors"] for k, v in metrics.items() if v.get("errors")}
    metrics["export_peak_rss"] = {
        "value": max(peaks),
        "by_format": dict(zip(FORMATS, peaks, strict=True)),
        "errors": {"children": list(failed)} if failed else {},
    }
    return metrics


def run_child(code):
    process = subprocess.run(
        [sys.executable, "-m", "bench.export", code],
        capture_output=True,
        text=True,
        env=os.environ,
        check=False,
    )
    try:
        return json.loads(process.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        tail = (process.stderr or "").strip().splitlines()[-3:]
        return {"rate": None, "errors": {"exit": process.returncode, "stderr": tail}}


def peak_rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def export_once(code):
    from bench import generate
    from clientela.contacts.io import export_content
    from clientela.contacts.models import Contact
    from clientela.core import permissions

    user = generate.bench_user()
    queryset = permissions.visible(user, Contact.objects.all())
    rows = queryset.count()
    started = time.perf_counter()
    cpu = time.process_time()
    content = export_content(Contact, queryset, code)
    size = 0
    if hasattr(content, "read"):
        with content:
            while block := content.read(1 << 20):
                size += len(block)
    else:
        for chunk in content:
            size += len(chunk.encode())
    seconds = time.perf_counter() - started
    return {
        "rate": round(rows / seconds) if seconds else None,
        "rows": rows,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),
        "megabytes": round(size / 1e6, 1),
        "peak_rss_mb": peak_rss_mb(),
        "load_average": os.getloadavg(),
        "errors": {},
    }


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    import django

    django.setup()
    print(json.dumps(export_once(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
