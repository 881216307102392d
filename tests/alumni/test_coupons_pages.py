"""The marketer's coupon pages: reachable from the workspace's tabs, closed to learners and instructors, a coupon
made on the page works at checkout, times typed in the marketer's zone, redemptions with CSV, both languages."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from billing.models import Coupon
from billing.services.checkout import checkout_start
from billing.services.coupons import coupon_create
from tests import factories
from tests.billing import factories as bf

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def marketer():
    return factories.marketer(name="Mia", timezone="Asia/Shanghai")


def test_the_coupons_tab_leads_to_an_empty_list_that_says_what_to_do(marketer):
    client = _client(marketer)
    dashboard = client.get("/marketing/").content.decode()
    assert 'href="/marketing/coupons/"' in dashboard
    page = client.get("/marketing/coupons/").content.decode()
    assert 'data-testid="coupons-empty"' in page and "No coupons yet" in page
    personal = client.get("/marketing/coupons/?kind=personal").content.decode()
    assert "No personal offer codes yet" in personal


@pytest.mark.parametrize("make", [factories.learner, factories.instructor])
def test_learners_and_instructors_get_403_on_every_coupon_page(make):
    coupon = bf.coupon()
    client = _client(make())
    for url in [
        "/marketing/coupons/",
        "/marketing/coupons/new/",
        f"/marketing/coupons/{coupon.pk}/",
        f"/marketing/coupons/{coupon.pk}/redemptions.csv",
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post("/marketing/coupons/new/", {"kind": "percent", "percent": "10"}).status_code == 403
    assert client.post(f"/marketing/coupons/{coupon.pk}/action/", {"action": "deactivate"}).status_code == 403
    assert Coupon.objects.count() == 1 and Coupon.objects.get().is_active


def test_anonymous_visitors_are_sent_to_log_in():
    response = Client().get("/marketing/coupons/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_coupon_made_on_the_page_works_at_checkout_in_the_marketers_time(marketer):
    course = bf.paid_course(price_minor=19900)
    with time_machine.travel(START, tick=False):
        response = _client(marketer).post(
            "/marketing/coupons/new/",
            {
                "code": "newyear",
                "kind": "fixed",
                "amount": "50.50",
                "currency": "CNY",
                "expires_at": "2027-01-02T09:00",  # Shanghai: 01:00 UTC
                "max_redemptions": "10",
                "courses": [str(course.pk)],
            },
        )
    coupon = Coupon.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/marketing/coupons/{coupon.pk}/"
    assert (coupon.code, coupon.kind, coupon.value, coupon.currency) == ("NEWYEAR", "fixed", 5050, "CNY")
    assert coupon.expires_at == datetime(2027, 1, 2, 1, 0, tzinfo=UTC)
    assert list(coupon.courses.all()) == [course]

    with time_machine.travel(START + timedelta(hours=1), tick=False):
        result = checkout_start(
            learner=factories.learner(), cohort_id=bf.cohort(course=course).pk, coupon_code="NewYear"
        )
    assert result.order.total_minor == 19900 - 5050


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "percent", "percent": "120"}, "100"),
        ({"kind": "percent"}, "How many percent off?"),
        ({"kind": "fixed", "amount": "10"}, "Choose the currency of the amount."),
        ({"kind": "fixed", "amount": "10.005", "currency": "CNY"}, "decimal"),
        ({"kind": "fixed", "amount": "10.5", "currency": "JPY"}, "Too many decimals for this currency."),
        ({"kind": "percent", "percent": "10", "expires_at": "2020-01-01T10:00"}, "expire it now"),
        ({"kind": "percent", "percent": "10", "expires_at": "not a time"}, "Enter a date and a time."),
        ({"kind": "percent", "percent": "10", "valid_from": "0001-01-01T00:30"}, "out of range"),
        ({"kind": "percent", "percent": "10", "code": "sale!"}, "letters"),
        ({"kind": "percent", "percent": "10", "max_redemptions": "0"}, "1"),
        ({"kind": "percent", "percent": "10", "min_amount": "100"}, "currency of the minimum amount"),
        ({"kind": "fixed", "amount": "99999999999", "currency": "CNY"}, "digits"),
        ({"kind": "sideways", "percent": "10"}, "valid choice"),
    ],
)
def test_the_form_explains_what_to_fix_and_creates_nothing(marketer, data, message):
    with time_machine.travel(START, tick=False):
        response = _client(marketer).post("/marketing/coupons/new/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Coupon.objects.exists()


def test_a_taken_code_is_explained_next_to_the_code(marketer):
    coupon_create(actor=marketer, code="TAKEN", kind="percent", value=10)
    response = _client(marketer).post("/marketing/coupons/new/", {"code": "taken", "kind": "percent", "percent": "5"})
    assert response.status_code == 422
    assert "The code TAKEN is taken" in response.content.decode()


def test_list_filters_and_searches(marketer):
    with time_machine.travel(START, tick=False):
        coupon_create(actor=marketer, code="ALIVE", kind="percent", value=10)
        coupon_create(actor=marketer, code="OLD", kind="percent", value=10, expires_at=START + timedelta(minutes=5))
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        client = _client(marketer)
        expired = client.get("/marketing/coupons/?status=expired").content.decode()
        assert 'data-coupon="OLD"' in expired and 'data-coupon="ALIVE"' not in expired
        assert "Until Fri, Jan 1, 07:35" in expired  # 23:35 UTC, in the marketer's Shanghai time
        searched = client.get("/marketing/coupons/?q=ali").content.decode()
        assert 'data-coupon="ALIVE"' in searched and 'data-coupon="OLD"' not in searched
        nothing = client.get("/marketing/coupons/?q=zzz&status=bogus&page=abc").content.decode()
        assert "No codes match" in nothing


def test_change_the_limit_expire_now_switch_off_and_on(marketer):
    with time_machine.travel(START, tick=False):
        coupon = coupon_create(actor=marketer, code="EDIT", kind="percent", value=10, max_redemptions=5)
        checkout_start(learner=factories.learner(), cohort_id=bf.cohort().pk, coupon_code="EDIT")
        checkout_start(learner=factories.learner(), cohort_id=bf.cohort().pk, coupon_code="EDIT")
        client = _client(marketer)
        url = f"/marketing/coupons/{coupon.pk}/"

        too_low = client.post(url + "edit/", {"edit-max_redemptions": "1", "edit-expires_at": ""})
        assert too_low.status_code == 422
        assert "It has been used 2 times already" in too_low.content.decode()

        assert client.post(url + "edit/", {"edit-max_redemptions": "", "edit-expires_at": ""}).status_code == 302
        coupon.refresh_from_db()
        assert coupon.max_redemptions is None

        client.post(url + "edit/", {"edit-max_redemptions": "", "edit-expires_at": "2027-01-15T18:00"})
        coupon.refresh_from_db()
        assert coupon.expires_at == datetime(2027, 1, 15, 10, 0, tzinfo=UTC)
        client.post(url + "action/", {"action": "expire_now"})
        coupon.refresh_from_db()
        assert coupon.expires_at == START
        # the page shows the past expiry in the form; saving only the limit leaves it alone
        page = client.get(url).content.decode()
        assert 'value="2027-01-01T07:30"' in page
        kept = client.post(url + "edit/", {"edit-max_redemptions": "9", "edit-expires_at": "2027-01-01T07:30"})
        assert kept.status_code == 302

        client.post(url + "action/", {"action": "deactivate"})
        coupon.refresh_from_db()
        assert (coupon.max_redemptions, coupon.expires_at, coupon.is_active) == (9, START, False)
        client.post(url + "action/", {"action": "activate"})
        coupon.refresh_from_db()
        assert coupon.is_active
        assert client.post(url + "action/", {"action": "explode"}).status_code == 302


def test_the_coupon_page_lists_redemptions_in_the_viewers_time_and_downloads_them(marketer):
    coupon = coupon_create(actor=marketer, code="SHOW", kind="percent", value=10)
    learner = factories.learner(name='=HYPERLINK("x")', email="eve@example.test")
    with time_machine.travel(START, tick=False):
        result = checkout_start(
            learner=learner, cohort_id=bf.cohort(course=bf.paid_course(price_minor=10000)).pk, coupon_code="SHOW"
        )

    page = _client(marketer).get(f"/marketing/coupons/{coupon.pk}/").content.decode()
    assert f"#{result.order.pk}" in page and "eve@example.test" in page
    assert "Jan 1, 07:30" in page  # 23:30 UTC on New Year's Eve is 07:30 on New Year's Day in Shanghai
    assert "card_" not in page and "last4" not in page

    response = _client(marketer).get(f"/marketing/coupons/{coupon.pk}/redemptions.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="coupon-SHOW-redemptions.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "redeemed_at",
        "learner",
        "email",
        "order_id",
        "order_status",
        "currency",
        "amount_off",
        "order_total",
    ]
    assert rows[1] == [
        "2027-01-01T07:30:00+08:00",
        '\'=HYPERLINK("x")',  # never a formula in a spreadsheet
        "eve@example.test",
        str(result.order.pk),
        "pending",
        "CNY",
        "10.00",
        "90.00",
    ]


def test_an_unknown_coupon_page_is_404(marketer):
    assert _client(marketer).get("/marketing/coupons/999999/").status_code == 404


def test_the_pages_in_chinese(marketer):
    marketer.language = "zh-hans"
    marketer.save(update_fields=["language"])
    coupon = coupon_create(actor=marketer, code="CHUNJIE", kind="percent", value=10)
    client = _client(marketer)
    for url in ["/marketing/coupons/", "/marketing/coupons/new/", f"/marketing/coupons/{coupon.pk}/"]:
        page = client.get(url).content.decode()
        assert "优惠券" in page, url
        assert "Coupons" not in page and "Redemptions" not in page, url


def test_the_dashboard_counts_the_active_coupons_and_links_to_them(marketer):
    with time_machine.travel(START, tick=False):
        coupon_create(actor=marketer, code="ON1", kind="percent", value=10)
        coupon_create(actor=marketer, code="ON2", kind="percent", value=10, expires_at=START + timedelta(days=1))
        coupon_create(actor=marketer, code="LATER", kind="percent", value=10, valid_from=START + timedelta(days=1))
        coupon_create(actor=marketer, code="MINE", kind="percent", value=10, learner=factories.learner())
        page = _client(marketer).get("/marketing/").content.decode()
    assert 'data-testid="overview-active-coupons">2</a>' in page
    assert 'href="/marketing/coupons/?status=active"' in page
