from datetime import timedelta

from django.utils import timezone

from clientela.core.models import WorkerHeartbeat


def _health(client):
    response = client.get("/health/")
    return response.status_code, response.json()


def test_health_without_heartbeat_reports_no_worker(client, db):
    status, body = _health(client)

    assert status == 200
    assert (body["status"], body["database"], body["worker"]) == ("ok", "ok", "none")


def test_health_with_fresh_heartbeat_reports_worker_ok(client, db):
    WorkerHeartbeat.objects.create(worker_id="w", backend="database", last_seen=timezone.now())

    assert _health(client)[1]["worker"] == "ok"


def test_health_with_old_heartbeat_reports_worker_stale(client, db):
    WorkerHeartbeat.objects.create(
        worker_id="w", backend="database", last_seen=timezone.now() - timedelta(minutes=5)
    )

    status, body = _health(client)
    assert (status, body["worker"]) == (200, "stale")
