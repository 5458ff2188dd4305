"""Full account export speed: ``clientela export all`` of the whole bench database (a million
contacts, their e-mails, phones, deals, activities...), in a process of its own so its peak
memory is measured too (it must stay bounded whatever the size)."""

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

TARGETS = {
    "full_export_rows": [("rate", 50000, "rows/s")],
    "full_export_peak_rss": [("value", 300, "MB")],
}

RUN = (
    "import resource, sys\n"
    "from clientela.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('peak_rss_kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def measure(args, db):
    path = HERE / "data" / f"backup-{db}.zip"
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", RUN, "export", "all", str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    peak_kb = int(result.stderr.rsplit("peak_rss_kb", 1)[1].split()[0])
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    rows = sum(entry["rows"] for entry in manifest["models"].values())
    size = path.stat().st_size
    path.unlink()
    print(f"full export: {rows} rows in {seconds:.1f} s, zip {size / 1e6:.0f} MB")
    return {
        "full_export_rows": {"rate": rows / seconds, "rows": rows, "seconds": seconds},
        "full_export_peak_rss": {"value": peak_kb / 1024},
    }
