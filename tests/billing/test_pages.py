"""Billing pages, rendered by the real Jinja2 templates, with localstripe behind them."""

import re
from datetime import timedelta

import pytest
import time_machine

from billing.models import Payment, Refund
from cohorts.models import Enrollment
from cohorts.statuses import EnrollmentStatus
from tests import factories
from tests.billing import factories as bf
from tests.billing.conftest import event, payment_intent, post_event

pytestmark = pytest.mark.django_db


def test_enroll_pay_and_land_in_the_cohort(client, localstripe, django_capture_on_commit_callbacks):
    cohort = bf.cohort(capacity=3)
    bf.coupon(code="TEN", value=10)
    learner = factories.learner()
    client.force_login(learner)

    page = client.get(f"/cohorts/{cohort.pk}/enroll/?coupon=TEN")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-total="17910"' in html and "TEN" in html

    started = client.post(f"/cohorts/{cohort.pk}/enroll/", {"action": "pay", "coupon": "TEN"})
    assert started.status_code == 302
    pay_url = started["Location"]
    pay = client.get(pay_url)
    assert "4242424242424242" in pay.content.decode()  # the test-card form in test mode

    paid = client.post(pay_url, {"action": "card", "card_number": "4242424242424242"})
    order_url = paid["Location"]
    assert 'data-status="pending"' in client.get(order_url).content.decode()

    payment = Payment.objects.get(order__learner=learner)
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, event("payment_intent.succeeded", payment_intent(payment.provider_payment_id, amount=17910)))
    order_page = client.get(order_url).content.decode()
    assert 'data-status="paid"' in order_page
    receipt = client.get(re.search(r'href="(/orders/\d+/receipt.pdf)"', order_page).group(1))
    assert receipt["Content-Type"] == "application/pdf" and receipt.getvalue()[:4] == b"%PDF"


def test_three_d_secure_on_the_pay_page(client, localstripe):
    cohort = bf.cohort(capacity=3)
    client.force_login(factories.learner())
    pay_url = client.post(f"/cohorts/{cohort.pk}/enroll/", {"action": "pay"})["Location"]
    challenge = client.post(pay_url, {"action": "card", "card_number": "4000002500003155"})
    assert challenge.status_code == 200 and 'name="success"' in challenge.content.decode()
    done = client.post(pay_url, {"action": "authenticate", "success": "1"})
    assert done.status_code == 302 and "/pay/" not in done["Location"]


def test_declined_card_shows_the_error_and_lets_retry(client, localstripe):
    cohort = bf.cohort(capacity=3)
    client.force_login(factories.learner())
    pay_url = client.post(f"/cohorts/{cohort.pk}/enroll/", {"action": "pay"})["Location"]
    declined = client.post(pay_url, {"action": "card", "card_number": "4000000000000341"}, follow=True)
    assert "declined" in declined.content.decode()
    retried = client.post(pay_url, {"action": "card", "card_number": "4242424242424242"})
    assert retried.status_code == 302 and "/pay/" not in retried["Location"]


def test_enroll_page_in_chinese(client, localstripe):
    cohort = bf.cohort(capacity=3)
    client.force_login(factories.learner(language="zh-hans"))
    html = client.get(f"/cohorts/{cohort.pk}/enroll/").content.decode()
    assert "¥199.00" in html


def test_withdraw_shows_the_amount_before_confirming(client, localstripe):
    cohort = bf.cohort(capacity=3)
    learner = factories.learner()
    client.force_login(learner)
    pay_url = client.post(f"/cohorts/{cohort.pk}/enroll/", {"action": "pay"})["Location"]
    client.post(pay_url, {"action": "card", "card_number": "4242424242424242"})
    payment = Payment.objects.get(order__learner=learner)
    post_event(client, event("payment_intent.succeeded", payment_intent(payment.provider_payment_id, amount=19900)))
    url = f"/enrollments/{payment.order.enrollment_id}/withdraw/"
    page = client.get(url).content.decode()
    assert 'data-amount="19900"' in page and 'name="amount" value="19900"' in page
    assert client.post(url, {"amount": "19900"}).status_code == 302
    assert Payment.objects.get(pk=payment.pk).refunded_minor == 19900


def _paid_enrollment(client, cohort):
    learner = factories.learner()
    client.force_login(learner)
    pay_url = client.post(f"/cohorts/{cohort.pk}/enroll/", {"action": "pay"})["Location"]
    client.post(pay_url, {"action": "card", "card_number": "4242424242424242"})
    payment = Payment.objects.get(order__learner=learner)
    post_event(client, event("payment_intent.succeeded", payment_intent(payment.provider_payment_id, amount=19900)))
    return Enrollment.objects.get(pk=payment.order.enrollment_id)


