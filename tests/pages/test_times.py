"""Cohort pages show instants in the viewer's zone; where the cohort's zone decides (the check-in deadline) they
show both (issue 12, item 10). The clock and the cohort are those of test_cohort_life: day 3 in Asia/Shanghai."""

import pytest

from cohorts import feed
from tests.pages import test_cohort_life

_html = test_cohort_life._html
# That module's fixtures, used here as they are: its fixed clock (autouse) and its cohort.
clock = test_cohort_life.clock
life = test_cohort_life.life

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Open until Thu, Mar 12, 03:00 (Asia/Shanghai), Wed, Mar 11, 19:00 your time"),
        ("zh-hans", "截止时间：3月12日 星期四 03:00（Asia/Shanghai），你的时间 3月11日 星期三 19:00"),
    ],
)
def test_the_check_in_deadline_in_the_cohorts_zone_and_the_viewers(life, as_user, language, expected):
    member = life["member"]
    member.timezone, member.language = "Europe/London", language
    member.save(update_fields=["timezone", "language"])
    html = _html(as_user(member).get(f"/cohorts/{life['cohort'].pk}/today/"))
    assert expected in html


def test_a_viewer_in_the_cohorts_zone_reads_the_deadline_once(life, as_user):
    member = life["member"]
    member.timezone = "Asia/Shanghai"
    member.save(update_fields=["timezone"])
    html = _html(as_user(member).get(f"/cohorts/{life['cohort'].pk}/today/"))
    assert "Open until Thu, Mar 12, 03:00 (Asia/Shanghai)<" in html and "your time" not in html


def test_feed_times_are_in_the_viewers_zone(life, as_user):
    feed.post_announce(actor=life["teacher"], cohort_id=life["cohort"].pk, body="Hello all")
    member = life["member"]
    member.timezone = "America/New_York"
    member.save(update_fields=["timezone"])
    html = _html(as_user(member).get(f"/cohorts/{life['cohort'].pk}/feed/"))
    # posted at 12:00 in Shanghai: midnight in New York (on summer time since 8 March), not the cohort's 12:00
    assert "Wed, Mar 11, 00:00" in html and "12:00" not in html


def test_the_reminder_hour_in_the_cohorts_zone_and_the_viewers(life, as_user):
    member = life["member"]
    member.timezone = "Europe/London"
    member.save(update_fields=["timezone"])
    html = _html(as_user(member).get(f"/cohorts/{life['cohort'].pk}/today/"))
    # the cohort reminds at 20:00 in Shanghai: 12:00 in London in March
    assert "checked in by 20:00 (Asia/Shanghai), 12:00 your time, we send you a mail" in html
