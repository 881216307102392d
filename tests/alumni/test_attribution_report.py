"""A campaign's report: its reach, its revenue net of refunds, and its uplift against the holdout on a known example,
on the page, in the API and as CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from alumni.attribution.report import campaign_report
from alumni.models import DeliveryStatus
from billing.models import Order
from billing.statuses import OrderStatus
from stagewise.models import MailLog
from tests import factories
from tests.alumni import attribution_world as world

pytestmark = pytest.mark.django_db

DUE = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # the night the US clocks go back


@pytest.fixture(autouse=True)
def _eager(celery_eager):
    """The receiver's task runs inline."""


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _paid_order(learner, cohort, *, paid_at):
    """A paid order made directly: the uplift counts any paid order, however it came."""
    enrollment = factories.enrollment(cohort=cohort, learner=learner)
    return Order.objects.create(
        learner=learner,
        enrollment=enrollment,
        cohort=cohort,
        currency="CNY",
        total_minor=19900,
        status=OrderStatus.PAID,
        paid_at=paid_at,
    )


@pytest.fixture
def newcombe(db):
    """Newcombe's example (a) as a campaign: 56 of the 70 sent paid within the 7 days after their mail was due,
    48 of the 80 held out did. Around them, payments that fall outside each learner's window."""
    campaign = world.campaign(attribution_days=7)
    cohort = world.paid_course_cohort()
    for group, size, paying in ((DeliveryStatus.SENT, 70, 56), (DeliveryStatus.HELD_OUT, 80, 48)):
        for i in range(size):
            learner = factories.learner()
            world.delivery(campaign=campaign, learner=learner, status=group, due_at=DUE)
            if i < paying:
                _paid_order(learner, cohort, paid_at=DUE + timedelta(days=7) if i % 2 else DUE + timedelta(hours=1))
            elif i == paying:
                _paid_order(learner, cohort, paid_at=DUE - timedelta(minutes=1))  # before: not this campaign's doing
            elif i == paying + 1:
                _paid_order(learner, cohort, paid_at=DUE + timedelta(days=7, seconds=1))  # after the window
    return campaign


