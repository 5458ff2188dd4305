"""``clientela serve`` as a real process: migrate, first-start admin, web server, worker child."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="starts a server on its own SQLite file",
)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _health(port, timeout=150, want=None):
    """Poll /health/ until it answers (and ``want(body)`` holds); return the body. A first
    start migrates a new database (some 40 s of CPU on SQLite), slower still on a busy
    machine."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as reply:
                body = json.load(reply)
            if want is None or want(body):
                return body
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not become healthy in time")


def _children(pid):
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _serve(tmp_path, name, *extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTELA_")}
    env["CLIENTELA_DATA_DIR"] = str(tmp_path / "data")
    port = _free_port()
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed by the caller)
    process = subprocess.Popen(
        [sys.executable, "-m", "clientela.cli", "serve", "--port", str(port), *extra],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    return process, port, log


def _stop(process, log):
    process.terminate()
    try:
        assert process.wait(timeout=20) == 0
    finally:
        log.close()


def test_serve_answers_health_and_prints_the_admin_password_only_once(tmp_path):
    process, port, log = _serve(tmp_path, "first", "--no-worker")
    try:
        body = _health(port)
        assert (body["status"], body["database"], body["worker"]) == ("ok", "ok", "none")
    finally:
        _stop(process, log)
    first = (tmp_path / "first.log").read_text()
    assert first.count("password: ") == 1
    assert f"http://127.0.0.1:{port}/" in first

    process, port, log = _serve(tmp_path, "second")
    try:
        assert _health(port, want=lambda b: b["worker"] == "ok")["worker"] == "ok"
        workers = _children(process.pid)
        assert len(workers) == 1
    finally:
        _stop(process, log)
    assert "password" not in (tmp_path / "second.log").read_text()
    assert not Path(f"/proc/{workers[0]}").exists()  # serve stopped and reaped it
