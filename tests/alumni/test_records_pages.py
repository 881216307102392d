"""The marketer's alumni pages: the list (search, filters, pages, empty states), a record, the dashboard's RFM bar;
in both languages, with names in any script."""

import pytest
from django.test import Client

from accounts.consent import consent_set
from accounts.models import MailTopic
from alumni.models import AlumniRecord, ImportedFacts
from alumni.records.scoring import records_rfm_score
from alumni.records.services import records_refresh
from tests import factories
from tests.alumni import records_helpers as h

pytestmark = pytest.mark.django_db

NAMES = ["张伟", "𠮷野家 🍜", "José Álvarez", "Zoë 👩‍🎓"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _alumni():
    course = factories.course(stage=1)
    people = []
    for i, name in enumerate(NAMES):
        learner = factories.learner(name=name, email=f"alum{i}@example.test")
        enrollment = factories.enrollment(
            cohort=h.ended_cohort(course=course, ended_days_ago=10 + 30 * i), learner=learner
        )
        h.outcome(enrollment=enrollment, completed=i % 2 == 0)
        h.paid_order(enrollment=enrollment, amount=19900 * (i + 1))
        people.append(learner)
    consent_set(user=people[0], topic=MailTopic.MARKETING, subscribed=True, source="profile")
    records_refresh(learner_ids=[p.pk for p in people])
    records_rfm_score()
    return people


def test_the_alumni_tab_leads_to_the_list_with_every_name_as_written():
    people = _alumni()
    marketer = _client(factories.marketer())

    dashboard = marketer.get("/marketing/").content.decode()
    assert 'data-testid="tab-alumni"' in dashboard
    page = marketer.get("/marketing/alumni/").content.decode()

    for name in NAMES:
        assert name in page
    assert f'href="/marketing/alumni/{people[0].pk}/"' in page
    assert "4 alumni" in page


def test_search_and_filters_narrow_the_list():
    people = _alumni()
    marketer = _client(factories.marketer())

    by_name = marketer.get("/marketing/alumni/", {"q": "𠮷野"}).content.decode()
    assert "𠮷野家" in by_name and "张伟" not in by_name
    by_email = marketer.get("/marketing/alumni/", {"q": "ALUM0@"}).content.decode()
    assert "张伟" in by_email and "José" not in by_email
    consenting = marketer.get("/marketing/alumni/", {"consent": "yes"}).content.decode()
    assert "张伟" in consenting and "Zoë" not in consenting
    stage_one = marketer.get("/marketing/alumni/", {"stage": "1"}).content.decode()
    assert "张伟" in stage_one and "𠮷野家" not in stage_one  # 𠮷野家 did not complete
    group = AlumniRecord.objects.get(learner=people[3]).rfm_group
    in_group = marketer.get("/marketing/alumni/", {"group": group}).content.decode()
    assert "Zoë" in in_group


def test_nothing_matching_and_nothing_at_all_are_explained():
    marketer = _client(factories.marketer())
    assert 'data-testid="records-empty"' in marketer.get("/marketing/alumni/").content.decode()
    assert "No alumni yet" in marketer.get("/marketing/alumni/").content.decode()
    _alumni()
    none = marketer.get("/marketing/alumni/", {"q": "nobody-at-all"}).content.decode()
    assert "No one matches these filters" in none


@pytest.mark.parametrize(
    "query",
    [{"page": "999999999999"}, {"stage": "x"}, {"stage": "99999999"}, {"group": "<script>"}, {"consent": "maybe"}],
)
def test_unreadable_filters_never_break_the_list(query):
    _alumni()
    assert _client(factories.marketer()).get("/marketing/alumni/", query).status_code == 200


def test_the_list_comes_in_pages_of_25():
    course = factories.course()
    cohort = h.ended_cohort(course=course)
    learners = [factories.learner(name=f"Alum {i:02d}") for i in range(30)]
    for learner in learners:
        factories.enrollment(cohort=cohort, learner=learner)
    records_refresh(learner_ids=[p.pk for p in learners])
    marketer = _client(factories.marketer())

    first = marketer.get("/marketing/alumni/").content.decode()
    second = marketer.get("/marketing/alumni/", {"page": 2}).content.decode()

    assert first.count("data-learner=") == 25
    assert second.count("data-learner=") == 5
    assert 'rel="next"' in first


def test_a_record_shows_every_fact_consent_history_source_and_cohorts_in_chinese():
    people = _alumni()
    learner = people[0]
    ImportedFacts.objects.create(learner=learner, source="小鹅通导出 2025", cohorts_taken=2)
    records_refresh(learner_ids=[learner.pk])
    page = _client(factories.marketer(language="zh-hans")).get(f"/marketing/alumni/{learner.pk}/").content.decode()

    assert "张伟" in page
    assert "小鹅通导出 2025" in page
    assert 'data-fact="cohorts_taken">3<' in page
    assert "订阅" in page  # consent, in Chinese
    assert 'data-testid="record-cohorts"' in page
    assert "4242" not in page and "card" not in page.lower().replace("card-", "").replace('class="card', "").replace(
        " card", ""
    )


def test_a_record_of_someone_without_one_is_404_and_learners_get_403():
    learner = factories.learner()
    assert _client(factories.marketer()).get(f"/marketing/alumni/{learner.pk}/").status_code == 404
    _alumni()
    record = AlumniRecord.objects.first()
    for person in (factories.learner(), factories.instructor()):
        assert _client(person).get(f"/marketing/alumni/{record.learner_id}/").status_code == 403
        assert _client(person).get("/marketing/alumni/").status_code == 403


def test_the_dashboard_shows_the_rfm_groups():
    _alumni()
    page = _client(factories.marketer()).get("/marketing/").content.decode()
    assert 'data-testid="rfm-groups"' in page
    assert "/marketing/alumni/?group=champions" in page
    counts = {
        group: int(page.split(f'data-group="{group}">')[1].split("<")[0])
        for group in ["champions", "loyal", "promising", "new", "at_risk", "hibernating", "lost"]
    }
    assert sum(counts.values()) == 4
