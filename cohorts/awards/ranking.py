"""How the monthly awards rank learners: pure computation, no Django.

Categories (each counts only the month's days in the cohort's own time zone, and only counted check-ins: a
check-in an instructor rejected counts for nothing):

- most consistent: counted check-ins in the month;
- most helpful: reactions and comments received from others in the month on the learner's counted check-ins
  (self-reactions and self-comments never count; nor do hidden comments, nor instructor reviews (点评), which are
  the instructor's job rather than recognition);
- most improved: counted check-ins in the second half of the cohort's days in the month minus those in the first
  half (the halves are equally long: with an odd number of days the middle day belongs to neither); only a gain
  qualifies;
- best newcomer: learners whose first-ever counted check-in on the platform falls in the month, by counted
  check-ins in the month.

Who takes part: members of the cohort (active, completed or not completed: removed, withdrawn and expired learners
do not), except staff and the course's instructors. A figure of 0 never places.

Tie-breaks, in order: the higher figure; then whoever reached it first (the earlier instant of their last
qualifying check-in, reaction or comment); then the lower user id. So a ranking never depends on query order.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

TOP = 10


@dataclass
class Figure:
    """A learner's figure in one category, and what it is made of."""

    user_id: int
    enrollment_id: int
    figure: int
    reached_at: datetime
    details: dict[str, int] = field(default_factory=dict)


def rank(figures: Iterable[Figure], *, top: int = TOP) -> list[Figure]:
    """The top ``top`` positive figures, best first, with the documented tie-breaks."""
    return sorted((f for f in figures if f.figure > 0), key=lambda f: (-f.figure, f.reached_at, f.user_id))[:top]


def halves(first: date, last: date) -> tuple[tuple[date, date], tuple[date, date]] | None:
    """The two equally long halves of the days ``first``..``last`` (inclusive); None with fewer than two days."""
    days = (last - first).days + 1
    if days < 2:
        return None
    size = days // 2
    return (first, first + timedelta(days=size - 1)), (last - timedelta(days=size - 1), last)


def merge(figures: Iterable[Figure], *, home: dict[int, int]) -> list[Figure]:
    """A track's figures: each learner's figures over the track's cohorts added up (reached at the latest of them),
    attributed to their ``home`` enrollment (user id → enrollment id)."""
    merged: dict[int, Figure] = {}
    for f in figures:
        m = merged.get(f.user_id)
        if m is None:
            merged[f.user_id] = Figure(f.user_id, home[f.user_id], f.figure, f.reached_at, dict(f.details))
            continue
        m.figure += f.figure
        m.reached_at = max(m.reached_at, f.reached_at)
        for key, value in f.details.items():
            m.details[key] = m.details.get(key, 0) + value
    return list(merged.values())
