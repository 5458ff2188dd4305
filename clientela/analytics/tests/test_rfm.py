"""RFM scores and segments, against hand-computed quintiles."""

import numpy as np
import pytest

from clientela.analytics.segmentation import rfm


def test_quintiles_of_ten_values():
    # Ranks 1..10 of 10 values: ceil(rank / 2) -> 1,1,2,2,3,3,4,4,5,5.
    assert rfm.quintiles([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]).tolist() == [
        1, 1, 2, 2, 3, 3, 4, 4, 5, 5,
    ]  # fmt: skip


def test_equal_values_score_the_same():
    # 4 equal values share the average rank 2.5 -> ceil(2.5 * 5 / 5) = 3; the fifth ranks 5.
    assert rfm.quintiles([7, 7, 7, 7, 9]).tolist() == [3, 3, 3, 3, 5]
    assert rfm.quintiles([]).tolist() == []
    assert rfm.quintiles([42]).tolist() == [5]


def test_scores_and_segments_of_five_customers():
    days = [2, 10, 40, 200, 400]  # days since the last purchase
    purchases = [12, 1, 6, 9, 1]
    spent = [900, 50, 300, 700, 20]

    scores = rfm.score(days, purchases, spent)

    assert scores.recency.tolist() == [5, 4, 3, 2, 1]  # lately is better
    # purchases ranks: 12 -> 5, 1 & 1 share rank 1.5 -> ceil(1.5) = 2, 6 -> 3, 9 -> 4
    assert scores.frequency.tolist() == [5, 2, 3, 4, 2]
    assert scores.monetary.tolist() == [5, 2, 3, 4, 1]
    assert scores.segments == ["champions", "potential", "attention", "at_risk", "lost"]


def test_every_cell_of_the_grid_has_a_named_segment():
    for recency in range(1, 6):
        assert len(rfm.GRID[recency]) == 5
        assert set(rfm.GRID[recency]) <= set(rfm.SEGMENTS)
    assert {name for row in rfm.GRID.values() for name in row} == set(rfm.SEGMENTS)


@pytest.mark.parametrize("size", [1, 7, 1000])
def test_scores_stay_within_one_to_five(size):
    rng = np.random.default_rng(size)
    scores = rfm.score(rng.integers(0, 800, size), rng.integers(1, 30, size), rng.random(size))
    for column in (scores.recency, scores.frequency, scores.monetary):
        assert column.min() >= 1 and column.max() <= 5
