"""Applications are visible: the instructor is mailed when one arrives, counts lead to the queue from the
navigation, the dashboard and the cohort list; an approved learner sees "pay now" with the deadline; instructors
edit the questionnaire on a page."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from billing.models import ApplicationQuestion
from billing.services.applications import application_decide, application_submit
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


@pytest.fixture
def by_application():
    teacher = factories.instructor(name="Teacher Li", language="zh-hans")
    assistant = factories.instructor(name="Assistant", language="en")
    course = factories.course(teacher=teacher, title="SQL bootcamp", prerequisite="approval", price_minor=129900)
    course.instructors.add(assistant)
    cohort = factories.cohort(course=course, name="Bootcamp #4")
    return {"teacher": teacher, "assistant": assistant, "course": course, "cohort": cohort}


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_each_instructor_is_mailed_when_an_application_arrives(
    client, by_application, django_capture_on_commit_callbacks
):
    cohort = by_application["cohort"]
    client.force_login(factories.learner(name="José"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/cohorts/{cohort.pk}/apply/")
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {by_application["teacher"].email, by_application["assistant"].email}
    english = by_to[by_application["assistant"].email]
    assert "José" in english.subject and "Bootcamp #4" in english.subject
    assert f"/cohorts/{cohort.pk}/applications/" in english.body
    assert "1 application waits for your decision." in english.body
    assert "申请" in by_to[by_application["teacher"].email].subject


def test_a_waiting_application_shows_on_the_dashboard_tabs_nav_and_cohort_list(client, by_application):
    cohort, course = by_application["cohort"], by_application["course"]
    application_submit(learner=factories.learner(), cohort_id=cohort.pk, answers={})
    client.force_login(by_application["assistant"])

    dashboard = client.get(f"/teach/cohorts/{cohort.pk}/").content.decode()
    assert "1 application waits for your decision" in _text(dashboard)
    assert f'href="/cohorts/{cohort.pk}/applications/"' in dashboard
    tab = re.search(r'<a [^>]*data-testid="applications-tab"[^>]*>(.*?)</a>', dashboard).group(1)
    assert ">1</span>" in tab
    nav = re.search(r'<a [^>]*data-testid="nav-teach"[^>]*>(.*?)</a>', dashboard).group(1)
    assert ">1</span>" in nav

    teach = client.get("/teach/").content.decode()
    assert 'data-testid="teach-applications"' in teach and f'href="/cohorts/{cohort.pk}/applications/"' in teach
    cohorts = client.get(f"/teach/courses/{course.pk}/cohorts/").content.decode()
    link = re.search(r'<a [^>]*data-testid="applications-link"[^>]*>(.*?)</a>', cohorts).group(1)
    assert ">1</span>" in link

    queue = client.get(f"/cohorts/{cohort.pk}/applications/").content.decode()
    assert 'aria-current="page" data-testid="applications-tab"' in queue


def test_an_approved_learner_sees_pay_now_with_the_deadline_on_their_cohorts_page(client, by_application):
    cohort = by_application["cohort"]
    learner = factories.learner(timezone="Europe/Paris")
    application = application_submit(learner=learner, cohort_id=cohort.pk, answers={})
    client.force_login(learner)
    assert 'data-testid="pay-now"' not in client.get("/cohorts/mine/").content.decode()

    application_decide(actor=by_application["teacher"], application_id=application.pk, approve=True)
    application.refresh_from_db()
    html = client.get("/cohorts/mine/").content.decode()
    assert f'href="/cohorts/{cohort.pk}/enroll/" data-testid="pay-now"' in html
    assert "CN¥1,299.00" in _text(html)
    deadline = application.payment_deadline.astimezone(ZoneInfo("Europe/Paris"))
    pay_by = _text(re.search(r'data-testid="pay-by">(.*?)</div>', html, flags=re.S).group(1))
    assert deadline.strftime("%H:%M") in pay_by and "pay by" in pay_by


def test_an_instructor_edits_the_questionnaire_on_a_page(client, by_application):
    course, cohort = by_application["course"], by_application["cohort"]
    client.force_login(by_application["teacher"])
    page = client.get(f"/teach/courses/{course.pk}/questions/")
    assert page.status_code == 200 and 'name="prompt_0"' in page.content.decode()

    # when they add two questions
    client.post(
        f"/teach/courses/{course.pk}/questions/",
        {"rows": "1", "prompt_0": "Why this course?", "kind_0": "text", "required_0": "1"},
    )
    [why] = ApplicationQuestion.objects.filter(course=course)
    client.post(
        f"/teach/courses/{course.pk}/questions/",
        {
            "rows": "2",
            "id_0": str(why.pk),
            "prompt_0": "Why this course, in a few lines?",
            "kind_0": "text",
            "required_0": "1",
            "prompt_1": "Your level",
            "kind_1": "choice",
            "choices_1": "new\nsome SQL\n",
        },
    )
    # then the first keeps its id (answers given to it keep their question) and applicants see both
    questions = list(ApplicationQuestion.objects.filter(course=course).order_by("position"))
    assert [(q.pk == why.pk, q.prompt, q.kind, q.choices, q.required) for q in questions] == [
        (True, "Why this course, in a few lines?", "text", [], True),
        (False, "Your level", "choice", ["new", "some SQL"], False),
    ]
    client.force_login(factories.learner())
    enroll = client.get(f"/cohorts/{cohort.pk}/enroll/").content.decode()
    assert "Why this course, in a few lines?" in enroll and "<option>some SQL</option>" in enroll

    # a choice question with one choice is refused, and the form keeps what was typed
    client.force_login(by_application["teacher"])
    refused = client.post(
        f"/teach/courses/{course.pk}/questions/",
        {"rows": "1", "prompt_0": "Pick one", "kind_0": "choice", "choices_0": "only"},
    )
    assert refused.status_code == 422 and 'value="Pick one"' in refused.content.decode()
    assert ApplicationQuestion.objects.filter(course=course).count() == 2


def test_the_questionnaire_page_is_a_404_to_other_instructors(client, by_application):
    client.force_login(factories.instructor())
    assert client.get(f"/teach/courses/{by_application['course'].pk}/questions/").status_code == 404


def test_the_teach_tabs_link_the_questionnaire(client, by_application):
    client.force_login(by_application["teacher"])
    html = client.get(f"/teach/courses/{by_application['course'].pk}/cohorts/").content.decode()
    assert f'href="/teach/courses/{by_application["course"].pk}/questions/"' in html
