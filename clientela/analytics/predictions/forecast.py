"""Monthly sales forecast with prediction intervals: exponential smoothing (ETS with additive
errors, from statsmodels), the trend and the seasonality chosen by AICc among the models the
history can support, and back-tested: refitted at each of the last months of the history to
forecast the month after, which gives its error and how often the actual fell inside the 80 %
interval.

A year of history is needed (``NotEnoughData`` otherwise); seasonality, two years.
"""

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

MIN_MONTHS = 12
SEASONAL_MONTHS = 24
BACKTEST_MONTHS = 6
LEVELS = (80, 95)


class NotEnoughData(ValueError):
    """Too short a history to forecast from."""


@dataclass(frozen=True)
class Month:
    period: str  # "2026-11"
    value: float
    low_80: float
    high_80: float
    low_95: float
    high_95: float


@dataclass(frozen=True)
class Accuracy:
    months: int  # months held out
    mae: float  # mean absolute error
    mape: float | None  # mean absolute percentage error (months with sales), or None
    coverage_80: float  # share of held-out months inside the 80 % interval


@dataclass(frozen=True)
class Forecast:
    model: str  # "trend, seasonal" ...
    months: list
    accuracy: Accuracy | None  # None when the history is too short to hold months out


def forecast(history, horizon=3):
    """``history``: ``[("2025-01", 1200.0), ...]``, one value per month, oldest first, no gap.
    Returns the ``Forecast`` of the next ``horizon`` months."""
    series = _series(history)
    if len(series) < MIN_MONTHS:
        raise NotEnoughData(f"a forecast needs {MIN_MONTHS} months of history")
    fitted, name = _best(series)
    return Forecast(
        model=name,
        months=_months(fitted, len(series), horizon),
        accuracy=_backtest(series),
    )


def _series(history):
    periods = pd.PeriodIndex([period for period, _value in history], freq="M")
    if len(periods) and not (periods == pd.period_range(periods[0], periods=len(periods))).all():
        raise ValueError("one value per month, oldest first, with no month missing")
    return pd.Series([float(value) for _period, value in history], index=periods)


def _candidates(length):
    yield {"trend": None, "seasonal": None}, "level"
    yield {"trend": "add", "damped_trend": True, "seasonal": None}, "trend"
    if length >= SEASONAL_MONTHS:
        yield {"trend": None, "seasonal": "add", "seasonal_periods": 12}, "seasonal"
        yield (
            {"trend": "add", "damped_trend": True, "seasonal": "add", "seasonal_periods": 12},
            "trend, seasonal",
        )


def _best(series):
    best = None
    for settings, name in _candidates(len(series)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter on short or flat series
            fitted = ETSModel(series, error="add", **settings).fit(disp=False)
        if np.isfinite(fitted.aicc) and (best is None or fitted.aicc < best[0].aicc):
            best = (fitted, name)
    return best


def _months(fitted, length, horizon):
    prediction = fitted.get_prediction(start=length, end=length + horizon - 1)
    frames = {level: prediction.summary_frame(alpha=1 - level / 100) for level in LEVELS}
    mean = frames[80]["mean"]
    return [
        Month(
            period=str(period),
            value=max(0.0, float(mean[period])),
            low_80=max(0.0, float(frames[80]["pi_lower"][period])),
            high_80=max(0.0, float(frames[80]["pi_upper"][period])),
            low_95=max(0.0, float(frames[95]["pi_lower"][period])),
            high_95=max(0.0, float(frames[95]["pi_upper"][period])),
        )
        for period in mean.index
    ]


def _backtest(series):
    """One-month-ahead forecasts of the last months, each from the months before it."""
    held = min(BACKTEST_MONTHS, len(series) - MIN_MONTHS)
    if held < 1:
        return None
    errors, percentages, inside = [], [], 0
    for cut in range(len(series) - held, len(series)):
        fitted, _name = _best(series.iloc[:cut])
        (month,) = _months(fitted, cut, 1)
        actual = float(series.iloc[cut])
        errors.append(abs(actual - month.value))
        if actual:
            percentages.append(abs(actual - month.value) / abs(actual))
        inside += month.low_80 <= actual <= month.high_80
    return Accuracy(
        months=held,
        mae=float(np.mean(errors)),
        mape=float(np.mean(percentages)) if percentages else None,
        coverage_80=inside / held,
    )
