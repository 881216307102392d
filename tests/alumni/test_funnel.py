"""The stage funnel, retention and NPS by stage on a known cohort: the figures, their CSV, the page and the API."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from alumni.funnel import selectors
from cohorts.models import CheckIn
from cohorts.statuses import CheckInStatus, CohortStatus, EnrollmentStatus
from cohorts.survey.models import SurveyResponse
from tests import factories

pytestmark = pytest.mark.django_db

S = EnrollmentStatus
# Who did what in a ten-day stage-1 cohort: status, counted check-in days, rejected ones, made-up ones.
LEARNERS = {
    "ada": (S.COMPLETED, range(1, 11), (), ()),  # every day, then enrolled in stage 2
    "bo": (S.COMPLETED, range(1, 9), (), ()),
    "cai": (S.NOT_COMPLETED, range(1, 7), (), ()),  # stopped after day 6
    "dee": (S.NOT_COMPLETED, range(1, 6), (7, 9), ()),  # day 7 and 9 rejected: they don't count
    "eli": (S.WITHDRAWN, (1, 2), (), ()),
    "fay": (S.UPGRADED, (1, 2, 3), (), ()),  # moved up to stage 2 before the end
    "ian": (S.NOT_COMPLETED, (1, 2), (), (7,)),  # made day 7 up: a counted check-in
    "gus": (S.EXPIRED, (), (), ()),  # never paid: not in the funnel
}


def _checkin(enrollment, day, *, status=CheckInStatus.COUNTED, makeup=False):
    cohort = enrollment.cohort
    CheckIn.objects.create(
        enrollment=enrollment,
        day=day,
        local_date=cohort.starts_on + timedelta(days=day - 1),
        text="Wrote four hundred words about the harbour at dawn.",
        status=status,
        is_makeup=makeup,
        makeup_reason="Was travelling" if makeup else "",
        created_at=timezone.now(),
    )


@pytest.fixture
def world(db):
    track = factories.track(title="Writing")
    stage1 = factories.course(track=track, stage=1, duration_days=10, title="Beginner writing")
    stage2 = factories.course(track=track, stage=2, stage_label="Bootcamp", duration_days=10, title="Bootcamp")
    start = factories.local_today() - timedelta(days=40)
    ended = factories.cohort(
        course=stage1, starts_on=start, status=CohortStatus.ENDED, outcomes_evaluated_at=timezone.now(), name="Spring"
    )
    running = factories.cohort(course=stage2, starts_on=factories.local_today() - timedelta(days=2), status="running")
    people = {}
    for name, (status, counted, rejected, made_up) in LEARNERS.items():
        learner = factories.learner(name=name)
        people[name] = learner
        enrollment = factories.enrollment(cohort=ended, learner=learner, status=status)
        for day in counted:
            _checkin(enrollment, day)
        for day in rejected:
            _checkin(enrollment, day, status=CheckInStatus.REJECTED)
        for day in made_up:
            _checkin(enrollment, day, makeup=True)
        if name in ("ada", "bo", "cai"):
            SurveyResponse.objects.create(
                enrollment=enrollment, score={"ada": 10, "bo": 9, "cai": 3}[name], created_at=timezone.now()
            )
    factories.enrollment(cohort=running, learner=people["ada"])
    factories.enrollment(cohort=running, learner=people["fay"])
    return {"track": track, "ended": ended, "running": running, "people": people}


def test_the_funnel_of_a_known_cohort(world, django_assert_max_num_queries):
    marketer = factories.marketer()
    with django_assert_max_num_queries(8):
        funnel = selectors.funnel_for_user(user=marketer)

    steps = [
        (s.key, s.count, None if s.percent_of_previous is None else round(s.percent_of_previous, 1))
        for s in funnel.counts.steps
    ]
    assert steps == [
        ("enrolled", 7, None),  # everyone who took a seat; not the one who never paid
        ("day7", 3, 42.9),  # ada, bo, and ian's made-up day 7; dee's rejected day 7 doesn't count
        ("completed", 2, 66.7),
        ("upgraded", 1, 50.0),  # ada enrolled in stage 2
    ]
    assert funnel.counts.moved_up_early == 1  # fay, apart
    assert funnel.cohorts == 1  # the running stage-2 cohort isn't in the totals


def test_a_course_shorter_than_seven_days_counts_its_last_day():
    course = factories.course(duration_days=5)
    cohort = factories.cohort(course=course, starts_on=factories.local_today() - timedelta(days=20), status="ended")
    stayed = factories.enrollment(cohort=cohort, learner=factories.learner(), status=S.COMPLETED)
    left = factories.enrollment(cohort=cohort, learner=factories.learner(), status=S.NOT_COMPLETED)
    _checkin(stayed, 5)
    _checkin(left, 4)

    counts = selectors.funnel_for_user(user=factories.marketer()).counts

    assert (counts.enrolled, counts.day7, counts.completed) == (2, 1, 1)


def test_the_retention_curve_of_a_known_cohort(world):
    funnel = selectors.funnel_for_user(user=factories.marketer())

    [stage1] = funnel.retention
    assert (stage1.key, stage1.stage) == ("stage-1", 1)
    assert [(p.day, p.checked_in, p.enrolled) for p in stage1.points] == [
        (1, 7, 7),
        (2, 7, 7),
        (3, 5, 7),
        (4, 4, 7),
        (5, 4, 7),
        (6, 3, 7),
        (7, 3, 7),
        (8, 2, 7),
        (9, 1, 7),
        (10, 1, 7),
    ]
    assert round(stage1.points[2].rate, 4) == round(5 / 7, 4)


def test_one_running_cohort_shows_its_days_so_far(world):
    running = world["running"]
    ada = running.enrollments.get(learner=world["people"]["ada"])
    _checkin(ada, 1)

    funnel = selectors.funnel_for_user(user=factories.marketer(), cohort_id=running.pk)

    [line] = funnel.retention
    assert line.cohort == running
    assert [(p.day, p.checked_in, p.enrolled) for p in line.points][:1] == [(1, 1, 2)]
    assert len(line.points) in (2, 3)  # day 3 is today in Shanghai (day 2 while its grace lasts)
    assert funnel.counts.enrolled == 2


def test_nps_by_stage(world):
    [stage1] = selectors.funnel_for_user(user=factories.marketer()).nps
    assert (stage1.stage, stage1.nps.responses, stage1.nps.promoters, stage1.nps.detractors, stage1.nps.score) == (
        1,
        3,
        2,
        1,
        33,
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_every_chart_downloads_as_csv(world):
    client = _client(factories.marketer())

    assert _csv(client.get("/marketing/funnel.csv?chart=funnel")) == [
        ["step", "count", "percent_of_previous"],
        ["enrolled", "7", ""],
        ["day7", "3", "42.86"],
        ["completed", "2", "66.67"],
        ["upgraded", "1", "50.00"],
        ["moved_up_before_the_end", "1", ""],
    ]
    retention = _csv(client.get(f"/marketing/funnel.csv?chart=retention&track={world['track'].pk}"))
    assert retention[0] == ["series", "stage", "cohort_id", "day", "checked_in", "enrolled", "rate"]
    assert retention[3] == ["stage-1", "1", "", "3", "5", "7", "0.7143"]
    assert _csv(client.get("/marketing/funnel.csv?chart=nps")) == [
        ["stage", "responses", "promoters", "passives", "detractors", "nps"],
        ["1", "3", "2", "0", "1", "33"],
    ]
    cohorts = _csv(client.get("/marketing/funnel.csv?chart=cohorts"))
    assert cohorts[1][:2] == [str(world["ended"].pk), "Spring"]
    assert cohorts[1][5:] == ["7", "3", "2", "1", "1"]


def test_the_api_gives_the_same_figures(world, api_client):
    client = api_client(factories.marketer())
    body = client.get(f"/api/v1/alumni/funnel?track_id={world['track'].pk}").json()
    assert [(s["key"], s["count"]) for s in body["steps"]] == [
        ("enrolled", 7),
        ("day7", 3),
        ("completed", 2),
        ("upgraded", 1),
    ]
    assert body["retention"][0]["points"][0] == {"day": 1, "checked_in": 7, "enrolled": 7, "rate": 1.0}
    assert body["nps_by_stage"][0]["score"] == 33

    rows = client.get("/api/v1/alumni/funnel/cohorts?page_size=5").json()
    assert rows["count"] == 1
    assert [s["count"] for s in rows["items"][0]["steps"]] == [7, 3, 2, 1]

    assert client.get("/api/v1/alumni/funnel?cohort_id=999999").json()["code"] == "cohort_not_found"
    assert client.get("/api/v1/alumni/funnel?track_id=999999").json()["code"] == "track_not_found"
    assert client.get("/api/v1/alumni/funnel.csv?chart=everything").status_code == 422


def test_the_funnel_page_draws_it(world):
    page = _client(factories.marketer()).get("/marketing/funnel/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-step="day7"' in html and "42%" not in html and "43%" in html
    assert 'data-testid="retention-chart"' in html
    assert 'data-testid="nps-by-stage"' in html
    assert f'data-cohort="{world["ended"].pk}"' in html
    # one cohort, on its own
    one = _client(factories.marketer()).get(f"/marketing/funnel/?cohort={world['ended'].pk}").content.decode()
    assert "Spring" in one and 'data-testid="funnel-cohorts"' not in one


def test_the_funnel_page_in_chinese(world):
    page = _client(factories.marketer(language="zh-hans")).get("/marketing/funnel/")
    assert "阶段漏斗" in page.content.decode()


def test_empty_states(db):
    client = _client(factories.marketer())
    page = client.get("/marketing/funnel/").content.decode()
    assert 'data-testid="funnel-empty"' in page
    dashboard = client.get("/marketing/").content.decode()
    assert 'data-testid="dashboard-funnel"' in dashboard
    assert _csv(client.get("/marketing/funnel.csv?chart=retention")) == [
        ["series", "stage", "cohort_id", "day", "checked_in", "enrolled", "rate"]
    ]


def test_the_dashboard_shows_the_compact_funnel(world):
    html = _client(factories.marketer()).get("/marketing/").content.decode()
    assert 'data-testid="funnel-steps"' in html and 'data-step="upgraded"' in html


@pytest.mark.parametrize("query", ["?cohort=99999999999999999999999", "?track=abc", "?cohort=-1&page=x"])
def test_odd_filters_are_no_filter_not_a_crash(world, query):
    assert _client(factories.marketer()).get(f"/marketing/funnel/{query}").status_code == 200


def test_a_missing_cohort_is_the_404_page(world):
    assert _client(factories.marketer()).get("/marketing/funnel/?cohort=987654").status_code == 404


@pytest.mark.parametrize("make", [factories.learner, factories.instructor])
def test_learners_and_instructors_cannot_open_it(make):
    client = _client(make())
    assert client.get("/marketing/funnel/").status_code == 403
    assert client.get("/marketing/funnel.csv").status_code == 403


def test_the_cohort_list_costs_the_same_queries_however_many_cohorts(world, api_client, django_assert_num_queries):
    client = api_client(factories.marketer())
    client.get("/api/v1/alumni/funnel/cohorts")  # the token's first use records it
    with django_assert_num_queries(4) as few:  # the token, the count, the page, its figures
        assert client.get("/api/v1/alumni/funnel/cohorts").json()["count"] == 1
    for n in range(4):
        cohort = factories.cohort(
            course=world["ended"].course, starts_on=factories.local_today() - timedelta(days=90 + n), status="ended"
        )
        for _ in range(3):
            _checkin(factories.enrollment(cohort=cohort, learner=factories.learner()), 8)
    with django_assert_num_queries(len(few.captured_queries)):
        assert [row["steps"][1]["count"] for row in client.get("/api/v1/alumni/funnel/cohorts").json()["items"]][
            1:
        ] == [3] * 4
