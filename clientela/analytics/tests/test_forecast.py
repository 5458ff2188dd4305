"""The monthly sales forecast: trend and seasonality found, intervals that widen with the
horizon and hold the truth, a back-test, and a clear "not enough data"."""

import math

import numpy as np
import pytest

from clientela.analytics.predictions import forecast


def months(values, start=(2023, 1)):
    year, month = start
    history = []
    for value in values:
        history.append((f"{year}-{month:02d}", value))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return history


def test_a_growing_business_is_forecast_along_its_trend():
    rng = np.random.default_rng(7)
    values = [1000 + 50 * n + rng.normal(0, 20) for n in range(24)]

    result = forecast.forecast(months(values), horizon=3)

    assert [m.period for m in result.months] == ["2025-01", "2025-02", "2025-03"]
    for step, month in enumerate(result.months):
        truth = 1000 + 50 * (24 + step)
        assert month.low_95 <= month.low_80 <= month.value <= month.high_80 <= month.high_95
        assert month.low_95 <= truth <= month.high_95
        assert month.value == pytest.approx(truth, rel=0.05)
    widths = [m.high_80 - m.low_80 for m in result.months]
    assert widths == sorted(widths)  # less sure further out
    assert "trend" in result.model
    assert result.accuracy.months == 6
    assert result.accuracy.mape < 0.05


def test_seasonal_sales_are_forecast_with_their_season():
    rng = np.random.default_rng(3)
    season = [math.sin(2 * math.pi * n / 12) for n in range(48)]
    values = [2000 + 600 * s + rng.normal(0, 30) for s in season]

    result = forecast.forecast(months(values), horizon=12)

    assert "seasonal" in result.model
    predicted = [m.value for m in result.months]
    expected = [2000 + 600 * math.sin(2 * math.pi * n / 12) for n in range(48, 60)]
    assert np.corrcoef(predicted, expected)[0, 1] > 0.95
    assert result.accuracy.coverage_80 >= 0.5


def test_flat_and_empty_months_never_forecast_below_zero():
    values = [0, 0, 5, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 2]
    result = forecast.forecast(months(values), horizon=2)
    for month in result.months:
        assert month.low_95 >= 0 and month.value >= 0
    assert result.accuracy.months == 2


def test_a_short_history_is_not_enough():
    with pytest.raises(forecast.NotEnoughData):
        forecast.forecast(months([100] * 11))
    one_year = forecast.forecast(months([100 + n for n in range(12)]), horizon=1)
    assert one_year.accuracy is None  # nothing left to hold out


def test_gaps_in_the_history_are_refused():
    history = months([100] * 14)
    del history[5]
    with pytest.raises(ValueError, match="no month missing"):
        forecast.forecast(history)
