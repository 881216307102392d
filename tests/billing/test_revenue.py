"""The staff revenue report (page and API) over a range of days in the viewer's zone, and handling disputes."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from billing.models import Dispute, Payment
from billing.services.refunds import staff_refund
from tests import factories
from tests.assertions import assert_error
from tests.billing import factories as bf
from tests.billing.test_refunds import paid

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 12, 15, 4, 0, tzinfo=UTC)  # noon on 15 December in Shanghai


def _at(instant: datetime):
    return time_machine.travel(instant, tick=True)


def _cohort(**course_fields):
    course = bf.paid_course(**course_fields)
    return bf.cohort(course=course, starts_on=date(2027, 1, 10), enrollment_opens_on=date(2026, 11, 1), capacity=10)


@pytest.fixture
def december(localstripe):
    """Orders paid and refunded around December 2026, staff's "today" being 15 December.

    CNY, December in Shanghai: A paid 1 Dec 01:00 (still 30 Nov in UTC); B paid 5 Dec, refunded in full 6 Dec;
    C paid 3 Dec, 50.00 refunded 7 Dec; E paid 20 Nov (before the range), 10.00 refunded 2 Dec. USD: D paid 4 Dec.
    """
    staff = factories.staff(timezone="Asia/Shanghai")
    with _at(datetime(2026, 11, 10, 4, 0, tzinfo=UTC)):
        cny, usd = _cohort(), _cohort(currency="USD", price_minor=4900)
    with _at(datetime(2026, 11, 20, 4, 0, tzinfo=UTC)):
        e = paid(cohort=cny)
    with _at(datetime(2026, 11, 30, 17, 0, tzinfo=UTC)):
        paid(cohort=cny)  # A
    with _at(datetime(2026, 12, 2, 4, 0, tzinfo=UTC)):
        staff_refund(actor=staff, payment_id=e.pk, amount_minor=1000)
    with _at(datetime(2026, 12, 3, 4, 0, tzinfo=UTC)):
        c = paid(cohort=cny)
    with _at(datetime(2026, 12, 4, 4, 0, tzinfo=UTC)):
        paid(cohort=usd)  # D
    with _at(datetime(2026, 12, 5, 4, 0, tzinfo=UTC)):
        b = paid(cohort=cny)
    with _at(datetime(2026, 12, 6, 4, 0, tzinfo=UTC)):
        staff_refund(actor=staff, payment_id=b.pk, amount_minor=19900)
    with _at(datetime(2026, 12, 7, 4, 0, tzinfo=UTC)):
        staff_refund(actor=staff, payment_id=c.pk, amount_minor=5000)
    return {"staff": staff, "cny": cny, "usd": usd}


def test_totals_per_currency_count_refunded_orders_apart_in_the_viewers_days(december, api_client):
    with _at(TODAY):
        body = api_client(december["staff"]).get("/api/v1/billing/revenue/totals?from=2026-12-01&to=2026-12-15").json()
        utc_staff = factories.staff(timezone="UTC")
        utc = api_client(utc_staff).get("/api/v1/billing/revenue/totals?from=2026-12-01&to=2026-12-15").json()
        rows = api_client(december["staff"]).get("/api/v1/billing/revenue?from=2026-12-01&to=2026-12-15").json()
    assert (body["from"], body["to"], body["timezone"]) == ("2026-12-01", "2026-12-15", "Asia/Shanghai")
    assert body["totals"] == [
        {
            "currency": "CNY",
            "captured_minor": 3 * 19900,  # A, B, C: captured in the range (E before it)
            "refunded_minor": 19900 + 5000 + 1000,  # B, C, and E's refund issued in the range
            "net_minor": 3 * 19900 - 25900,
            "orders_paid": 2,  # A and C; B was refunded in full
            "orders_refunded": 1,
        },
        {
            "currency": "USD",
            "captured_minor": 4900,
            "refunded_minor": 0,
            "net_minor": 4900,
            "orders_paid": 1,
            "orders_refunded": 0,
        },
    ]
    # For a reader in UTC, A was paid on 30 November: not in their December.
    assert utc["totals"][0]["captured_minor"] == 2 * 19900 and utc["totals"][0]["orders_paid"] == 1
    by_cohort = {row["cohort_id"]: row for row in rows["items"]}
    assert by_cohort[december["cny"].pk]["orders_paid"] == 2
    assert by_cohort[december["cny"].pk]["orders_refunded"] == 1
    assert by_cohort[december["cny"].pk]["net_minor"] == 59700 - 25900


def test_the_revenue_page_shows_the_range_totals_and_paid_orders_without_refunded_ones(december, client):
    with _at(TODAY):
        client.force_login(december["staff"])  # signed in at the instant it travels to: a session can expire
        html = client.get("/billing/revenue/?from=2026-12-01&to=2026-12-15").content.decode()
        default = client.get("/billing/revenue/").content.decode()
        before = client.get("/billing/revenue/?from=2026-10-01&to=2026-10-31").content.decode()
    cny = html[html.index('data-currency="CNY"') :]
    assert re.search(r'data-figure="captured">CN¥597\.00<', cny)
    assert re.search(r'data-figure="refunded">CN¥259\.00<', cny)
    assert re.search(r'data-figure="net">CN¥338\.00<', cny)
    assert "2 paid orders" in cny and "1 refunded in full" in cny
    row = html[html.index(f'data-cohort="{december["cny"].pk}"') :]
    assert re.search(r'data-figure="orders_paid">2<', row) and re.search(r'data-figure="orders_refunded">1<', row)
    assert 'data-currency="USD"' in html
    # the default is the last 30 days: 16 November to 15 December, E's capture included
    assert 'name="from" value="2026-11-16"' in default and 'name="to" value="2026-12-15"' in default
    assert re.search(r'data-figure="captured">CN¥796\.00<', default)
    # a month with nothing in it says so
    assert "Nothing paid or refunded in these days" in before and "data-cohort=" not in before


def test_a_range_that_ends_before_it_starts_is_refused(api_client, client):
    staff = factories.staff()
    response = api_client(staff).get("/api/v1/billing/revenue/totals?from=2026-12-02&to=2026-12-01")
    assert assert_error(response, 422, "invalid_range")
    assert_error(api_client(staff).get("/api/v1/billing/revenue?from=2026-13-01"), 422, "validation_error")
    client.force_login(staff)
    page = client.get("/billing/revenue/?from=2026-12-02&to=2026-12-01").content.decode()
    assert "The range starts after it ends" in page


def _dispute(cohort) -> Dispute:
    payment = paid(cohort=cohort)
    return Dispute.objects.create(
        payment=payment,
        enrollment_id=payment.order.enrollment_id,
        provider_dispute_id=f"dp_{payment.pk}",
        amount_minor=payment.captured_minor,
        currency=payment.currency,
        reason="fraudulent",
    )


def test_staff_mark_a_dispute_handled_on_the_page_and_the_note_stays(localstripe, client):
    dispute = _dispute(bf.cohort(capacity=5))
    url = f"/billing/disputes/{dispute.pk}/handle/"
    client.force_login(factories.learner())
    assert client.post(url, {"note": "mine"}).status_code == 404

    staff = factories.staff(name="Ops Ada")
    client.force_login(staff)
    page = client.get("/billing/revenue/").content.decode()
    assert f'action="{url}"' in page
    blank = client.post(url, {"note": "  "}, follow=True).content.decode()
    assert "Write what you did about the dispute." in blank
    assert Dispute.objects.get(pk=dispute.pk).status == "open"

    done = client.post(url, {"note": "Evidence sent to the bank.", "next": "/billing/revenue/"}, follow=True)
    html = done.content.decode()
    assert "Dispute marked handled" in html
    handled = html[html.index("Recently handled") :]
    assert "Ops Ada" in handled and "Evidence sent to the bank." in handled
    assert f'action="{url}"' not in html  # no longer in the open list
    again = client.post(url, {"note": "Refunded instead."}, follow=True).content.decode()
    assert "Someone has already handled this dispute." in again
    dispute.refresh_from_db()
    assert (dispute.status, dispute.handled_by_id, dispute.handled_note) == (
        "closed",
        staff.pk,
        "Evidence sent to the bank.",
    )
    assert dispute.handled_at is not None


def test_staff_handle_a_dispute_through_the_api_with_documented_errors(localstripe, api_client):
    dispute = _dispute(bf.cohort(capacity=5))
    staff = factories.staff()
    url = f"/api/v1/billing/disputes/{dispute.pk}/handle"
    assert_error(api_client(factories.learner()).post(url, {"note": "x"}, content_type="application/json"), 404)
    assert_error(api_client(staff).post(url, {"note": "   "}, content_type="application/json"), 422, "note_required")
    assert_error(api_client(staff).post(url, {}, content_type="application/json"), 422, "validation_error")
    ok = api_client(staff).post(url, {"note": "Won: evidence accepted."}, content_type="application/json")
    assert ok.status_code == 200
    body = ok.json()
    assert (body["status"], body["handled_by_email"], body["handled_note"]) == (
        "closed",
        staff.email,
        "Won: evidence accepted.",
    )
    assert body["handled_at"]
    second = api_client(factories.staff()).post(url, {"note": "Lost."}, content_type="application/json")
    assert_error(second, 409, "dispute_already_handled")
    assert_error(
        api_client(staff).post(
            "/api/v1/billing/disputes/999999/handle", {"note": "x"}, content_type="application/json"
        ),
        404,
        "dispute_not_found",
    )
    listed = api_client(staff).get("/api/v1/billing/disputes?status=closed").json()["items"]
    assert [(d["id"], d["handled_note"]) for d in listed] == [(dispute.pk, "Won: evidence accepted.")]
    assert api_client(staff).get("/api/v1/billing/disputes?status=open").json()["count"] == 0

    document = Client().get("/api/v1/openapi.json").json()
    responses = document["paths"]["/api/v1/billing/disputes/{dispute_id}/handle"]["post"]["responses"]
    assert {"200", "404", "409", "422"} <= set(responses)
    assert "dispute_already_handled" in responses["409"]["description"]
    assert responses["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    totals = document["paths"]["/api/v1/billing/revenue/totals"]["get"]["responses"]
    assert "invalid_range" in totals["422"]["description"]
    assert Payment.objects.count() == 1


def test_the_report_reads_the_same_number_of_queries_for_one_cohort_or_many(localstripe, client, api_client):
    staff = factories.staff()
    api = api_client(staff)
    client.force_login(staff)

    def count(url: str, reader) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert reader.get(url).status_code == 200
        return len(ctx.captured_queries)

    paid(cohort=bf.cohort(capacity=5))
    api.get("/api/v1/billing/revenue")  # the token's last_used_at is written on the first request only
    few = (count("/api/v1/billing/revenue", api), count("/billing/revenue/", client))
    for _ in range(3):
        paid(cohort=bf.cohort(capacity=5))
    many = (count("/api/v1/billing/revenue", api), count("/billing/revenue/", client))
    assert many == few
