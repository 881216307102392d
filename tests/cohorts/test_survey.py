"""The end-of-cohort survey: members of an ended cohort answer once (score 0–10 and optional questions); instructors
of the course, marketers and staff see the answers and the NPS, per cohort and per stage over time."""

from datetime import timedelta

import pytest
from django.test import Client

from cohorts.charts import nps_chart
from cohorts.completion.services import cohort_outcomes_evaluate
from cohorts.statuses import CohortStatus
from cohorts.survey.selectors import nps_of
from cohorts.survey.services import survey_questions_set, survey_submit
from stagewise.errors import ApplicationError
from tests import factories


def test_nps_is_promoters_minus_detractors_in_percent():
    nps = nps_of([10, 9, 9, 8, 7, 6, 0, 3])  # 3 promoters, 2 passives, 3 detractors of 8
    assert (nps.promoters, nps.passives, nps.detractors, nps.score) == (3, 2, 3, 0)
    assert nps_of([10, 10, 6]).score == 33
    assert nps_of([]).score is None


def test_the_chart_draws_a_line_per_stage_and_leaves_out_cohorts_without_answers():
    from datetime import date

    chart = nps_chart(
        points=[
            (1, date(2026, 1, 31), 40, 1),
            (1, date(2026, 3, 31), -20, 2),
            (2, date(2026, 2, 28), 100, 3),
            (2, date(2026, 4, 30), None, 4),
        ]
    )
    assert [s.stage for s in chart.series] == [1, 2]
    first, second = chart.series[0].points
    assert first.x < second.x and first.y < second.y  # later, and lower (y grows downward)
    assert [p.key for p in chart.series[1].points] == [3]
    top, bottom = chart.grid[-1].y, chart.grid[0].y  # 100 and -100
    assert chart.series[1].points[0].y == top and top < bottom
    # the time axis is dated at both ends; negative labels carry a true minus sign
    assert [(label.on, label.anchor) for label in chart.xlabels] == [
        (date(2026, 1, 31), "start"),
        (date(2026, 3, 31), "end"),
    ]
    assert chart.grid[0].label == "\u2212100" and bottom == chart.axis_y < chart.height
    single = nps_chart(points=[(1, date(2026, 1, 31), 10, 1)])
    assert [label.anchor for label in single.xlabels] == ["middle"]
    assert nps_chart(points=[]).xlabels == []


@pytest.fixture
def ended(db):
    teacher = factories.instructor(name="Teacher")
    course = factories.course(teacher=teacher, stage=2, stage_label="Bootcamp")
    cohort = factories.cohort(
        course=course, starts_on=factories.local_today() - timedelta(days=10), status=CohortStatus.ENDED
    )
    people = [factories.learner(name=name) for name in ("张伟", "José", "Ana")]
    for person in people:
        factories.enrollment(cohort=cohort, learner=person)
    cohort_outcomes_evaluate(cohort_id=cohort.pk)
    cohort.refresh_from_db()
    return {"cohort": cohort, "teacher": teacher, "people": people}


def test_a_member_answers_once_with_the_cohorts_questions(ended):
    cohort, (zhang, jose, _ana) = ended["cohort"], ended["people"]
    survey_questions_set(actor=ended["teacher"], cohort_id=cohort.pk, questions=["最有用的是什么？", "", "What next?"])
    answer = survey_submit(learner=zhang, cohort_id=cohort.pk, score=9, answers=["每天的反馈", ""])
    assert answer.answers == [{"question": "最有用的是什么？", "answer": "每天的反馈"}]  # empty answers are left out
    with pytest.raises(ApplicationError) as twice:
        survey_submit(learner=zhang, cohort_id=cohort.pk, score=3, answers=[])
    assert twice.value.code == "survey_answered"
    for bad in (11, -1):
        with pytest.raises(ApplicationError) as refused:
            survey_submit(learner=jose, cohort_id=cohort.pk, score=bad, answers=[])
        assert refused.value.code == "invalid_score"
    with pytest.raises(ApplicationError) as stranger:
        survey_submit(learner=factories.learner(), cohort_id=cohort.pk, score=5, answers=[])
    assert stranger.value.code in ("cohort_not_found", "not_enrolled")