def test_withdraw_is_never_one_tap_a_post_without_the_confirmed_amount_changes_nothing(client, localstripe):
    enrollment = _paid_enrollment(client, bf.cohort(capacity=3))
    url = f"/enrollments/{enrollment.pk}/withdraw/"
    answer = client.post(url)
    assert answer.status_code == 302 and answer["Location"] == url
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE and not Refund.objects.exists()


def test_withdraw_refuses_an_amount_that_changed_since_the_page_was_shown(client, localstripe):
    cohort = bf.cohort(capacity=3)
    bf.policy(course=cohort.course, partial_percent=0, partial_until_day=0)
    enrollment = _paid_enrollment(client, cohort)
    url = f"/enrollments/{enrollment.pk}/withdraw/"
    assert 'name="amount" value="19900"' in client.get(url).content.decode()
    # given the page was read before day 1 and the button pressed after it started
    with time_machine.travel(cohort.starts_at + timedelta(minutes=5), tick=False):
        followed = client.post(url, {"amount": "19900"}, follow=True).content.decode()
        # then nothing happened, and the page shows what leaving now gives back: nothing, and why
        enrollment.refresh_from_db()
        assert enrollment.status == EnrollmentStatus.ACTIVE and not Refund.objects.exists()
        assert "has changed" in followed and 'data-amount="0"' in followed and "¥0.00" in followed
        assert "refund window has passed" in followed
        assert client.post(url, {"amount": "0"}).status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.WITHDRAWN and not Refund.objects.exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_withdraw_without_a_payment_confirms_zero_and_says_why(client, language):
    cohort = bf.cohort(capacity=3)
    learner = factories.learner(language=language)
    enrollment = factories.enrollment(cohort=cohort, learner=learner)  # admitted: no payment
    client.force_login(learner)
    url = f"/enrollments/{enrollment.pk}/withdraw/"
    page = client.get(url).content.decode()
    assert 'data-amount="0"' in page and "¥0.00" in page and 'name="amount" value="0"' in page
    assert ("You paid nothing" if language == "en" else "没有为这个名额付款") in page
    assert "refund window" not in page
    assert client.post(url, {"amount": "0"}).status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.WITHDRAWN
    assert ("no longer in this cohort" if language == "en" else "不在这一期") in client.get(url).content.decode()
    assert 'name="amount"' not in client.get(url).content.decode()


def test_enroll_page_warns_a_learner_already_taking_the_course(client):
    course = bf.paid_course()
    taking, other = bf.cohort(course=course), bf.cohort(course=course)
    learner = factories.learner()
    factories.enrollment(cohort=taking, learner=learner)
    client.force_login(learner)
    elsewhere = client.get(f"/cohorts/{other.pk}/enroll/").content.decode()
    assert 'data-testid="already-enrolled"' in elsewhere and taking.name in elsewhere
    assert f'href="/cohorts/{taking.pk}/"' in elsewhere
    same = client.get(f"/cohorts/{taking.pk}/enroll/").content.decode()
    assert "You are already in this cohort." in same and 'value="pay"' not in same

    newcomer = factories.learner()
    client.force_login(newcomer)
    fresh = client.get(f"/cohorts/{other.pk}/enroll/").content.decode()
    assert 'data-testid="already-enrolled"' not in fresh and 'value="pay"' in fresh


def test_orders_page_and_referral_link(client):
    learner = factories.learner()
    client.force_login(learner)
    html = client.get("/orders/").content.decode()
    code = re.search(r"/r/([A-Z0-9]+)/", html).group(1)
    friend_client = type(client)()
    friend_client.get(f"/r/{code}/")
    friend_client.force_login(factories.learner())
    cohort = bf.cohort()
    assert 'data-kind="referral"' in friend_client.get(f"/cohorts/{cohort.pk}/enroll/").content.decode()


def test_pages_need_login_and_hide_other_peoples_orders(client, localstripe):
    cohort = bf.cohort()
    assert client.get(f"/cohorts/{cohort.pk}/enroll/").status_code == 302
    owner = factories.learner()
    client.force_login(owner)
    pay_url = client.post(f"/cohorts/{cohort.pk}/enroll/", {"action": "pay"})["Location"]
    client.force_login(factories.learner())
    assert client.get(pay_url).status_code == 404


def test_apply_then_instructor_approves_on_the_queue_page(client):
    teacher = factories.instructor()
    course = factories.course(teacher=teacher, prerequisite="approval")
    cohort = bf.cohort(course=course)
    from billing.services.applications import questions_replace

    [question] = questions_replace(actor=teacher, course_id=course.pk, questions=[{"prompt": "Why?"}])
    learner = factories.learner()
    client.force_login(learner)
    page = client.get(f"/cohorts/{cohort.pk}/enroll/").content.decode()
    assert f'name="q_{question.pk}"' in page
    client.post(f"/cohorts/{cohort.pk}/apply/", {f"q_{question.pk}": "I love data"})
    assert "waiting for an instructor" in client.get(f"/cohorts/{cohort.pk}/enroll/").content.decode()

    client.force_login(factories.instructor())
    assert client.get(f"/cohorts/{cohort.pk}/applications/").status_code == 404
    client.force_login(teacher)
    queue = client.get(f"/cohorts/{cohort.pk}/applications/").content.decode()
    assert "I love data" in queue and "Why?" in queue
    application_id = re.search(r'name="application" value="(\d+)"', queue).group(1)
    client.post(f"/cohorts/{cohort.pk}/applications/", {"application": application_id, "decision": "approve"})
    assert 'data-status="approved"' in client.get(f"/cohorts/{cohort.pk}/applications/").content.decode()


