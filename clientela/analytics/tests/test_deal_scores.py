"""Lead scoring from the business's own won and lost deals: open deals scored with their
factors; "not enough data" until there is a history."""

import pytest

from clientela.analytics.models import DealScore, PredictionRun
from clientela.analytics.services import leads
from clientela.sales.models import Pipeline
from clientela.sales.services import deals

pytestmark = pytest.mark.django_db


def stages():
    pipeline = Pipeline.objects.order_by("-is_default", "id").first()
    by_kind = {s.kind: s for s in pipeline.stages.order_by("-position")}
    return pipeline, by_kind


def deal(actor, name, source, kind=None):
    pipeline, by_kind = stages()
    fields = {"stage": by_kind[kind]} if kind else {}
    return deals.create_deal(
        actor=actor, name=name, source=source, amount="1000", pipeline=pipeline, **fields
    )


def test_open_deals_are_scored_from_the_closed_ones(admin_user):
    for n in range(80):
        referral = n % 2 == 0
        won = (n // 2) % 10 < (8 if referral else 2)  # referrals 80 % won, social 20 %
        deal(admin_user, f"D{n}", "referral" if referral else "social", "won" if won else "lost")
    hopeful = deal(admin_user, "Hopeful", "referral")
    doubtful = deal(admin_user, "Doubtful", "social")

    run = leads.retrain()

    assert run.status == "ready" and run.trained_on == 80
    assert 0.5 <= run.accuracy["held_out_auc"] <= 1.0
    scores = {s.deal_id: s for s in DealScore.objects.all()}
    assert set(scores) == {hopeful.pk, doubtful.pk}  # only the open deals
    assert scores[hopeful.pk].probability > 0.6 > 0.4 > scores[doubtful.pk].probability
    assert scores[hopeful.pk].factors[0]["feature"].startswith("source=")
    leads.retrain()
    assert DealScore.objects.count() == 2 and PredictionRun.objects.count() == 2


def test_a_short_history_is_not_enough(admin_user):
    for n in range(10):
        deal(admin_user, f"D{n}", "social", "won" if n % 2 else "lost")
    deal(admin_user, "Open", "social")

    run = leads.retrain()

    assert run.status == "not_enough" and run.trained_on == 10
    assert "needs 50 outcomes" in run.message
    assert not DealScore.objects.exists()
