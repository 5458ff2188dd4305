"""Behavioural clusters: generated groups of customers are found, ordered, named and described
with their medians; too little or too uniform data is said; results repeat."""

import numpy as np
import pytest
from django.utils import translation

from clientela.analytics.segmentation import clusters

# Each group: its size, and per feature the median and how far values spread around it.
ACTIVE_BIG_SPENDERS = {
    "recency_days": (18, 10),
    "frequency": (7, 3),
    "monetary": (1240, 400),
    "tenure_days": (1500, 300),
    "interactions_90d": (8, 3),
}
LAPSED_ONE_OFF = {
    "recency_days": (420, 150),
    "frequency": (1, 0),
    "monetary": (45, 20),
    "tenure_days": (800, 300),
    "interactions_90d": (0, 0),
}
NEW = {
    "recency_days": (10, 8),
    "frequency": (2, 1),
    "monetary": (120, 50),
    "tenure_days": (25, 15),
    "interactions_90d": (2, 1),
}
BEHAVIOURS = {
    "active": (300, ACTIVE_BIG_SPENDERS),
    "lapsed": (500, LAPSED_ONE_OFF),
    "new": (200, NEW),
}


def customers(groups=BEHAVIOURS, scale=1, seed=7):
    """Features of the customers of ``groups`` (name -> (size, spec)) in shuffled order, and the
    group of each. Values lie symmetrically around each median (``median ± 0..spread``), so the
    median of each group is exactly the one given."""
    rng = np.random.default_rng(seed)
    columns, truth = {name: [] for name in clusters.FEATURES}, []
    for group, (size, spec) in groups.items():
        half = size * scale // 2
        for name, (median, spread) in spec.items():
            offsets = rng.integers(0, spread + 1, half)
            columns[name].append(np.concatenate([median - offsets, median + offsets]))
        truth += [group] * (2 * half)
    order = rng.permutation(len(truth))
    features = {name: np.concatenate(parts)[order] for name, parts in columns.items()}
    return features, np.array(truth)[order]


def medians(*specs):
    """The centre (feature -> median) of each group spec."""
    return [{name: float(median) for name, (median, _) in spec.items()} for spec in specs]


def partition(labels):
    """The sets of row positions that share a label: equal partitions, whatever the labels."""
    labels = np.asarray(labels)
    return {frozenset(np.flatnonzero(labels == label).tolist()) for label in set(labels)}


def test_three_behaviours_are_found_ordered_named_and_described():
    features, truth = customers()

    result = clusters.cluster(features)

    assert partition(result.labels) == partition(truth)
    assert [c.number for c in result.clusters] == [1, 2, 3]
    assert [c.size for c in result.clusters] == [500, 300, 200]  # largest first
    assert [c.share for c in result.clusters] == [0.5, 0.3, 0.2]
    numbers = {group: set(result.labels[truth == group].tolist()) for group in BEHAVIOURS}
    assert numbers == {"lapsed": {1}, "active": {2}, "new": {3}}
    assert [c.name for c in result.clusters] == [
        "Lapsed one-off buyers",
        "Frequent big spenders",
        "New customers",
    ]
    assert [c.centre for c in result.clusters] == medians(LAPSED_ONE_OFF, ACTIVE_BIG_SPENDERS, NEW)
    assert result.silhouette > 0.8
    lapsed, active, new = result.clusters
    # Lapsed: also clearly lower on frequency, but weaker than these three; it still names them.
    assert lapsed.traits == [
        ("recency_days", "high"),
        ("interactions_90d", "low"),
        ("monetary", "low"),
    ]
    assert active.traits == [
        ("frequency", "high"),
        ("monetary", "high"),
        ("interactions_90d", "high"),
    ]
    assert new.traits == [("tenure_days", "low"), ("recency_days", "low")]
    assert lapsed.description == (
        "500 customers (50 %) who bought once, spent 45 € in total and last bought 420 days ago. "
        "Compared with most customers, they have not bought for longer, were in touch less in the "
        "last 90 days and spend less."
    )
    assert active.description == (
        "300 customers (30 %) who bought 7 times, spent 1,240 € in total and last bought 18 days "
        "ago. Compared with most customers, they buy more often, spend more and were in touch more "
        "in the last 90 days."
    )
    assert new.description == (
        "200 customers (20 %) who bought 2 times, spent 120 € in total and last bought 10 days "
        "ago. Compared with most customers, they became customers more recently and bought more "
        "recently."
    )


def test_the_large_population_path_finds_the_same_groups():
    # 120,000 customers: mini-batch k-means fitted to 100,000 of them, silhouette on a sample.
    features, truth = customers(scale=120)

    result = clusters.cluster(features, sample=2000)

    assert partition(result.labels) == partition(truth)
    assert [c.size for c in result.clusters] == [60_000, 36_000, 24_000]
    assert [c.centre for c in result.clusters] == medians(LAPSED_ONE_OFF, ACTIVE_BIG_SPENDERS, NEW)
    assert [c.name for c in result.clusters] == [
        "Lapsed one-off buyers",
        "Frequent big spenders",
        "New customers",
    ]


