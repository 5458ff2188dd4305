"""Behavioural clusters of customers, each named and described in plain words for the people who
sell and market to them.

RFM (``rfm.py``) sorts customers into fixed boxes; clustering finds the groups a business
actually has (a few regulars who spend a lot, many who bought once long ago...) and describes
each by its typical customer (the medians) and by what sets it apart from the rest (its traits).

Counts, amounts and day counts are skewed (a few customers buy far more, or far longer ago, than
the rest), so they are compared on a log scale, where 10 against 100 weighs like 100 against
1,000; then standardised, so that no feature counts for more because of its unit (euros against
days). k-means is fitted for each number of clusters and the best-separated split (the highest
silhouette) is kept; the silhouette compares every pair of customers, so on a large population
it is measured on a random sample.
"""

from dataclasses import dataclass

import numpy as np
from django.utils.formats import number_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

FEATURES = ("recency_days", "frequency", "monetary", "tenure_days", "interactions_90d")
MIN_ROWS = 30
# Above this, ten full k-means runs over every row take too long; mini-batches do not.
MINI_BATCH_ABOVE = 50_000
MINI_BATCH_ROWS = 100_000
# A trait: a cluster's median at least this many standard deviations (on the log scale) from
# the population's. Less is noise a user should not be told about.
TRAIT_Z = 0.5
MAX_TRAITS = 3

# The name of a cluster: the first whose traits it all has. Pairs come first, being the more
# specific; lapsed regulars before big spenders, as the ones not to lose.
NAMES = (
    ({"recency_days": "high", "frequency": "high"}, gettext_noop("Lapsed regulars")),
    ({"frequency": "high", "monetary": "high"}, gettext_noop("Frequent big spenders")),
    ({"recency_days": "low", "frequency": "high"}, gettext_noop("Active regulars")),
    ({"recency_days": "high", "frequency": "low"}, gettext_noop("Lapsed one-off buyers")),
    ({"tenure_days": "low"}, gettext_noop("New customers")),
    ({"monetary": "high"}, gettext_noop("Big spenders")),
    ({"frequency": "high"}, gettext_noop("Frequent buyers")),
    ({"recency_days": "high"}, gettext_noop("Lapsed customers")),
    ({"recency_days": "low"}, gettext_noop("Recent buyers")),
    ({"interactions_90d": "high"}, gettext_noop("Engaged customers")),
    ({"tenure_days": "high"}, gettext_noop("Long-standing customers")),
    ({"monetary": "low"}, gettext_noop("Small spenders")),
    ({"frequency": "low"}, gettext_noop("Occasional buyers")),
    ({"interactions_90d": "low"}, gettext_noop("Quiet customers")),
    ({}, gettext_noop("Typical customers")),
)
# Each completes "Compared with most customers, they ...".
DIFFERENCES = {
    ("recency_days", "low"): gettext_noop("bought more recently"),
    ("recency_days", "high"): gettext_noop("have not bought for longer"),
    ("frequency", "high"): gettext_noop("buy more often"),
    ("frequency", "low"): gettext_noop("buy less often"),
    ("monetary", "high"): gettext_noop("spend more"),
    ("monetary", "low"): gettext_noop("spend less"),
    ("tenure_days", "low"): gettext_noop("became customers more recently"),
    ("tenure_days", "high"): gettext_noop("have been customers for longer"),
    ("interactions_90d", "high"): gettext_noop("were in touch more in the last 90 days"),
    ("interactions_90d", "low"): gettext_noop("were in touch less in the last 90 days"),
}


class NotEnoughData(ValueError):
    """Too few customers, or all alike, to find groups in."""


@dataclass
class Cluster:
    number: int  # 1 is the largest
    size: int
    share: float  # of all customers, 0..1
    centre: dict  # feature -> the cluster's median, in the feature's own unit
    traits: list  # (feature, "high" | "low"), strongest first
    name: str
    description: str
    differences: dict  # every clear difference, feature -> "high" | "low" (what names it)
    repeat: int  # 1, or 2 for the second cluster with the same name...


@dataclass
class Clustering:
    labels: np.ndarray  # the cluster number of each customer, in the order given
    clusters: list
    silhouette: float | None  # -1..1, higher is better separated; None if not measurable


