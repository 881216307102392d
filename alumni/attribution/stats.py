"""Two proportions and the difference between them, with 95 % confidence intervals. Pure arithmetic: no Django,
no scipy.

A campaign's uplift is ``p1 − p2``: the conversion rate of those who were sent the mail (``x1`` of ``n1``) minus
that of its holdout (``x2`` of ``n2``), who were sent nothing.

Each rate's interval is the Wilson score interval (Wilson 1927), which stays inside 0–1 and behaves for small
counts and rates near 0, where the textbook ``p ± z·√(p(1−p)/n)`` does not::

    centre = (p + z²/2n) / (1 + z²/n)
    half   = z / (1 + z²/n) · √( p(1−p)/n + z²/4n² )
    [l, u] = [centre − half, centre + half]

The difference's interval is Newcombe's hybrid score interval (Newcombe 1998, "Interval estimation for the
difference between independent proportions", method 10), built from the two Wilson intervals ``[l1, u1]`` and
``[l2, u2]``::

    d = p1 − p2
    L = d − √( (p1 − l1)² + (u2 − p2)² )
    U = d + √( (u1 − p1)² + (p2 − l2)² )

Its coverage stays close to 95 % where the normal approximation's (``d ± z·√(p1q1/n1 + p2q2/n2)``) collapses: small
groups, rates near 0 — a holdout of a few dozen people with a couple of conversions is exactly that case.
"""

import math
from dataclasses import dataclass

Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile: a two-sided 95 % interval

# Below these the report says "not enough data yet" instead of an uplift: each group needs MIN_GROUP people, and the
# two groups together MIN_CONVERSIONS conversions (with fewer, the interval spans most of what is possible).
MIN_GROUP = 30
MIN_CONVERSIONS = 5


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Proportion:
    successes: int
    trials: int
    interval: Interval | None  # None without trials

    @property
    def rate(self) -> float | None:
        return self.successes / self.trials if self.trials else None


@dataclass(frozen=True)
class Difference:
    estimate: float
    interval: Interval


def wilson(successes: int, trials: int, *, z: float = Z_95) -> Interval:
    """The Wilson score interval of ``successes`` out of ``trials`` (trials ≥ 1)."""
    if trials < 1 or not 0 <= successes <= trials:
        raise ValueError("need 0 ≤ successes ≤ trials and trials ≥ 1")
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    return Interval(low=max(0.0, centre - half), high=min(1.0, centre + half))


def proportion(successes: int, trials: int) -> Proportion:
    return Proportion(successes, trials, wilson(successes, trials) if trials else None)


def newcombe_difference(x1: int, n1: int, x2: int, n2: int, *, z: float = Z_95) -> Difference:
    """``x1/n1 − x2/n2`` with Newcombe's hybrid score interval (method 10). Both groups need at least one trial."""
    p1, p2 = x1 / n1, x2 / n2
    w1, w2 = wilson(x1, n1, z=z), wilson(x2, n2, z=z)
    d = p1 - p2
    low = d - math.sqrt((p1 - w1.low) ** 2 + (w2.high - p2) ** 2)
    high = d + math.sqrt((w1.high - p1) ** 2 + (p2 - w2.low) ** 2)
    return Difference(estimate=d, interval=Interval(low=low, high=high))


def enough_data(*, treated: Proportion, holdout: Proportion) -> bool:
    """Whether an uplift is worth showing: both groups at least ``MIN_GROUP`` people, ``MIN_CONVERSIONS`` between
    them."""
    return (
        treated.trials >= MIN_GROUP
        and holdout.trials >= MIN_GROUP
        and treated.successes + holdout.successes >= MIN_CONVERSIONS
    )
