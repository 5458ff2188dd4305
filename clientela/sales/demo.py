"""The sales part of the demo: the SME's pipelines in Spanish, a year and a half of deals won,
lost and still open with the customers of the contacts demo, exchange rates and this year's
quotas. Deterministic (seeded).

Deals go through ``sales.services`` (history, stage moves, lifecycle, base amounts); only their
dates are then set in the past, as a real year of selling would have left them.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clientela.contacts.models import Company, Contact
from clientela.core.models import Flag, User

from . import services
from .choices import ForecastCategory, StageKind
from .models import Deal, DealStageChange, LostReason, Pipeline

FLAG = "demo_sales_loaded"
SEED = 2026
REPS = ("jordi.ferrer", "lucia.moreno", "pablo.navarro")
NEW_BUSINESS = [
    ("Cualificación", 10, "open"),
    ("Análisis de necesidades", 25, "open"),
    ("Propuesta", 50, "open"),
    ("Negociación", 75, "open"),
    ("Ganado", 100, "won"),
    ("Perdido", 0, "lost"),
]
RENEWALS = [
    ("Aviso de renovación", 60, "open"),
    ("Renovado", 100, "won"),
    ("No renovado", 0, "lost"),
]
LOST_REASONS = ["Precio", "Eligió a la competencia", "Sin presupuesto", "Sin decisión", "Plazos"]
OFFERS = [
    ("Implantación", 4000, 25000),
    ("Suministro anual", 1500, 12000),
    ("Ampliación de licencias", 800, 6000),
    ("Proyecto piloto", 2000, 9000),
    ("Mantenimiento", 600, 3500),
    ("Formación del equipo", 900, 4000),
]


def is_loaded():
    return Flag.objects.filter(name=FLAG).exists()


@transaction.atomic
def load_demo(*, deals=600, seed=SEED):
    """Pipelines, deals and quotas for the demo users and companies; returns the count."""
    if is_loaded():
        return 0
    rng = random.Random(seed)
    actor = User.objects.get(username="marta.puig")
    reps = list(User.objects.filter(username__in=REPS).order_by("username"))
    Pipeline.objects.filter(deals__isnull=True).delete()  # the starter pipeline, still unused
    new_business = services.create_pipeline(
        actor=actor, name="Nuevo negocio", stages=NEW_BUSINESS, is_default=True
    )
    services.create_pipeline(actor=actor, name="Renovaciones", stages=RENEWALS)
    LostReason.objects.all().delete()
    reasons = [services.save_lost_reason(actor=actor, name=name) for name in LOST_REASONS]
    today = timezone.localdate()
    for currency, rate in (("USD", "0.92"), ("GBP", "1.17")):
        services.set_exchange_rate(
            actor=actor, currency=currency, valid_from=date(today.year - 2, 1, 1), rate=rate
        )
    stages = {s.name: s for s in new_business.stages.all()}
    open_stages = [s for s in stages.values() if s.kind == StageKind.OPEN]
    companies = list(Company.objects.filter(owner__in=reps).order_by("id"))
    people = {}
    for contact in Contact.objects.filter(company__in=companies).order_by("id"):
        people.setdefault(contact.company_id, []).append(contact)

    for _ in range(deals):
        company = rng.choice(companies)
        title, low, high = rng.choice(OFFERS)
        created = today - timedelta(days=rng.randint(5, 540))
        closes = created + timedelta(days=rng.randint(20, 120))
        still_open = closes >= today - timedelta(days=10)
        if still_open:  # deals from the last months are still being worked on
            closes = today + timedelta(days=rng.randint(3, 150))
        deal = services.create_deal(
            actor=company.owner,
            name=f"{title} · {company.name}",
            company=company,
            contacts=[(c, "decision_maker") for c in people.get(company.pk, [])[:1]],
            amount=Decimal(rng.randrange(low, high, 50)),
            currency="USD" if rng.random() < 0.04 else "EUR",
            expected_close_date=closes,
            owner=company.owner,
            team=company.team,
            source=rng.choice(["web_form", "referral", "event", "phone", "email"]),
            forecast_category=rng.choice(
                [ForecastCategory.PIPELINE, ForecastCategory.BEST_CASE, ForecastCategory.COMMIT]
            ),
        )
        if still_open:
            stage = rng.choice(open_stages)
            lost_reason = None
        else:
            won = rng.random() < 0.55
            stage = stages["Ganado" if won else "Perdido"]
            lost_reason = None if won else rng.choice(reasons)
        if stage != deal.stage:
            deal = services.move_deal(deal, stage, actor=company.owner, lost_reason=lost_reason)
        _backdate(deal, created, None if still_open else closes)

    for rep in reps:
        for month in range(1, 13):
            services.set_quota(
                actor=actor, user=rep, month=date(today.year, month, 1), amount=Decimal(30000)
            )
    Flag.objects.update_or_create(name=FLAG, defaults={"value": {"deals": deals, "seed": seed}})
    return deals


def _backdate(deal, created, closed):
    """Demo only: put the deal's dates where a year of selling would have left them."""
    start = _midday(created)
    end = _midday(closed) if closed else None
    Deal.all_objects.filter(pk=deal.pk).update(
        created_at=start, closed_at=end, stage_entered_at=end or start
    )
    DealStageChange.objects.filter(deal=deal).update(changed_at=end or start)


def _midday(day):
    return timezone.make_aware(datetime.combine(day, time(12)))