def cluster(features, *, k=None, max_k=6, random_state=0, sample=20000):
    """The ``Clustering`` of customers from ``features`` (each of ``FEATURES`` -> an array with
    a value per customer), into ``k`` clusters or the best-separated number from 2 to
    ``max_k``. Names and descriptions are in the active language."""
    if k is not None and k < 2:
        raise ValueError("k must be at least 2")
    values = np.column_stack([np.asarray(features[name], dtype=float) for name in FEATURES])
    if len(values) < MIN_ROWS:
        raise NotEnoughData(_("Grouping needs at least %(count)s customers.") % {"count": MIN_ROWS})
    # Clipped at 0: a stray negative (a date in the future) must not make log1p a NaN.
    scaled = StandardScaler().fit_transform(np.log1p(np.clip(values, 0, None)))
    # No more clusters than there are distinct customers: k-means would leave some empty.
    distinct = _distinct(scaled, k or max_k)
    if distinct < (k or 2):
        raise NotEnoughData(_("The customers are too much alike to be told apart in groups."))
    fits = [_fit(scaled, n, random_state, sample) for n in ([k] if k else range(2, distinct + 1))]
    raw, silhouette = max(fits, key=lambda fit: -2 if fit[1] is None else fit[1])

    sizes = np.bincount(raw)
    order = [old for old in np.argsort(-sizes, kind="stable") if sizes[old]]
    renumber = np.zeros(len(sizes), dtype=int)
    renumber[order] = np.arange(1, len(order) + 1)
    clusters, names = [], []
    for number, old in enumerate(order, start=1):
        members = raw == old
        z = dict(zip(FEATURES, np.median(scaled[members], axis=0), strict=True))
        clear = {
            name: "high" if z[name] > 0 else "low" for name in FEATURES if abs(z[name]) >= TRAIT_Z
        }
        traits = sorted(clear.items(), key=lambda trait: -abs(z[trait[0]]))[:MAX_TRAITS]
        names.append(_name_key(clear))
        repeat = names.count(names[-1])
        size, share = int(sizes[old]), float(sizes[old] / len(values))
        centre = dict(zip(FEATURES, np.median(values[members], axis=0).tolist(), strict=True))
        clusters.append(
            Cluster(
                number,
                size,
                share,
                centre,
                traits,
                name_of(clear, repeat),
                describe(size, share, centre, traits),
                clear,
                repeat,
            )
        )
    return Clustering(renumber[raw], clusters, silhouette)


def _name_key(differences):
    # Named from every clear difference: the strongest three can leave out the telling one.
    return next(name for needs, name in NAMES if needs.items() <= differences.items())


def name_of(differences, repeat=1):
    """The cluster's name in the active language, from all its clear differences
    (``{feature: "high" | "low"}``); ``repeat``: 2 for the second cluster of that name..."""
    name = _(_name_key(differences))
    return name if repeat == 1 else f"{name} ({repeat})"


def _distinct(rows, limit):
    """How many distinct rows there are, counted up to ``limit`` (cheaper than ``np.unique``
    over a million rows)."""
    seen = np.zeros(len(rows), dtype=bool)
    count = 0
    while count < limit and not seen.all():
        seen |= (rows == rows[np.argmin(seen)]).all(axis=1)
        count += 1
    return count


def _fit(scaled, k, random_state, sample):
    """The labels of ``k`` clusters, and their silhouette."""
    if len(scaled) > MINI_BATCH_ABOVE:
        model = MiniBatchKMeans(k, n_init=3, batch_size=4096, random_state=random_state)
        # It draws each mini-batch with a pass over every row, most of its time at a million;
        # drawn from a random 100,000 they find centres as good ten times sooner.
        rows = np.random.default_rng(random_state).permutation(len(scaled))[:MINI_BATCH_ROWS]
    else:
        model, rows = KMeans(k, n_init=10, random_state=random_state), slice(None)
    # k-means' OpenMP threads wait on each other at every step: with the other cores busy (web
    # workers, parallel tests) that made a 1,000-row fit 50 times slower. One thread is enough.
    with threadpool_limits(1):
        labels = model.fit(scaled[rows]).predict(scaled)
    try:
        silhouette = silhouette_score(
            scaled,
            labels,
            sample_size=sample if len(scaled) > sample else None,
            random_state=random_state,
        )
    except ValueError:  # the sample fell within a single cluster
        return labels, None
    return labels, float(silhouette)


def describe(size, share, centre, traits):
    """The plain-language description of a cluster, in the active language."""
    purchases, days = round(centre["frequency"]), round(centre["recency_days"])
    values = {
        "count": _number(size),
        "share": _("%(percent)s %%") % {"percent": _number(share * 100)},
        "bought": ngettext("bought once", "bought %(n)s times", purchases)
        % {"n": _number(purchases)},
        "spent": f"{_number(centre['monetary'])} €",
        "ago": ngettext("%(days)s day ago", "%(days)s days ago", days) % {"days": _number(days)},
    }
    sentence = ngettext(
        # Translators: e.g. "412 customers (21 %) who bought 7 times, spent 1,240 € in total and
        # last bought 18 days ago."
        "%(count)s customer (%(share)s) who %(bought)s, spent %(spent)s in total and last "
        "bought %(ago)s.",
        "%(count)s customers (%(share)s) who %(bought)s, spent %(spent)s in total and last "
        "bought %(ago)s.",
        size,
    )
    if not traits:
        return f"{sentence % values} {_('They are much like most customers.')}"
    differences = get_text_list([_(DIFFERENCES[trait]) for trait in traits], _("and"))
    # Translators: the differences are a list such as "buy more often, spend more and ...".
    comparison = _("Compared with most customers, they %(differences)s.")
    return f"{sentence % values} {comparison % {'differences': differences}}"


def _number(value):
    """A whole number, grouped the active language's way (1,240 in English)."""
    return number_format(round(value), use_l10n=True, force_grouping=True)