def test_uplift_against_the_holdout_with_newcombes_interval(newcombe, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        report = campaign_report(campaign=newcombe)

    assert (report.treated.successes, report.treated.trials) == (56, 70)
    assert (report.holdout.successes, report.holdout.trials) == (48, 80)
    assert report.uplift is not None and report.enough_data
    assert round(report.uplift.estimate, 4) == 0.2
    assert (round(report.uplift.interval.low, 4), round(report.uplift.interval.high, 4)) == (0.0524, 0.3339)


def test_the_page_shows_the_uplift_and_its_chart(newcombe):
    html = _client(factories.marketer()).get(f"/marketing/campaigns/{newcombe.pk}/report/").content.decode()
    assert 'data-testid="uplift"' in html and "+20.0" in html and "+5.2" in html and "+33.4" in html
    assert 'data-testid="rates-chart"' in html and 'data-testid="uplift-chart"' in html
    assert "80.0%" in html and "60.0%" in html


def test_the_report_as_csv(newcombe):
    response = _client(factories.marketer()).get(f"/marketing/campaigns/{newcombe.pk}/report.csv")
    assert response["Content-Disposition"] == f'attachment; filename="campaign-{newcombe.pk}-report.csv"'
    rows = {
        (metric, group): value for metric, group, value in list(csv.reader(io.StringIO(response.content.decode())))[1:]
    }
    assert rows[("sent", "")] == "70"
    assert rows[("held_out", "")] == "80"
    assert rows[("rate", "treated")] == "0.800000"
    assert rows[("rate", "holdout")] == "0.600000"
    assert rows[("uplift", "")] == "0.200000"
    assert (rows[("uplift_ci95_low", "")], rows[("uplift_ci95_high", "")]) == ("0.052431", "0.333873")
    assert rows[("uplift_method", "")] == "newcombe_hybrid_score"
    assert rows[("enough_data", "")] == "yes"


def test_the_api_report(newcombe, api_client):
    body = api_client(factories.marketer()).get(f"/api/v1/alumni/campaigns/{newcombe.pk}/report").json()
    assert body["treated"]["learners"] == 70 and body["holdout"]["paid_within_window"] == 48
    assert round(body["uplift"]["ci95_low"], 4) == 0.0524
    assert body["enough_data"] is True


def test_reach_and_revenue_net_of_refunds(client, settings, django_capture_on_commit_callbacks):
    # given a campaign that mailed three learners personal codes (two mails accepted by the server, one still queued)
    campaign = world.campaign()
    ada, bo, cai = factories.learner(), factories.learner(), factories.learner()
    world.delivery(campaign=campaign, learner=ada, due_at=DUE, code="ADA-1", mailed=True, clicked_at=DUE)
    world.delivery(campaign=campaign, learner=bo, due_at=DUE, code="BO-1", mailed=True)
    world.delivery(campaign=campaign, learner=cai, due_at=DUE)
    MailLog.objects.create(key=f"campaign:{campaign.pk}:{cai.pk}", kind="campaign", to=cai.email, subject="x")
    world.delivery(campaign=campaign, learner=factories.learner(), status=DeliveryStatus.HELD_OUT, due_at=DUE)
    # and another campaign's mail, whose key starts alike
    other = world.campaign(name="Other")
    world.delivery(campaign=other, learner=factories.learner(), mailed=True)

    # when two of them pay with their codes (one in dollars), and one gets 50.00 back
    with time_machine.travel(DUE + timedelta(days=1), tick=False):
        paid = world.pay(client, settings, django_capture_on_commit_callbacks, learner=ada, code="ADA-1")
        world.pay(
            client,
            settings,
            django_capture_on_commit_callbacks,
            learner=bo,
            code="BO-1",
            cohort=world.paid_course_cohort(price_minor=5000, currency="USD"),
        )
        world.refund(client, django_capture_on_commit_callbacks, paid, amount_minor=5000)

    # then
    report = campaign_report(campaign=campaign)
    assert (report.sent, report.delivered, report.clicked, report.held_out) == (3, 2, 1, 1)
    assert (report.converted, report.conversions) == (2, 2)
    assert [(r.currency, r.orders, r.gross_minor, r.refunded_minor, r.net_minor) for r in report.revenue] == [
        ("CNY", 1, 15920, 5000, 10920),
        ("USD", 1, 4000, 0, 4000),
    ]
    html = _client(factories.marketer()).get(f"/marketing/campaigns/{campaign.pk}/report/").content.decode()
    assert "¥109.20" in html and "$40.00" in html
    # a holdout of one is far too few to say anything
    assert not report.enough_data
    assert 'data-testid="not-enough-data"' in html and 'data-testid="uplift-chart"' not in html


def test_a_campaign_that_sent_nothing_yet(db):
    campaign = world.campaign()
    client = _client(factories.marketer())
    html = client.get(f"/marketing/campaigns/{campaign.pk}/report/").content.decode()
    assert 'data-testid="report-empty"' in html
    body = client.get(f"/marketing/campaigns/{campaign.pk}/report.csv").content.decode()
    assert "uplift,," in body
    report = campaign_report(campaign=campaign)
    assert (report.treated.rate, report.uplift, report.enough_data) == (None, None, False)


def test_campaign_results_lead_to_each_report(newcombe):
    client = _client(factories.marketer(language="zh-hans"))
    html = client.get("/marketing/results/").content.decode()
    assert f"/marketing/campaigns/{newcombe.pk}/report/" in html
    assert 'data-testid="tab-results"' in html


def test_no_campaigns_yet(db):
    html = _client(factories.marketer()).get("/marketing/results/").content.decode()
    assert 'data-testid="results-empty"' in html


def test_a_missing_or_huge_campaign_is_the_404_page(db):
    client = _client(factories.marketer())
    assert client.get("/marketing/campaigns/987654/report/").status_code == 404
    assert client.get("/marketing/campaigns/99999999999999999999999/report/").status_code == 404
    assert client.get("/marketing/campaigns/99999999999999999999999/report.csv").status_code == 404


@pytest.mark.parametrize("make", [factories.learner, factories.instructor])
def test_learners_and_instructors_cannot_open_reports(make):
    campaign = world.campaign()
    client = _client(make())
    for url in (
        "/marketing/results/",
        f"/marketing/campaigns/{campaign.pk}/report/",
        f"/marketing/campaigns/{campaign.pk}/report.csv",
    ):
        assert client.get(url).status_code == 403, url