def test_the_survey_is_closed_while_the_cohort_runs(db):
    course = factories.course()
    cohort = factories.cohort(course=course, starts_on=factories.local_today(), status=CohortStatus.RUNNING)
    learner = factories.learner()
    factories.enrollment(cohort=cohort, learner=learner)
    with pytest.raises(ApplicationError) as early:
        survey_submit(learner=learner, cohort_id=cohort.pk, score=8, answers=[])
    assert early.value.code == "survey_not_open"


def test_the_api_lets_members_answer_and_readers_see_the_nps(ended, api_client):
    cohort, (zhang, jose, ana) = ended["cohort"], ended["people"]
    url = f"/api/v1/cohorts/{cohort.pk}/survey"
    mine = api_client(zhang).get(url).json()
    assert mine["open"] is True and mine["response"] is None and len(mine["questions"]) == 2
    for person, score in ((zhang, 10), (jose, 9), (ana, 4)):
        response = api_client(person).post(url, {"score": score, "answers": ["ok"]}, content_type="application/json")
        assert response.status_code == 201, response.content
    again = api_client(ana).post(url, {"score": 10}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "survey_answered"
    assert api_client(ana).post(url, {"score": 12}, content_type="application/json").status_code == 422

    summary = {"responses": 3, "promoters": 2, "passives": 0, "detractors": 1, "nps": 33}
    for reader in (ended["teacher"], factories.marketer(), factories.staff()):
        assert api_client(reader).get(f"{url}/summary").json() == summary
    assert api_client(factories.instructor()).get(f"{url}/summary").status_code == 404
    assert api_client(zhang).get(f"{url}/responses").status_code == 404
    assert api_client(ended["teacher"]).get(f"{url}/responses").json()["count"] == 3
    rows = api_client(factories.marketer()).get("/api/v1/surveys/nps").json()["items"]
    assert rows == [
        {
            "cohort_id": cohort.pk,
            "cohort_name": cohort.name,
            "course_id": cohort.course_id,
            "course_title": cohort.course.title,
            "track_title": cohort.course.track.title,
            "stage": 2,
            "ended_on": cohort.ends_on.isoformat(),
            "members": 3,
            "responses": 3,
            "nps": 33,
        }
    ]
    assert api_client(zhang).get("/api/v1/surveys/nps").status_code == 404
    assert Client().get("/api/v1/surveys/nps").status_code == 401


def test_pages_the_member_answers_on_and_the_instructor_and_marketer_read(ended, client):
    cohort, (zhang, *_others) = ended["cohort"], ended["people"]
    client.force_login(zhang)
    detail = client.get(f"/cohorts/{cohort.pk}/").content.decode()
    assert 'data-testid="survey-link"' in detail
    form = client.get(f"/cohorts/{cohort.pk}/survey/").content.decode()
    assert 'data-testid="survey-form"' in form and form.count('name="score"') == 11
    missing = client.post(f"/cohorts/{cohort.pk}/survey/", {"answer-0": "x"})
    assert "Pick a score from 0 to 10." in missing.content.decode()
    sent = client.post(f"/cohorts/{cohort.pk}/survey/", {"score": "10", "answer-0": "每天的反馈 🎉"})
    assert sent.status_code == 302
    assert "You answered the survey" in client.get(f"/cohorts/{cohort.pk}/").content.decode()

    client.force_login(ended["teacher"])
    results = client.get(f"/teach/cohorts/{cohort.pk}/survey/").content.decode()
    assert 'data-testid="nps"' in results and "每天的反馈 🎉" in results and 'data-testid="score-chart"' in results
    client.post(f"/teach/cohorts/{cohort.pk}/survey/questions/", {"questions": "Q1\nQ2\nQ3\nQ4\nQ5\nQ6"})
    assert "Ask at most 5 questions." in client.get(f"/teach/cohorts/{cohort.pk}/survey/").content.decode()

    marketer = factories.marketer()
    client.force_login(marketer)
    insights = client.get("/insights/surveys/").content.decode()
    assert 'data-testid="nps-chart"' in insights and 'data-testid="nav-insights"' in insights
    assert client.get(f"/teach/cohorts/{cohort.pk}/survey/").status_code == 200  # read-only for marketers
    client.force_login(zhang)
    assert client.get("/insights/surveys/").status_code == 404
