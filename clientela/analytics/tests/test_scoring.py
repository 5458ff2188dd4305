"""Scores learnt from won and lost outcomes: what matters is found, each score says why, held-out
accuracy is reported, and too little data is said."""

import numpy as np
import pytest

from clientela.analytics.predictions import scoring


def history(n=600, seed=1):
    """Deals: referrals mostly won, ads mostly lost, big amounts a little less often won; the
    region says nothing."""
    rng = np.random.default_rng(seed)
    rows, won = [], []
    for _ in range(n):
        source = rng.choice(["referral", "ad", "web_form"])
        amount = float(rng.integers(100, 10_000))
        chance = {"referral": 0.8, "ad": 0.2, "web_form": 0.5}[source] - amount / 50_000
        rows.append({"source": source, "amount": amount, "region": rng.choice(["CT", "MD"])})
        won.append(rng.random() < chance)
    return rows, won


def test_what_matters_is_learnt_and_each_score_says_why():
    rows, won = history()
    model = scoring.train(rows, won)

    assert model.auc > 0.7 and model.accuracy > 0.6 and model.trained_on == 600
    referral, ad = model.score(
        [
            {"source": "referral", "amount": 1000.0, "region": "CT"},
            {"source": "ad", "amount": 1000.0, "region": "CT"},
        ]
    )
    assert referral.probability > 0.6 > 0.3 > ad.probability
    assert referral.factors[0].feature.startswith("source=")
    assert any(f.feature == "source=ad" and f.effect < 0 for f in ad.factors)
    assert len(referral.factors) <= scoring.FACTORS


def test_missing_and_unseen_values_are_scored():
    rows, won = history()
    rows[0] = {"source": None, "amount": None, "region": ""}
    model = scoring.train(rows, won)
    (score,) = model.score([{"source": "trade_fair", "amount": 500, "region": None}])
    assert 0.0 < score.probability < 1.0


@pytest.mark.parametrize(
    "won",
    [
        [True, False] * 20,  # too few outcomes
        [True] * 95 + [False] * 5,  # too few of one kind
        [False] * 100,
    ],
)
def test_not_enough_data_is_said(won):
    rows = [{"source": "ad", "amount": 1.0}] * len(won)
    with pytest.raises(scoring.NotEnoughData):
        scoring.train(rows, won)
