"""The marketer's coupon API: create, list with statuses, change the limit and the expiry, read redemptions.
Real database and real checkout; the clock is moved with time_machine."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from alumni.models import Campaign, Delivery
from billing.models import Coupon
from billing.services.checkout import checkout_start
from billing.services.coupons import coupon_create
from tests import factories
from tests.assertions import assert_error
from tests.billing import factories as bf

pytestmark = pytest.mark.django_db

URL = "/api/v1/alumni/coupons"
START = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night Europe's clocks go forward (01:00 UTC)


@pytest.fixture
def marketer():
    return factories.marketer(name="Mia Marketer", timezone="Asia/Shanghai")


@pytest.fixture
def api(api_client, marketer) -> Client:
    return api_client(marketer)


def _post(client: Client, body: object):
    return client.post(URL, body, content_type="application/json")


def _patch(client: Client, coupon_id: int, body: object):
    return client.patch(f"{URL}/{coupon_id}", body, content_type="application/json")


def test_create_a_coupon_and_find_it_in_the_list(api):
    course = bf.paid_course(price_minor=19900)
    response = _post(
        api,
        {
            "code": "spring26",
            "kind": "percent",
            "value": 25,
            "max_redemptions": 100,
            "course_ids": [course.pk],
            "stages": [1, 2],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "SPRING26"
    assert (body["status"], body["redemptions"], body["max_redemptions"]) == ("active", 0, 100)
    assert (body["course_ids"], body["stages"], body["personal"]) == ([course.pk], [1, 2], False)

    listed = api.get(URL).json()
    assert [item["code"] for item in listed["items"]] == ["SPRING26"]
    assert listed["count"] == 1


def test_the_same_code_in_another_case_is_409_with_a_clear_message(api):
    assert _post(api, {"code": "WELCOME", "kind": "percent", "value": 10}).status_code == 201
    body = assert_error(_post(api, {"code": "welcome", "kind": "fixed", "value": 500, "currency": "CNY"}), 409)
    assert body["code"] == "coupon_code_taken"
    assert "WELCOME" in body["message"]
    assert body["details"]["field"] == "code"


def test_a_time_without_an_offset_is_the_marketers_wall_clock(api):
    with time_machine.travel(START, tick=False):
        body = _post(
            api, {"kind": "percent", "value": 10, "valid_from": "2026-04-01T09:00", "expires_at": "2026-04-08T09:00"}
        ).json()
    # 09:00 in Shanghai is 01:00 UTC
    assert body["valid_from"].startswith("2026-04-01T01:00:00")
    assert body["expires_at"].startswith("2026-04-08T01:00:00")
    assert body["status"] == "scheduled"


def test_a_time_the_clocks_skip_is_refused(api_client):
    berlin = api_client(factories.marketer(timezone="Europe/Berlin"))
    with time_machine.travel(START, tick=False):
        response = _post(berlin, {"kind": "percent", "value": 10, "expires_at": "2026-10-25T02:30"})  # twice: fine
        assert response.status_code == 201
        skipped = _post(berlin, {"kind": "percent", "value": 10, "expires_at": "2027-03-28T02:30"})
    body = assert_error(skipped, 422, "nonexistent_local_time")
    assert body["details"]["field"] == "expires_at"


def test_statuses_and_the_filter_by_status(api, marketer):
    with time_machine.travel(START, tick=False):
        now = timezone.now()
        coupon_create(actor=marketer, code="LIVE", kind="percent", value=10)
        coupon_create(actor=marketer, code="LATER", kind="percent", value=10, valid_from=now + timedelta(days=1))
        soon = coupon_create(
            actor=marketer, code="SOON-OVER", kind="percent", value=10, expires_at=now + timedelta(hours=1)
        )
        coupon_create(actor=marketer, code="ONCE", kind="percent", value=10, max_redemptions=1)
        off = coupon_create(actor=marketer, code="OFF", kind="percent", value=10)
        checkout_start(learner=factories.learner(), cohort_id=bf.cohort().pk, coupon_code="ONCE")
        assert _patch(api, off.pk, {"is_active": False}).json()["status"] == "inactive"

    with time_machine.travel(START + timedelta(hours=2), tick=False):  # SOON-OVER has expired meanwhile
        statuses = {item["code"]: item["status"] for item in api.get(URL).json()["items"]}
        assert statuses == {
            "LIVE": "active",
            "LATER": "scheduled",
            "SOON-OVER": "expired",
            "ONCE": "used_up",
            "OFF": "inactive",
        }
        for status, code in [("active", "LIVE"), ("scheduled", "LATER"), ("expired", "SOON-OVER"), ("used_up", "ONCE")]:
            assert [i["code"] for i in api.get(f"{URL}?status={status}").json()["items"]] == [code]
        assert [i["code"] for i in api.get(f"{URL}?q=on").json()["items"]] == ["ONCE", "SOON-OVER"]
    assert soon.pk


def test_limit_never_below_the_uses_so_far(api, marketer):
    coupon = coupon_create(actor=marketer, code="TWICE", kind="percent", value=10, max_redemptions=5)
    for _ in range(2):
        checkout_start(learner=factories.learner(), cohort_id=bf.cohort().pk, coupon_code="TWICE")

    body = assert_error(_patch(api, coupon.pk, {"max_redemptions": 1}), 422, "coupon_limit_below_redemptions")
    assert body["details"] == {"field": "max_redemptions", "redemptions": 2}
    assert _patch(api, coupon.pk, {"max_redemptions": 2}).json()["status"] == "used_up"
    assert _patch(api, coupon.pk, {"unlimited": True}).json()["max_redemptions"] is None


def test_expire_now_then_give_a_new_expiry(api, marketer):
    coupon = coupon_create(actor=marketer, kind="percent", value=10)
    with time_machine.travel(START, tick=False):
        expired = _patch(api, coupon.pk, {"expire_now": True}).json()
        assert (expired["status"], expired["expires_at"][:19]) == ("expired", "2026-03-29T00:30:00")
        again = _patch(api, coupon.pk, {"expires_at": "2026-04-30T23:59:00+08:00"}).json()
        assert (again["status"], again["expires_at"][:19]) == ("active", "2026-04-30T15:59:00")
        assert _patch(api, coupon.pk, {"never_expires": True}).json()["expires_at"] is None


def test_a_redeemed_coupon_shows_its_redemptions_without_card_details(api, marketer):
    coupon = coupon_create(actor=marketer, code="HALF", kind="percent", value=50)
    learner = factories.learner(name="张伟", email="zhang@example.test")
    result = checkout_start(
        learner=learner, cohort_id=bf.cohort(course=bf.paid_course(price_minor=20000)).pk, coupon_code="half"
    )

    page = api.get(f"{URL}/{coupon.pk}/redemptions").json()
    assert page["count"] == 1
    row = page["items"][0]
    assert row["learner_name"] == "张伟" and row["learner_email"] == "zhang@example.test"
    assert (row["order_id"], row["amount_off_minor"], row["order_total_minor"]) == (result.order.pk, 10000, 10000)
    assert not any("card" in key or "payment" in key for key in row)
    detail = api.get(f"{URL}/{coupon.pk}").json()
    assert (detail["redemptions"], detail["discount_totals"]) == (1, [{"currency": "CNY", "amount_minor": 10000}])


def test_personal_offer_codes_are_listed_apart_with_their_campaign(api, marketer):
    learner = factories.learner(name="Maya", email="maya@example.test")
    personal = coupon_create(actor=marketer, code="MAYA-7Q2K", kind="percent", value=20, learner=learner)
    campaign = Campaign.objects.create(
        name="Come back", created_by=marketer, subject_en="s", body_en="b", subject_zh="s", body_zh="b"
    )
    Delivery.objects.create(campaign=campaign, learner=learner, due_at=timezone.now(), coupon=personal)
    coupon_create(actor=marketer, code="EVERYONE", kind="percent", value=5)

    assert [i["code"] for i in api.get(URL).json()["items"]] == ["EVERYONE"]
    items = api.get(f"{URL}?personal=true").json()["items"]
    assert [i["code"] for i in items] == ["MAYA-7Q2K"]
    assert items[0]["learner"] == {"id": learner.pk, "display_name": "Maya", "email": "maya@example.test"}
    assert items[0]["campaign"] == {"id": campaign.pk, "name": "Come back"}
    assert [i["code"] for i in api.get(f"{URL}?personal=true&q=maya@").json()["items"]] == ["MAYA-7Q2K"]


def test_the_list_reads_a_fixed_number_of_queries(api, marketer, django_assert_max_num_queries):
    def redeemed(code: str) -> None:
        course = bf.paid_course()
        coupon_create(actor=marketer, code=code, kind="percent", value=10, course_ids=[course.pk])
        checkout_start(learner=factories.learner(), cohort_id=bf.cohort(course=course).pk, coupon_code=code)

    for n in range(3):
        redeemed(f"FEW{n}")
    with django_assert_max_num_queries(10) as few:
        api.get(URL)
    for n in range(12):
        redeemed(f"MANY{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(URL).json()["items"]) == 15


def test_an_unknown_coupon_is_404(api):
    assert_error(api.get(f"{URL}/999999"), 404, "coupon_not_found")
    assert_error(_patch(api, 999999, {"is_active": False}), 404, "coupon_not_found")
    assert_error(api.get(f"{URL}/999999/redemptions"), 404, "coupon_not_found")


@pytest.mark.parametrize(
    "body",
    [
        None,
        '"SPRING"',
        [],
        {},
        {"kind": "percent"},
        {"kind": "percent", "value": "10"},
        {"kind": "percent", "value": 10.5},
        {"kind": "percent", "value": -1},
        {"kind": "percent", "value": 2**70},
        {"kind": "percent", "value": 101},
        {"kind": "percent", "value": True},
        {"kind": "free", "value": 10},
        {"kind": "fixed", "value": 100},
        {"kind": "fixed", "value": 100, "currency": "€€€"},
        {"kind": "fixed", "value": 100, "currency": "1234"},
        {"kind": "percent", "value": 10, "code": "x" * 41},
        {"kind": "percent", "value": 10, "code": "a b"},
        {"kind": "percent", "value": 10, "code": "\u0000\u202e"},
        {"kind": "percent", "value": 10, "code": "💸💸💸"},
        {"kind": "percent", "value": 10, "expires_at": "9999-12-31T23:59:59-10:00"},
        {"kind": "percent", "value": 10, "valid_from": "0001-01-01T00:00:00+05:00"},
        {"kind": "percent", "value": 10, "expires_at": "0001-01-01T00:30:00"},
        {"kind": "percent", "value": 10, "expires_at": "tomorrow"},
        {"kind": "percent", "value": 10, "expires_at": "2026-02-30T10:00:00Z"},
        {"kind": "percent", "value": 10, "max_redemptions": 0},
        {"kind": "percent", "value": 10, "max_redemptions": 2**40},
        {"kind": "percent", "value": 10, "min_amount_minor": -5},
        {"kind": "percent", "value": 10, "min_amount_minor": 100},
        {"kind": "percent", "value": 10, "course_ids": [2**63]},
        {"kind": "percent", "value": 10, "course_ids": [0]},
        {"kind": "percent", "value": 10, "course_ids": [123456789]},
        {"kind": "percent", "value": 10, "course_ids": "1,2"},
        {"kind": "percent", "value": 10, "stages": [0]},
        {"kind": "percent", "value": 10, "stages": [2**40]},
    ],
)
def test_strange_input_on_create_is_a_422_never_a_500(api, body):
    with time_machine.travel(START, tick=False):
        response = (
            api.post(URL, body, content_type="application/json")
            if body is not None
            else api.post(URL, "null", content_type="application/json")
        )
    assert_error(response, 422)
    assert not Coupon.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"max_redemptions": 0},
        {"max_redemptions": "many"},
        {"max_redemptions": 2**70},
        {"unlimited": True, "max_redemptions": 3},
        {"expires_at": "2000-01-01T00:00:00Z"},
        {"expires_at": "9999-12-31T23:59:59-10:00"},
        {"expire_now": True, "never_expires": True},
        {"expire_now": True, "expires_at": "2030-01-01T00:00:00Z"},
        {"is_active": "maybe"},
        ["is_active"],
    ],
)
def test_strange_input_on_update_is_a_422_never_a_500(api, marketer, body):
    coupon = coupon_create(actor=marketer, kind="percent", value=10, max_redemptions=3)
    with time_machine.travel(START, tick=False):
        assert_error(_patch(api, coupon.pk, body), 422)
    coupon.refresh_from_db()
    assert (coupon.max_redemptions, coupon.expires_at, coupon.is_active) == (3, None, True)


def test_explicit_nulls_in_a_patch_change_nothing(api, marketer):
    coupon = coupon_create(actor=marketer, kind="percent", value=10, max_redemptions=3)
    body = _patch(api, coupon.pk, {"max_redemptions": None, "expires_at": None, "is_active": None}).json()
    assert (body["max_redemptions"], body["expires_at"], body["is_active"]) == (3, None, True)


@pytest.mark.parametrize("query", ["status=bogus", "page=0", "page_size=-1", "q=" + "x" * 101, "personal=maybe"])
def test_strange_list_queries_are_422(api, query):
    assert_error(api.get(f"{URL}?{query}"), 422)


def test_search_with_odd_characters_finds_nothing_and_does_not_break(api, marketer):
    coupon_create(actor=marketer, code="PLAIN", kind="percent", value=10)
    for q in ["%", "_", "'; DROP TABLE", "\\", "张"]:
        response = api.get(URL, {"q": q})
        assert response.status_code == 200
        assert response.json()["items"] == []
