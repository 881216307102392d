"""Billing's JSON API over HTTP (token auth), with localstripe behind it and signed webhooks."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import Payment
from billing.services.checkout import checkout_start
from tests import factories
from tests.assertions import assert_error
from tests.billing import factories as bf
from tests.billing.conftest import event, payment_intent, post_event

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.billing.api_urls")]


def test_quote_shows_the_breakdown(api_client):
    cohort = bf.cohort()
    bf.coupon(code="TEN", value=10)
    response = api_client(factories.learner()).get(f"/api/v1/cohorts/{cohort.pk}/quote?coupon=ten")
    assert response.status_code == 200
    body = response.json()
    assert body["total_minor"] == 17910
    assert [line["kind"] for line in body["lines"]] == ["list_price", "coupon"]


def test_bad_coupon_is_422_with_a_stable_code(api_client):
    cohort = bf.cohort()
    response = api_client(factories.learner()).get(f"/api/v1/cohorts/{cohort.pk}/quote?coupon=NOPE")
    assert response.status_code == 422
    assert response.json()["code"] == "coupon_not_found"


def test_an_unknown_referral_code_is_a_422_on_quote_and_checkout(api_client):
    # given a learner and a referral code nobody has
    cohort = bf.cohort()
    client = api_client(factories.learner())

    # when they price and check out with it
    quote = client.get(f"/api/v1/cohorts/{cohort.pk}/quote?referral=NOSUCHCODE")
    checkout = client.post(
        f"/api/v1/cohorts/{cohort.pk}/checkout", {"referral": "NOSUCHCODE"}, content_type="application/json"
    )

    # then both say so, and nothing is held or ordered
    assert assert_error(quote, 422, "referral_not_found")["details"]["field"] == "referral"
    assert_error(checkout, 422, "referral_not_found")
    assert not cohort.enrollments.exists()


def test_a_used_up_coupon_is_refused_by_quote_and_checkout_alike(api_client):
    cohort = bf.cohort()
    coupon = bf.coupon(code="ONCE", max_redemptions=1)
    checkout_start(learner=factories.learner(), cohort_id=cohort.pk, coupon_code=coupon.code)
    client = api_client(factories.learner())

    quote = client.get(f"/api/v1/cohorts/{cohort.pk}/quote?coupon=once")
    checkout = client.post(f"/api/v1/cohorts/{cohort.pk}/checkout", {"coupon": "once"}, content_type="application/json")

    assert quote.content == checkout.content
    assert_error(quote, 422, "coupon_exhausted")


def test_checkout_pay_webhook_active(api_client, client, localstripe):
    cohort = bf.cohort(capacity=2)
    learner = factories.learner()
    api = api_client(learner)
    response = api.post(f"/api/v1/cohorts/{cohort.pk}/checkout", {}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["enrollment_status"] == "pending_payment"
    assert body["payment"]["client_secret"].startswith(body["payment"]["provider_payment_id"])
    assert body["payment"]["test_mode"] is True
    order_id = body["order"]["id"]

    paid = api.post(
        f"/api/v1/orders/{order_id}/test-card", {"card_number": "4242424242424242"}, content_type="application/json"
    )
    assert paid.json()["state"] == "succeeded"
    assert api.get(f"/api/v1/orders/{order_id}").json()["status"] == "pending"  # not on the browser's word

    payment = Payment.objects.get(order_id=order_id)
    post_event(client, event("payment_intent.succeeded", payment_intent(payment.provider_payment_id, amount=19900)))
    order = api.get(f"/api/v1/orders/{order_id}").json()
    assert order["status"] == "paid"
    assert order["payments"][0]["captured_minor"] == 19900

    preview = api.get(f"/api/v1/enrollments/{body['enrollment_id']}/refund-preview").json()
    assert preview == {"amount_minor": 19900, "currency": "CNY", "rule": "full", "percent": 100}
    left = api.post(f"/api/v1/enrollments/{body['enrollment_id']}/withdraw").json()
    assert left["status"] == "withdrawn" and left["refund"]["amount_minor"] == 19900


def test_declined_card_answers_the_reason(api_client, localstripe):
    cohort = bf.cohort(capacity=2)
    api = api_client(factories.learner())
    order_id = api.post(f"/api/v1/cohorts/{cohort.pk}/checkout", {}, content_type="application/json").json()["order"][
        "id"
    ]
    response = api.post(
        f"/api/v1/orders/{order_id}/test-card", {"card_number": "4000000000000341"}, content_type="application/json"
    )
    assert response.json()["error_code"] == "card_declined"


def test_someone_elses_order_is_404(api_client, no_provider):
    cohort = bf.cohort()
    bf.coupon(code="FREE", value=100)
    owner = factories.learner()
    order_id = (
        api_client(owner)
        .post(f"/api/v1/cohorts/{cohort.pk}/checkout", {"coupon": "FREE"}, content_type="application/json")
        .json()["order"]["id"]
    )
    assert api_client(owner).get(f"/api/v1/orders/{order_id}").status_code == 200
    response = api_client(factories.learner()).get(f"/api/v1/orders/{order_id}")
    assert (response.status_code, response.json()["code"]) == (404, "order_not_found")
    assert api_client().get(f"/api/v1/orders/{order_id}").status_code == 401


def test_my_orders_is_paginated_with_constant_queries(api_client, no_provider):
    learner = factories.learner()
    bf.coupon(code="FREE", value=100, max_redemptions=None)
    api = api_client(learner)

    ctx_all = []

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get("/api/v1/me/orders?page_size=50")
        assert response.status_code == 200
        ctx_all.append([q["sql"][:200] for q in ctx.captured_queries])
        return len(ctx.captured_queries), response.json()

    from billing.services.checkout import checkout_start

    checkout_start(learner=learner, cohort_id=bf.cohort().pk, coupon_code="FREE")
    count_queries()  # the token's last_used_at is written on the first request only
    few, body = count_queries()
    for _ in range(4):
        checkout_start(learner=learner, cohort_id=bf.cohort().pk)
    many, body = count_queries()
    assert body["count"] == 5 and len(body["items"]) == 5
    assert many == few, ctx_all


def test_staff_refund_and_reports(api_client, client, localstripe):
    cohort = bf.cohort(capacity=2)
    learner, staff, teacher = factories.learner(), factories.staff(), factories.instructor()
    cohort.course.instructors.add(teacher)
    body = api_client(learner).post(f"/api/v1/cohorts/{cohort.pk}/checkout", {}, content_type="application/json").json()
    api_client(learner).post(
        f"/api/v1/orders/{body['order']['id']}/test-card",
        {"card_number": "4242424242424242"},
        content_type="application/json",
    )
    payment = Payment.objects.get(order_id=body["order"]["id"])
    post_event(client, event("payment_intent.succeeded", payment_intent(payment.provider_payment_id, amount=19900)))

    url = f"/api/v1/payments/{payment.pk}/refunds"
    assert api_client(learner).post(url, {"amount_minor": 100}, content_type="application/json").status_code == 403
    too_much = api_client(staff).post(url, {"amount_minor": 19901}, content_type="application/json")
    assert (too_much.status_code, too_much.json()["code"]) == (409, "refund_exceeds_capture")
    ok = api_client(staff).post(url, {"amount_minor": 900, "note": "goodwill"}, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["amount_minor"] == 900

    roster = api_client(teacher).get(f"/api/v1/cohorts/{cohort.pk}/billing-roster").json()
    assert roster["items"][0]["order_status"] == "partially_refunded"
    assert api_client(factories.instructor()).get(f"/api/v1/cohorts/{cohort.pk}/billing-roster").status_code == 404

    revenue = api_client(staff).get("/api/v1/billing/revenue").json()["items"]
    assert revenue == [
        {
            "cohort_id": cohort.pk,
            "cohort_name": cohort.name,
            "course_title": cohort.course.title,
            "currency": "CNY",
            "orders_paid": 1,
            "orders_refunded": 0,
            "captured_minor": 19900,
            "refunded_minor": 900,
            "net_minor": 19000,
            "disputes": 0,
        }
    ]
    assert api_client(learner).get("/api/v1/billing/revenue").status_code == 404
    assert api_client(staff).get("/api/v1/billing/disputes").json()["count"] == 0


@pytest.mark.parametrize("amount", [10.0, 100.5, "100", "10.0", True, None, "", 0, -5])
def test_a_refund_amount_that_is_not_a_positive_json_integer_is_422(api_client, amount):
    """Validation happens before any payment is looked up: no provider is needed."""
    response = api_client(factories.staff()).post(
        "/api/v1/payments/1/refunds", {"amount_minor": amount}, content_type="application/json"
    )
    body = assert_error(response, 422, "validation_error")
    assert "amount_minor" in json.dumps(body["details"])


def test_credit_and_referral_code(api_client):
    learner = factories.learner()
    from billing.services.credits import credit_grant

    credit_grant(learner=learner, amount_minor=500, currency="CNY")
    body = api_client(learner).get("/api/v1/me/credit").json()
    assert body["balances"] == [{"currency": "CNY", "amount_minor": 500}]
    assert body["referral_url"].endswith(f"/r/{body['referral_code']}/")


def test_openapi_document_lists_billing_paths(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/cohorts/{cohort_id}/checkout",
        "/api/v1/me/orders",
        "/api/v1/payments/{payment_id}/refunds",
        "/api/v1/enrollments/{enrollment_id}/withdraw",
    ):
        assert path in schema["paths"]


def test_provider_down_is_a_502_with_the_error_shape(api_client, no_provider):
    """``no_provider`` points the gateway at a closed loopback port: the seat is held, the provider call fails."""
    cohort = bf.cohort(capacity=2)
    response = api_client(factories.learner()).post(
        f"/api/v1/cohorts/{cohort.pk}/checkout", {}, content_type="application/json"
    )
    assert response.status_code == 502
    assert response.json()["code"] == "provider_unavailable"
    assert set(response.json()) == {"code", "message", "details"}


def test_server_timing_takes_the_providers_round_trips_out_of_our_side(api_client, localstripe, settings):
    """What bench/bench_enrollment.py relies on: app = total − provider, with localstripe really called."""
    from tests.stagewise.test_timing import parse

    settings.SERVER_TIMING = True
    cohort = bf.cohort(capacity=2)
    api = api_client(factories.learner())
    response = api.post(f"/api/v1/cohorts/{cohort.pk}/checkout", {}, content_type="application/json")
    assert response.status_code == 201, response.content
    figures = parse(response)
    assert figures["provider"] > 0  # the PaymentIntent was created at localstripe
    assert figures["app"] == pytest.approx(figures["total"] - figures["provider"], abs=0.02)
    assert figures["queries"] > 0


def test_checkout_answers_with_the_order_as_stored_without_reading_it_back(api_client, localstripe):
    """The checkout builds its answer from what it just wrote; it must match what a later read returns."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cohort = bf.cohort(capacity=2)
    api = api_client(factories.learner(name="José 🎉"))
    api.get("/api/v1/me")  # the token's last_used_at write happens here
    with CaptureQueriesContext(connection) as ctx:
        response = api.post(f"/api/v1/cohorts/{cohort.pk}/checkout", {}, content_type="application/json")
    assert response.status_code == 201, response.content
    answered = response.json()["order"]
    assert answered == api.get(f"/api/v1/orders/{answered['id']}").json()
    assert answered["payments"][0]["provider"] == "stripe" and answered["lines"][0]["kind"] == "list_price"
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in reads if 'FROM "billing_order"' in sql or 'FROM "billing_payment"' in sql], reads