@pytest.mark.parametrize("k", [2, 4, 6])
def test_a_given_number_of_clusters_is_honoured_largest_first_with_unique_names(k):
    features, _ = customers()

    result = clusters.cluster(features, k=k)

    sizes = [c.size for c in result.clusters]
    assert len(result.clusters) == k and sum(sizes) == 1000
    assert sizes == sorted(sizes, reverse=True)
    assert [c.number for c in result.clusters] == list(range(1, k + 1))
    assert sorted(set(result.labels.tolist())) == list(range(1, k + 1))
    for c in result.clusters:
        assert (result.labels == c.number).sum() == c.size
    assert len({c.name for c in result.clusters}) == k


def test_fewer_than_two_clusters_cannot_be_asked_for():
    features, _ = customers()
    with pytest.raises(ValueError, match="^k must be at least 2$"):
        clusters.cluster(features, k=1)


def test_a_cluster_without_traits_is_typical():
    # Customers alike but for what they spent: little, some, a lot.
    alike = {
        "recency_days": (1, 0),
        "frequency": (1, 0),
        "tenure_days": (300, 0),
        "interactions_90d": (0, 0),
    }
    features, truth = customers(
        {
            "some": (400, {**alike, "monetary": (100, 30)}),
            "little": (300, {**alike, "monetary": (10, 3)}),
            "a lot": (300, {**alike, "monetary": (1000, 300)}),
        }
    )

    result = clusters.cluster(features)

    assert partition(result.labels) == partition(truth)
    typical, *others = result.clusters
    assert typical.traits == []
    assert typical.name == "Typical customers"
    assert typical.description == (
        "400 customers (40 %) who bought once, spent 100 € in total and last bought 1 day ago. "
        "They are much like most customers."
    )
    assert {c.name: c.traits for c in others} == {
        "Small spenders": [("monetary", "low")],
        "Big spenders": [("monetary", "high")],
    }


def test_clusters_that_would_share_a_name_are_numbered():
    # Two groups of frequent big spenders, one long-standing, one a year old.
    younger = {**ACTIVE_BIG_SPENDERS, "tenure_days": (365, 60)}
    features, truth = customers(
        {
            "old": (300, ACTIVE_BIG_SPENDERS),
            "lapsed": (500, LAPSED_ONE_OFF),
            "young": (200, younger),
        }
    )

    result = clusters.cluster(features, k=3)

    assert partition(result.labels) == partition(truth)
    assert [c.name for c in result.clusters] == [
        "Lapsed one-off buyers",
        "Frequent big spenders",
        "Frequent big spenders (2)",
    ]


@pytest.mark.parametrize("rows, sample", [(1000, 500), (60_000, 2000)])
def test_the_same_input_gives_the_same_result(rows, sample):
    # Without groups to find, where k-means' random starts and the sample matter most.
    rng = np.random.default_rng(5)
    features = {name: rng.lognormal(3, 1, rows) for name in clusters.FEATURES}

    first, second = (
        clusters.cluster(features, random_state=3, sample=sample),
        clusters.cluster(features, random_state=3, sample=sample),
    )

    assert first.labels.tolist() == second.labels.tolist()
    assert first.clusters == second.clusters
    assert first.silhouette == second.silhouette


def test_a_constant_feature_is_no_trait_and_no_nan():
    features, truth = customers()
    features["interactions_90d"] = np.zeros(len(truth))

    result = clusters.cluster(features)

    assert partition(result.labels) == partition(truth)
    for c in result.clusters:
        assert c.centre["interactions_90d"] == 0.0
        assert all(feature != "interactions_90d" for feature, _ in c.traits)
        assert "in touch" not in c.description
        assert np.isfinite(list(c.centre.values())).all()


def test_too_few_customers_are_not_enough():
    features, _ = customers()
    with pytest.raises(clusters.NotEnoughData, match="^Grouping needs at least 30 customers.$"):
        clusters.cluster({name: values[:29] for name, values in features.items()})
    assert (
        len(clusters.cluster({name: values[:30] for name, values in features.items()}).labels) == 30
    )


def test_identical_customers_are_not_enough():
    same = {name: np.full(100, 5.0) for name in clusters.FEATURES}
    with pytest.raises(clusters.NotEnoughData, match="too much alike"):
        clusters.cluster(same)


def test_no_more_clusters_than_distinct_customers():
    # 40 customers, only two different ones: two clusters at most.
    two = {name: np.repeat([1.0, 50.0], 20) for name in clusters.FEATURES}

    result = clusters.cluster(two)

    assert [c.size for c in result.clusters] == [20, 20]
    assert partition(result.labels) == partition(np.repeat([0, 1], 20))
    with pytest.raises(clusters.NotEnoughData):
        clusters.cluster(two, k=3)


def test_texts_follow_the_active_language():
    features, _ = customers()

    with translation.override("es"):
        spanish = clusters.cluster(features)
    with translation.override("ca"):
        catalan = clusters.cluster(features)

    for result in (spanish, catalan):
        assert all(
            isinstance(c.name, str) and isinstance(c.description, str) for c in result.clusters
        )
    # Django's Spanish formats group thousands with a no-break space, its Catalan ones with a dot.
    assert "1\xa0240 €" in spanish.clusters[1].description
    assert "1.240 €" in catalan.clusters[1].description
