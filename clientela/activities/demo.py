"""The activities of the demo: calls, e-mails and notes along the demo deals, and each
salesperson's tasks and meetings around today (some overdue), so timelines, My day and the
calendar have something to show. Deterministic (seeded); written through ``activities.services``.
"""

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from clientela.core.models import Flag, User
from clientela.sales.demo import REPS
from clientela.sales.models import Deal

from . import services
from .choices import ActivityKind
from .models import Activity

FLAG = "demo_activities_loaded"
SEED = 2027
ALONG_A_DEAL = [
    (ActivityKind.CALL, "Llamada de descubrimiento", {"direction": "out", "outcome": "connected"}),
    (ActivityKind.EMAIL, "Propuesta enviada", {"direction": "out"}),
    (ActivityKind.NOTE, "Necesitan la instalación antes de verano", {}),
    (
        ActivityKind.CALL,
        "Seguimiento de la propuesta",
        {"direction": "out", "outcome": "voicemail"},
    ),
    (ActivityKind.EMAIL, "Re: condiciones de pago", {"direction": "in"}),
]
TASKS = [
    "Enviar presupuesto revisado",
    "Llamar para cerrar fecha",
    "Preparar demo",
    "Revisar contrato",
]
MEETINGS = ["Reunión de seguimiento", "Demo del producto", "Visita a las instalaciones"]


def is_loaded():
    return Flag.objects.filter(name=FLAG).exists()


@transaction.atomic
def load_demo(*, seed=SEED):
    """Activities for the demo deals and salespeople; returns how many were logged."""
    if is_loaded():
        return 0
    rng = random.Random(seed)
    now = timezone.now()
    count = 0
    deals = Deal.objects.select_related("owner").prefetch_related("contact_links")
    for deal in deals.order_by("id"):
        contact = next(iter(deal.contact_links.all()), None)
        start = deal.created_at
        end = min(now, deal.closed_at or now)
        for kind, subject, extra in rng.sample(ALONG_A_DEAL, k=rng.randint(1, 3)):
            when = start + (end - start) * rng.random()
            if kind == ActivityKind.CALL:
                extra = {**extra, "duration_seconds": rng.randint(60, 1500)}
            services.log_activity(
                actor=deal.owner,
                kind=kind,
                subject=subject,
                timeline_at=when,
                deal=deal,
                contact=contact.contact if contact else None,
                **extra,
            )
            count += 1
    today = timezone.localdate()
    for rep in User.objects.filter(username__in=REPS).order_by("username"):
        open_deals = list(
            Deal.objects.filter(owner=rep, status="open").select_related("company").order_by("id")
        )[:8]
        for n, deal in enumerate(open_deals):
            # Two overdue, three due today, the rest later this week.
            due_day = today + timedelta(days=n - 2 if n < 2 else 0 if n < 5 else n - 4)
            _task(rep, deal, rng.choice(TASKS), _at(due_day, 9 + n))
            count += 1
        for n, deal in enumerate(open_deals[:3]):
            begins = _at(today + timedelta(days=n), 10 + 2 * n)
            services.log_activity(
                actor=rep,
                kind=ActivityKind.MEETING,
                subject=rng.choice(MEETINGS),
                deal=deal,
                starts_at=begins,
                ends_at=begins + timedelta(hours=1),
                place=deal.company.city if deal.company_id else "",
            )
            count += 1
    Flag.objects.update_or_create(name=FLAG, defaults={"value": {"activities": count}})
    return count


def _at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _task(rep, deal, subject, due):
    """A task for ``rep``; one already overdue is made as if it had been set three days
    earlier (demo only: the service refuses a task due before it is created)."""
    overdue = due <= timezone.now()
    task = services.log_activity(
        actor=rep,
        kind=ActivityKind.TASK,
        subject=subject,
        deal=deal,
        due_at=timezone.now() + timedelta(minutes=5) if overdue else due,
    )
    if overdue:
        Activity.all_objects.filter(pk=task.pk).update(
            due_at=due, timeline_at=due, created_at=due - timedelta(days=3)
        )
    return task