def test_staff_revenue_page_and_cancel_button(client, localstripe):
    cohort = bf.cohort(capacity=3)
    learner = factories.learner()
    client.force_login(learner)
    pay_url = client.post(f"/cohorts/{cohort.pk}/enroll/", {"action": "pay"})["Location"]
    client.post(pay_url, {"action": "card", "card_number": "4242424242424242"})
    payment = Payment.objects.get(order__learner=learner)
    post_event(client, event("payment_intent.succeeded", payment_intent(payment.provider_payment_id, amount=19900)))
    assert client.get("/billing/revenue/").status_code == 404

    client.force_login(factories.staff())
    html = client.get("/billing/revenue/").content.decode()
    assert f'data-cohort="{cohort.pk}"' in html and "199.00" in html

    other = factories.learner()
    client.force_login(other)
    pay_url = client.post(f"/cohorts/{cohort.pk}/enroll/", {"action": "pay"})["Location"]
    order_id = int(pay_url.strip("/").split("/")[1])
    assert "order_cancel" not in client.get(pay_url).content.decode()
    client.post(f"/orders/{order_id}/cancel/")
    assert 'data-status="cancelled"' in client.get(f"/orders/{order_id}/").content.decode()


def _inflated(pdf: bytes) -> bytes:
    import zlib

    out = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            out.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return b"".join(out)


def test_chinese_receipt_pdf_embeds_a_cjk_font(db):
    """Rendered by WeasyPrint with the installed Noto CJK font (no PDF text parser here: look for the font)."""
    from billing.receipts import receipt_pdf
    from billing.selectors import order_detail

    course = bf.paid_course(title="数据分析入门")
    learner = factories.learner(name="张伟", language="zh-hans")
    bf.coupon(code="FREE", value=100)
    from billing.services.checkout import checkout_start

    result = checkout_start(learner=learner, cohort_id=bf.cohort(course=course).pk, coupon_code="FREE")
    pdf = receipt_pdf(order=order_detail(order_id=result.order.pk), language="zh-hans")
    assert pdf[:4] == b"%PDF"
    assert b"CJK" in _inflated(pdf)  # the font's name, inside a compressed object stream
    english = receipt_pdf(order=order_detail(order_id=result.order.pk), language="en")
    assert english[:4] == b"%PDF"


@pytest.mark.parametrize(("language", "stripe_locale"), [("en", "en"), ("zh-hans", "zh")])
def test_with_real_keys_the_pay_page_uses_the_payment_element(
    client, localstripe, monkeypatch, language, stripe_locale
):
    """Stripe itself can't be reached from here, so the provider stays localstripe and only the page's test-mode
    switch is turned off: the page must hand Stripe.js the intent's client secret and the publishable key, in the
    learner's language, and offer no test-card form."""
    from billing import views

    monkeypatch.setattr(views, "is_test_mode", lambda: False)
    cohort = bf.cohort(capacity=3)
    client.force_login(factories.learner(language=language))
    pay_url = client.post(f"/cohorts/{cohort.pk}/enroll/", {"action": "pay"})["Location"]
    response = client.get(pay_url)
    html = response.content.decode()
    payment = Payment.objects.get()
    assert 'id="payment-element"' in html and "https://js.stripe.com/v3/" in html and "/static/js/pay.js" in html
    assert f'data-client-secret="{payment.client_secret}"' in html
    assert f'data-locale="{stripe_locale}"' in html
    # the page may load Stripe's script and frames (only this page: see tests/stagewise/test_security.py)
    assert "script-src 'self' https://js.stripe.com" in response["Content-Security-Policy"]
    assert "4242424242424242" not in html and 'name="card_number"' not in html
    # posting a card number is ignored outside test mode: nothing is charged from the server
    assert client.post(pay_url, {"action": "card", "card_number": "4242424242424242"}).status_code == 200
    assert Payment.objects.get().status == "pending"


def test_the_test_card_form_speaks_the_learners_language(client, localstripe):
    cohort = bf.cohort(capacity=3)
    client.force_login(factories.learner(language="zh-hans"))
    pay_url = client.post(f"/cohorts/{cohort.pk}/enroll/", {"action": "pay"})["Location"]
    html = client.get(pay_url).content.decode()
    assert "4242424242424242 支付成功" in html.replace("</code>", "").replace("<code>", "")
    assert "被拒付" in html and "succeeds" not in html
