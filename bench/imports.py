"""Import speed: a million contacts from a CSV file, as a business moving from another tool.

The file has 12 columns (HubSpot-style headers, so the suggested mapping is used as it is),
5 % of its rows repeat an e-mail address seen earlier in the file and 1 % are bad (an address
that is not one). It is imported through ``clientela import contacts`` into an empty database
of its own (``bench/data/import-<db>``), so the figure includes reading the file, validation,
de-duplication, history and search entries; peak memory is that process's.
"""

import csv
import os
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

TARGETS = {
    "import_rows": [("rate", 25000, "rows/s")],
    "import_peak_rss": [("value", 400, "MB")],
}
HEADER = [
    "First Name",
    "Last Name",
    "Email",
    "Phone Number",
    "Company Name",
    "Job Title",
    "Street Address",
    "City",
    "Postal Code",
    "State/Region",
    "Country/Region",
    "Lifecycle Stage",
]
FIRST = ["Ana", "Jordi", "Marta", "Pau", "Laura", "Joan", "Núria", "Carlos", "Lucía", "Pere"]
LAST = ["García", "Puig", "Martínez", "Vidal", "López", "Ferrer", "Sánchez", "Soler", "Pérez"]
CITIES = [
    ("Barcelona", "08001", "Barcelona"),
    ("Girona", "17001", "Girona"),
    ("Madrid", "28001", "Madrid"),
]
STAGES = ["subscriber", "lead", "customer", "Lead", "Customer"]


def write_file(path, rows, seed=7):
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            roll = rng.random()
            if roll < 0.05 and n > 100:
                email = f"person{rng.randrange(n)}@example.com"  # a repeat
            elif roll < 0.06:
                email = f"person{n}@example"  # not an address
            else:
                email = f"person{n}@example.com"
            city, postcode, region = CITIES[n % len(CITIES)]
            writer.writerow(
                [
                    rng.choice(FIRST),
                    f"{rng.choice(LAST)} {rng.choice(LAST)}",
                    email,
                    f"+34 6{n % 100_000_000:08d}",
                    f"Empresa {n % 5000}",
                    "Director comercial",
                    f"Carrer Major {n % 300}",
                    city,
                    postcode,
                    region,
                    "Spain",
                    STAGES[n % len(STAGES)],
                ]
            )


def measure(args, db):
    rows = args.contacts
    data = HERE / "data"
    data.mkdir(exist_ok=True)
    path = data / f"import-{rows // 1000}k.csv"
    if not path.exists():
        write_file(path, rows)
    env = dict(os.environ)
    target_dir = data / f"import-{db}"
    target_dir.mkdir(exist_ok=True)
    env["CLIENTELA_DATA_DIR"] = str(target_dir)
    if db == "postgresql":
        env["CLIENTELA_DATABASE_URL"] = _fresh_postgres(env["CLIENTELA_DATABASE_URL"])
    else:
        database = target_dir / "import.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        env["CLIENTELA_DATABASE_URL"] = f"sqlite:///{database}"
    command = [sys.executable, "-m", "clientela.cli"]
    subprocess.run([*command, "manage", "migrate", "--no-input", "-v0"], env=env, check=True)
    started = time.perf_counter()
    child = subprocess.Popen([*command, "import", "contacts", str(path)], env=env)
    # The import's own peak (RUSAGE_CHILDREN would also count every earlier child).
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    errors = {} if code in (0, 1) else {"exit": code}  # 1: the file's bad rows, as planned
    return {
        "import_rows": {
            "rate": round(rows / seconds),
            "rows": rows,
            "seconds": round(seconds, 1),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            "errors": errors,
        },
        "import_peak_rss": {"value": round(usage.ru_maxrss / 1024, 1), "errors": {}},
    }


def _fresh_postgres(url):
    """An empty database beside the bench one (dropped and created again)."""
    import psycopg

    base, _, name = url.rpartition("/")
    target = f"{name}_import"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{target}"')
        connection.execute(f'CREATE DATABASE "{target}"')
    return f"{base}/{target}"


if __name__ == "__main__":
    write_file(sys.argv[1], int(sys.argv[2]))