def test_checking_out_again_returns_the_same_order_and_payment(api_client, localstripe):
    cohort = bf.cohort(capacity=2)
    api = api_client(factories.learner())
    first = api.post(f"/api/v1/cohorts/{cohort.pk}/checkout", {}, content_type="application/json").json()
    again = api.post(f"/api/v1/cohorts/{cohort.pk}/checkout", {}, content_type="application/json").json()
    assert again["order"] == first["order"]
    assert again["payment"]["provider_payment_id"] == first["payment"]["provider_payment_id"]
    assert len(again["order"]["payments"]) == 1


def test_a_free_checkout_answers_with_the_paid_order_and_an_active_enrollment(api_client, no_provider):
    """A zero total completes at once, without the provider: the answer shows it as stored."""
    cohort = bf.cohort()
    bf.coupon(code="FREE", value=100)
    api = api_client(factories.learner())
    body = api.post(f"/api/v1/cohorts/{cohort.pk}/checkout", {"coupon": "FREE"}, content_type="application/json").json()
    assert body["enrollment_status"] == "active" and body["payment"] is None
    assert body["order"]["status"] == "paid" and body["order"]["total_minor"] == 0
    assert body["order"] == api.get(f"/api/v1/orders/{body['order']['id']}").json()
    assert [p["provider"] for p in body["order"]["payments"]] == ["free"]
