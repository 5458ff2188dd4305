from django.db import models


class WorkerHeartbeat(models.Model):
    """Written by each background worker every few seconds; read by ``/health/``."""

    worker_id = models.CharField(max_length=64, unique=True)
    backend = models.CharField(max_length=40)
    last_seen = models.DateTimeField()

    def __str__(self):
        return self.worker_id


class Flag(models.Model):
    """A one-off fact about this installation (e.g. demo data loaded)."""

    name = models.CharField(max_length=50, unique=True)
    value = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.name
