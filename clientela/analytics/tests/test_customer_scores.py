"""Customers' RFM scores, segments and predictions from their purchases, against hand-computed
expectations; "not enough data" when the models cannot be fitted."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from clientela.analytics.models import CustomerScore, PredictionRun
from clientela.analytics.services import customers
from clientela.contacts import services as contact_services
from clientela.sales.services import purchases

pytestmark = pytest.mark.django_db


def buyer(actor, name, bought, now):
    """A contact with a completed purchase of each ``(days ago, amount)``."""
    contact = contact_services.create_contact(actor=actor, first_name=name)
    for days, amount in bought:
        purchases.record_purchase(
            actor=actor,
            contact=contact,
            total_amount=str(amount),
            purchased_at=now - timedelta(days=days),
        )
    return contact


def test_rfm_segments_of_five_customers_and_not_enough_data_for_the_models(admin_user):
    now = timezone.now()
    people = {
        "A": [(100, 300), (50, 300), (2, 300)],  # 3 purchases, 2 days ago, 900
        "B": [(10, 50)],
        "C": [(90, 150), (40, 150)],
        "D": [(300, 350), (200, 350)],
        "E": [(400, 20)],
    }
    made = {name: buyer(admin_user, name, bought, now) for name, bought in people.items()}
    contact_services.create_contact(actor=admin_user, first_name="Never bought")

    run = customers.retrain(now)

    scores = {
        s.contact.first_name: (s.recency, s.frequency, s.monetary, s.segment)
        for s in CustomerScore.objects.select_related("contact")
    }
    # recency by days since the last purchase; frequency [3,1,2,2,1] -> 5,2,4,4,2 (ties share
    # their average rank); money [900,50,300,700,20] -> 5,2,3,4,1
    assert scores == {
        "A": (5, 5, 5, "champions"),
        "B": (4, 2, 2, "potential"),
        "C": (3, 4, 3, "loyal"),
        "D": (2, 4, 4, "at_risk"),
        "E": (1, 2, 1, "lost"),
    }
    assert run.status == "not_enough" and run.trained_on == 5
    assert "needs customers" in run.message
    assert CustomerScore.objects.get(contact=made["A"]).p_alive is None


def test_predictions_and_their_held_out_accuracy(admin_user):
    now = timezone.now()
    rng = np.random.default_rng(5)
    for n in range(30):
        gap = 20 + n * 3
        stopped = 0 if n % 2 else 150  # half of them stopped buying 150 days ago
        usual = rng.gamma(6.0, 8.0)  # what this customer tends to spend
        bought = [
            (days, round(rng.gamma(4.0, usual / 4.0), 2)) for days in range(360, stopped, -gap)
        ]
        buyer(admin_user, f"P{n}", bought, now)

    run = customers.retrain(now)

    assert run.status == "ready" and run.trained_on == 30
    assert set(run.parameters) == {"bgnbd", "gamma_gamma"}
    assert run.accuracy["held_out_days"] == 90 and run.accuracy["customers"] == 30
    active = CustomerScore.objects.get(contact__first_name="P1")
    gone = CustomerScore.objects.get(contact__first_name="P0")
    assert 0 <= gone.p_alive < active.p_alive <= 1
    assert active.expected_purchases > gone.expected_purchases
    assert active.lifetime_value > 0 and active.expected_value > 0
    assert PredictionRun.objects.count() == 1
    customers.retrain(now)  # again: the scores are replaced, not added
    assert CustomerScore.objects.count() == 30
