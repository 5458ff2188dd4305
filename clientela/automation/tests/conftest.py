"""Fixtures of the webhook tests: a real HTTP receiver on 127.0.0.1 (private addresses allowed
for it), a way to run the delivery jobs a test enqueued, and a resolver the SSRF tests control."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from clientela.automation import jobs
from clientela.automation.outgoing import guard
from clientela.automation.services import interest


@pytest.fixture(autouse=True)
def _fresh_interest():
    """Each test starts from what its own database says about webhooks."""
    interest._forget()
    yield
    interest._forget()


class Request:
    def __init__(self, path, headers, body):
        self.path, self.headers, self.body = path, headers, body


class Receiver:
    """What the receiver got, and how it answers: ``answers`` is a list of ``(status, body)``
    or callables taking the handler, used in order (the last one repeats); ``delay`` seconds
    before answering."""

    def __init__(self, server):
        self.server = server
        self.requests = []
        self.answers = [(200, b"ok")]
        self.delay = 0.0
        self.lock = threading.Lock()

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/clientela?x=1"

    def next_answer(self):
        with self.lock:
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        receiver = self.server.receiver
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        with receiver.lock:
            receiver.requests.append(Request(self.path, dict(self.headers), body))
        if receiver.delay:
            time.sleep(receiver.delay)
        answer = receiver.next_answer()
        if callable(answer):
            answer(self)
            return
        status, content = answer
        try:
            self.send_response(status)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
        except OSError:
            pass  # the client gave up first (timeouts)

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.receiver = Receiver(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def resolver(monkeypatch):
    """``resolver["shop.example"] = ["203.0.113.7"]``: what host names resolve to (nothing
    else resolves)."""
    table = {}
    monkeypatch.setattr(guard, "resolve", lambda host, port: list(table.get(host, [])))
    return table


def run_jobs():
    """Run the delivery jobs enqueued so far, each once, as the worker would; returns their
    results in order."""
    from django_tasks_db.models import DBTaskResult

    results = []
    path = jobs.deliver_webhook.module_path
    for row in DBTaskResult.objects.filter(task_path=path).order_by("enqueued_at", "id"):
        results.append(jobs.deliver_webhook.call(*row.args_kwargs["args"]))
        row.delete()
    return results


# --- workflow rules -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_workflow_rules():
    """Each test starts from what its own database says about workflow rules."""
    from clientela.automation.workflows import cache

    cache._forget()
    yield
    cache._forget()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs what waits for the commit (events, job enqueues)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def run_workflows(committed):
    """Run the workflow jobs enqueued so far, and those their changes enqueue, as the worker
    would (each after the commit of the one before); returns their results in order."""

    def run(limit=50):
        from django_tasks_db.models import DBTaskResult

        results = []
        path = jobs.run_workflows.module_path
        for _round in range(limit):
            row = DBTaskResult.objects.filter(task_path=path).order_by("enqueued_at", "id").first()
            if row is None:
                return results
            row.delete()
            with committed():
                results.extend(jobs.run_workflows.call(*row.args_kwargs["args"]))
        raise AssertionError("workflow jobs never stopped")

    return run
