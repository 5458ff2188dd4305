"""BG/NBD and Gamma-Gamma against the published estimates on the CDNOW sample (2,357 customers,
39 weeks): Fader, Hardie and Lee (2005), "Counting your customers the easy way" (r = 0.243,
alpha = 4.414, a = 0.793, b = 2.426, log-likelihood -9,582.4) and "RFM and CLV: using iso-value
curves" (p = 6.25, q = 3.74, gamma = 15.44). The data is the copy the Lifetimes package ships
(read as a file: its code is not used)."""

import csv
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from clientela.analytics.predictions import btyd


def cdnow():
    """``(x, t_x, T, m)`` of the 2,357 customers (weeks; ``m``: average repeat purchase)."""
    spec = importlib.util.find_spec("lifetimes")
    folder = Path(next(iter(spec.submodule_search_locations))) / "datasets"
    with open(folder / "cdnow_customers_summary_with_transactions.csv") as data:
        rows = list(csv.DictReader(data))
    return tuple(np.array([float(row[k]) for row in rows]) for k in ("x", "t_x", "T", "zbar"))


@pytest.fixture(scope="module")
def data():
    return cdnow()


@pytest.fixture(scope="module")
def model(data):
    x, t_x, T, _m = data
    return btyd.fit_bgnbd(x, t_x, T)


def test_bgnbd_matches_the_published_estimates(data, model):
    assert len(data[0]) == 2357
    assert model.r == pytest.approx(0.243, abs=0.001)
    assert model.alpha == pytest.approx(4.414, abs=0.005)
    assert model.a == pytest.approx(0.793, abs=0.002)
    assert model.b == pytest.approx(2.426, abs=0.005)
    assert model.log_likelihood == pytest.approx(-9582.4, abs=0.1)


def test_gamma_gamma_matches_the_published_estimates(data):
    x, _t_x, _T, m = data
    spend = btyd.fit_gamma_gamma(x, m)
    assert (x > 0).sum() == 946
    assert spend.p == pytest.approx(6.25, abs=0.01)
    assert spend.q == pytest.approx(3.74, abs=0.01)
    assert spend.gamma == pytest.approx(15.44, abs=0.02)
    # The paper's population mean of a purchase, p * gamma / (q - 1): $35.2.
    assert spend.population_mean == pytest.approx(35.2, abs=0.1)


def test_what_the_model_says_of_customers(model):
    # Never bought again: alive until proven otherwise (one drops out only after a purchase).
    assert model.p_alive(0, 0, 38.86) == pytest.approx(1.0)
    # The same purchases, the last one long ago: less likely alive, fewer purchases to come.
    recent, long_ago = model.p_alive([5, 5], [38, 5], [38.86, 38.86])
    assert recent > 0.8 > 0.5 > long_ago
    soon = model.expected_purchases(39, [5, 5], [38, 5], [38.86, 38.86])
    assert soon[0] > soon[1] > 0
    # The unconditional and the conditional expectation agree for a brand-new customer.
    assert model.expected_purchases(39, 0, 0, 0) == pytest.approx(model.expected_purchases_new(39))


def test_expected_purchases_add_up_to_what_the_calibration_shows(data, model):
    """Summed over everyone's time in the calibration period, the model's expected repeat
    purchases are close to those made (the paper's Figure 2: the fit tracks the data)."""
    x, _t_x, T, _m = data
    expected = sum(model.expected_purchases_new(t) for t in T)
    assert expected == pytest.approx(x.sum(), rel=0.05)


def test_lifetime_value_is_discounted_and_grows_with_value(data, model):
    x, t_x, T, m = data
    spend = btyd.fit_gamma_gamma(x, m)
    args = dict(periods=12, period_length=4.35, discount_rate=0.01)
    worth = spend.expected_value([5, 5], [20, 40])
    values = btyd.lifetime_value(model, [5, 5], [38, 38], [38.86, 38.86], worth, **args)
    assert 0 < values[0] < values[1]
    undiscounted = btyd.lifetime_value(
        model, [5], [38], [38.86], worth[:1], **{**args, "discount_rate": 0.0}
    )
    assert undiscounted[0] > values[0]


@pytest.mark.parametrize(
    ("x", "t_x", "T"),
    [
        ([1] * 5, [1] * 5, [2] * 5),  # too few customers
        ([0] * 50, [0] * 50, [10] * 50),  # nobody bought twice
    ],
)
def test_not_enough_data_is_said(x, t_x, T):
    with pytest.raises(btyd.NotEnoughData):
        btyd.fit_bgnbd(x, t_x, T)


def test_impossible_histories_are_refused():
    with pytest.raises(ValueError, match="t_x <= T"):
        btyd.fit_bgnbd([1] * 30, [5] * 30, [4] * 30)
