"""The report's statistics against published figures (Newcombe 1998, Table II; Wilson 1927)."""

import pytest

from alumni.attribution.stats import enough_data, newcombe_difference, proportion, wilson


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "low", "high"),
    [
        (56, 70, 48, 80, 0.0524, 0.3339),  # Newcombe's example (a)
        (9, 10, 3, 10, 0.1705, 0.8090),  # (b)
        (6, 7, 2, 7, 0.0582, 0.8062),  # (c)
        (5, 56, 0, 29, -0.0381, 0.1926),  # (d): a group without any successes
        (0, 10, 0, 20, -0.1611, 0.2775),  # (e)
    ],
)
def test_newcombes_hybrid_score_interval_matches_the_paper(x1, n1, x2, n2, low, high):
    difference = newcombe_difference(x1, n1, x2, n2)
    assert difference.estimate == pytest.approx(x1 / n1 - x2 / n2)
    assert (round(difference.interval.low, 4), round(difference.interval.high, 4)) == (low, high)


def test_the_wilson_interval_stays_within_zero_and_one():
    assert (round(wilson(0, 10).low, 4), round(wilson(0, 10).high, 4)) == (0.0, 0.2775)
    assert round(wilson(10, 10).high, 4) == 1.0
    assert (round(wilson(81, 263).low, 4), round(wilson(81, 263).high, 4)) == (0.2553, 0.3662)


def test_an_empty_group_has_no_rate_and_no_interval():
    empty = proportion(0, 0)
    assert (empty.rate, empty.interval) == (None, None)
    with pytest.raises(ValueError):
        wilson(1, 0)


def test_enough_data_needs_thirty_per_group_and_five_conversions():
    assert enough_data(treated=proportion(3, 30), holdout=proportion(2, 30))
    assert not enough_data(treated=proportion(3, 30), holdout=proportion(1, 30))  # four conversions
    assert not enough_data(treated=proportion(20, 300), holdout=proportion(2, 29))  # a holdout of 29
