from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from clientela.core.models import WorkerHeartbeat

WORKER_STALE_AFTER = timedelta(seconds=60)


@require_GET
def health(request):
    """For load balancers: 200 when the database answers, 503 otherwise; worker status shown."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # any database failure means "unhealthy", whatever its class
        database = "unavailable"
    worker = "unknown"
    if database == "ok":
        last = (
            WorkerHeartbeat.objects.order_by("-last_seen")
            .values_list("last_seen", flat=True)
            .first()
        )
        if last is None:
            worker = "none"
        else:
            worker = "ok" if timezone.now() - last < WORKER_STALE_AFTER else "stale"
    status = 200 if database == "ok" else 503
    return JsonResponse(
        {
            "status": "ok" if status == 200 else "error",
            "database": database,
            "database_engine": connection.vendor,
            "worker": worker,
            "tasks_backend": settings.TASKS["default"]["BACKEND"],
        },
        status=status,
    )
