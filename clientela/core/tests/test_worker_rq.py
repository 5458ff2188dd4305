"""The RQ path of background work, against the real Redis server: with ``CLIENTELA_REDIS_URL``
set, a task enqueued by one process is run by ``clientela worker --burst`` in another."""

import os
import socket
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from django.conf import settings

REDIS_URL = os.environ.get("CLIENTELA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="runs the worker on its own SQLite file",
)


def _redis_is_up():
    url = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((url.hostname, url.port or 6379), timeout=2):
            return True
    except OSError:
        return False


def _clientela(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTELA_")}
    env.update(
        CLIENTELA_DATA_DIR=str(tmp_path), CLIENTELA_REDIS_URL=REDIS_URL, CLIENTELA_LOG_LEVEL="ERROR"
    )
    done = subprocess.run(
        [sys.executable, "-m", "clientela.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def _shell(tmp_path, code):
    return _clientela(tmp_path, "manage", "shell", "-c", code)


def test_a_task_enqueued_on_redis_is_run_by_the_worker(tmp_path):
    if not _redis_is_up():
        pytest.skip(f"no Redis server at {REDIS_URL}")
    _clientela(tmp_path, "manage", "migrate", "--no-input", "-v", "0")
    _shell(tmp_path, "import django_rq; django_rq.get_queue('default').empty()")
    task_id = _shell(
        tmp_path, "from clientela.core import jobs; print(jobs.purge_trash.enqueue().id)"
    )

    status_before = _shell(
        tmp_path,
        f"from clientela.core import jobs; print(jobs.purge_trash.get_result({task_id!r}).status)",
    )
    _clientela(tmp_path, "worker", "--burst")
    after = _shell(
        tmp_path,
        "from clientela.core import jobs; from clientela.core.models import WorkerHeartbeat; "
        f"r = jobs.purge_trash.get_result({task_id!r}); "
        "print(r.status, r.return_value, list(WorkerHeartbeat.objects.values_list('backend', "
        "flat=True)))",
    )

    assert status_before == "READY"
    assert after == (
        "SUCCESSFUL {'contacts.Contact': 0, 'contacts.Company': 0, 'activities.Activity': 0} ['rq']"
    )
