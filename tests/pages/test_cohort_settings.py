"""The cohort's settings page (issue 12, item 6): its instructors run the cohort from a page — group rules, reminder
hour, strike limit, the nudge list's thresholds — with clear refusals, and each change audited."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from cohorts import moderation
from cohorts.models import AuditEvent
from cohorts.statuses import CohortStatus
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 11, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai, day 3
STARTS = date(2026, 3, 9)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def run(db):
    teacher = factories.instructor(name="Teacher Li", language="en")
    other_teacher = factories.instructor(name="Other Teacher")
    member = factories.learner(name="张伟")
    course = factories.course(teacher=teacher, title="SQL bootcamp", duration_days=7)
    factories.course(teacher=other_teacher, slug="other", title="Other course")
    cohort = factories.cohort(
        course=course,
        name="Winter",
        starts_on=STARTS,
        status=CohortStatus.RUNNING,
        enrollment_opens_on=STARTS - timedelta(days=20),
        rules="Be kind.",
    )
    enrollment = factories.enrollment(cohort=cohort, learner=member)
    return {
        "teacher": teacher,
        "other_teacher": other_teacher,
        "member": member,
        "cohort": cohort,
        "enrollment": enrollment,
    }


FORM = {
    "rules": "Be kind. **No spam.**",
    "reminder_hour": "21",
    "strikes_to_remove": "3",
    "nudge_after_days": "3",
    "nudge_below_rate_percent": "40",
}


def test_the_dashboard_links_to_the_settings_and_only_instructors_reach_them(run, as_user):
    cohort = run["cohort"]
    url = f"/teach/cohorts/{cohort.pk}/settings/"
    assert f'href="{url}"' in as_user(run["teacher"]).get(f"/teach/cohorts/{cohort.pk}/").content.decode()
    assert as_user(run["teacher"]).get(url).status_code == 200
    assert as_user(run["other_teacher"]).get(url).status_code == 404
    assert as_user(run["member"]).get(url).status_code == 404
    assert as_user(run["member"]).post(url, FORM).status_code == 404
    assert as_user(None).get(url).status_code == 302
    cohort.refresh_from_db()
    assert cohort.reminder_hour == 20 and cohort.rules == "Be kind."


def test_an_instructor_changes_how_the_cohort_runs_and_it_is_audited(run, as_user):
    cohort, teacher = run["cohort"], run["teacher"]
    client = as_user(teacher)
    response = client.post(f"/teach/cohorts/{cohort.pk}/settings/", FORM)
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Cohort settings saved." in html and 'value="21" selected' in html
    cohort.refresh_from_db()
    assert (cohort.rules, cohort.reminder_hour, cohort.strikes_to_remove) == ("Be kind. **No spam.**", 21, 3)
    assert (cohort.nudge_after_days, cohort.nudge_below_rate_percent) == (3, 40)
    (event,) = AuditEvent.objects.filter(action="cohort.settings_changed")
    assert event.actor == teacher and event.target_id == cohort.pk
    assert event.details["strikes_to_remove"] == [2, 3] and event.details["reminder_hour"] == [20, 21]
    # the dashboard and the rules members see follow
    assert "fewer than 40% of the days" in client.get(f"/teach/cohorts/{cohort.pk}/").content.decode()
    # saving the same again changes and audits nothing
    client.post(f"/teach/cohorts/{cohort.pk}/settings/", FORM)
    assert AuditEvent.objects.filter(action="cohort.settings_changed").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reminder_hour", "24", "Select a valid choice."),
        ("strikes_to_remove", "0", "Ensure this value is greater than or equal to 1."),
        ("nudge_below_rate_percent", "101", "Ensure this value is less than or equal to 100."),
    ],
)
def test_out_of_range_values_are_refused_with_the_field(run, as_user, field, value, message):
    response = as_user(run["teacher"]).post(f"/teach/cohorts/{run['cohort'].pk}/settings/", {**FORM, field: value})
    assert response.status_code == 422 and message in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_the_strike_limit_cannot_drop_to_a_members_strikes(run, as_user):
    teacher = run["teacher"]
    moderation.strike_issue(actor=teacher, enrollment_id=run["enrollment"].pk, reason="Spam links")
    response = as_user(teacher).post(f"/teach/cohorts/{run['cohort'].pk}/settings/", {**FORM, "strikes_to_remove": "1"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "An active member already has 1 strikes: a limit of 1 would leave them in the cohort past it." in html
    run["cohort"].refresh_from_db()
    assert run["cohort"].strikes_to_remove == 2


def test_the_settings_page_and_its_refusals_in_chinese(run, as_user):
    teacher = run["teacher"]
    teacher.language = "zh-hans"
    teacher.save(update_fields=["language"])
    moderation.strike_issue(actor=teacher, enrollment_id=run["enrollment"].pk, reason="Spam links")
    client = as_user(teacher)
    url = f"/teach/cohorts/{run['cohort'].pk}/settings/"
    assert "每日提醒" in client.get(url).content.decode()
    html = client.post(url, {**FORM, "strikes_to_remove": "1"}).content.decode()
    assert "已有学员被记 1 次违规：上限设为 1 会让他们超过上限仍留在班级里。请设为 2 或更高。" in html
