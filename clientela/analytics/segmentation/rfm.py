"""RFM: customers scored 1–5 on recency (how lately they bought), frequency (how often) and
monetary value (how much), each score a quintile of the customers who bought, and named by
their recency and frequency scores (champions, loyal, at risk, hibernating, lost...).

Scores rank customers against each other: equal values get equal scores (the quintile of their
average rank), and the most recent, most frequent, biggest spenders get 5.
"""

from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _

SEGMENTS = {
    "champions": _("Champions"),
    "loyal": _("Loyal customers"),
    "potential": _("Potential loyalists"),
    "new": _("New customers"),
    "promising": _("Promising"),
    "attention": _("Need attention"),
    "about_to_sleep": _("About to sleep"),
    "at_risk": _("At risk"),
    "cant_lose": _("Cannot lose them"),
    "hibernating": _("Hibernating"),
    "lost": _("Lost"),
}
# The segment of each (recency, frequency) pair: rows are recency 5 (bought lately) down to 1,
# columns frequency 1 (once) to 5 (most often).
GRID = {
    5: ("new", "potential", "potential", "champions", "champions"),
    4: ("promising", "potential", "potential", "champions", "champions"),
    3: ("about_to_sleep", "about_to_sleep", "attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    1: ("lost", "lost", "hibernating", "at_risk", "cant_lose"),
}


@dataclass(frozen=True)
class Scores:
    recency: np.ndarray
    frequency: np.ndarray
    monetary: np.ndarray

    @property
    def segments(self):
        """The segment key of each customer."""
        return [GRID[r][f - 1] for r, f in zip(self.recency, self.frequency, strict=True)]


def quintiles(values):
    """1–5 for each value: the quintile of its average rank among ``values`` (higher values
    score higher; equal values score the same)."""
    values = np.asarray(values, dtype=float)
    if not len(values):
        return np.array([], dtype=int)
    from scipy.stats import rankdata  # SciPy's statistics load in a second: not on start

    ranks = rankdata(values, method="average")
    return np.clip(np.ceil(ranks * 5 / len(values)), 1, 5).astype(int)


def score(days_since_last, purchases, spent):
    """RFM scores of customers who bought: days since their last purchase (fewer is better),
    their number of purchases and the total they spent."""
    days = np.asarray(days_since_last, dtype=float)
    return Scores(
        recency=quintiles(-days),
        frequency=quintiles(purchases),
        monetary=quintiles(spent),
    )
