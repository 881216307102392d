"""RFM scoring: pure computations, no Django (unit-tested in tests/alumni/test_records_rfm.py).

Each learner gets three scores from 1 (worst) to 5 (best), by quintiles of the whole population:

- **R**ecency: days since the learner's *own* last cohort end (fewer is better). A learner whose first cohort has
  not ended yet has no end date: they score 5 while they are active (active within ``ACTIVE_DAYS``), else 1.
- **F**requency: cohorts taken (more is better).
- **M**onetary: net paid, minor units (more is better). Currencies are not converted: a population normally pays
  in one currency, and the record keeps the one each learner paid most in.

Quintiles are cut points at the 20th, 40th, 60th and 80th percentile of the population's values; a value's score is
1 + the number of cut points strictly below it (higher-is-better) — so equal values always get equal scores, and a
population where most learners took one cohort puts them all in F=1.

Named groups, the first row that matches wins:

================  =====================================================
group             rule
================  =====================================================
champions         R ≥ 4 and F ≥ 4 and M ≥ 4
loyal             R ≥ 3 and F ≥ 3
new               R ≥ 4 and F = 1
promising         R ≥ 3
at_risk           R ≤ 2 and (F ≥ 3 or M ≥ 3)  — were worth a lot, gone quiet
hibernating       R = 2
lost              R = 1
================  =====================================================
"""

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

ACTIVE_DAYS = 30
QUINTILES = (0.2, 0.4, 0.6, 0.8)

# (group, explanation) in the order they are tried; the explanation is what the record page shows.
GROUP_RULES: tuple[tuple[str, str], ...] = (
    ("champions", "R ≥ 4, F ≥ 4, M ≥ 4"),
    ("loyal", "R ≥ 3, F ≥ 3"),
    ("new", "R ≥ 4, F = 1"),
    ("promising", "R ≥ 3"),
    ("at_risk", "R ≤ 2, F ≥ 3 or M ≥ 3"),
    ("hibernating", "R = 2"),
    ("lost", "R = 1"),
)


@dataclass(frozen=True)
class Cuts:
    """The quintile cut points of each dimension (ascending). Recency cuts are in days since the last end."""

    recency_days: tuple[int, ...]
    frequency: tuple[int, ...]
    monetary: tuple[int, ...]


def cut_points(sorted_values: Sequence[int]) -> tuple[int, ...]:
    """The 20/40/60/80th percentile values of an ascending sequence (empty for an empty population)."""
    n = len(sorted_values)
    if n == 0:
        return ()
    return tuple(sorted_values[min(n - 1, int(q * n))] for q in QUINTILES)


def cut_positions(n: int) -> tuple[int, ...]:
    """The positions of the cut points in an ascending list of ``n`` values (what ``cut_points`` reads), so a
    database can answer them one ``OFFSET`` each instead of loading the population."""
    return tuple(min(n - 1, int(q * n)) for q in QUINTILES) if n else ()


def score_higher_better(value: int, cuts: Sequence[int]) -> int:
    """1–5: one more than the number of cut points strictly below ``value``."""
    return 1 + bisect_left(list(cuts), value) if cuts else 1


def score_lower_better(value: int, cuts: Sequence[int]) -> int:
    """1–5 for a value where less is better (days since): 5 minus the number of cut points strictly below it."""
    return 5 - bisect_left(list(cuts), value) if cuts else 5


def recency_score(*, days_since_end: int | None, days_since_active: int | None, cuts: Sequence[int]) -> int:
    if days_since_end is None:
        return 5 if days_since_active is not None and days_since_active <= ACTIVE_DAYS else 1
    return score_lower_better(days_since_end, cuts)


def group_for(r: int, f: int, m: int) -> str:
    """The named group of a score triple (the table in this module's docstring)."""
    if r >= 4 and f >= 4 and m >= 4:
        return "champions"
    if r >= 3 and f >= 3:
        return "loyal"
    if r >= 4 and f == 1:
        return "new"
    if r >= 3:
        return "promising"
    if f >= 3 or m >= 3:
        return "at_risk"
    if r == 2:
        return "hibernating"
    return "lost"
