"""On a phone, in both languages: a learner whose cohort ended downloads their certificate and finds the LinkedIn
link on the cohort page; a stranger opens the verification page the QR code points to, without signing in."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.browser.chromium import PHONE
from tests.cohorts.certificates_helpers import completed, ended_cohort, issued

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"download": "Download your certificate", "linkedin": "Add to your LinkedIn profile", "valid": "Valid"},
    "zh-hans": {"download": "下载你的证书", "linkedin": "添加到你的领英（LinkedIn）档案", "valid": "有效"},
}


def _login(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize(("language", "name"), [("en", "José García Ñúñez"), ("zh-hans", "𠮷野家 花子")])
def test_phone_learner_downloads_the_certificate_and_a_stranger_verifies_it(
    browser, live_server, shots, settings, tmp_path, language, name
):
    settings.MEDIA_ROOT = tmp_path
    enrollment = completed(cohort=ended_cohort(), name=name, language=language)
    certificate = issued(enrollment)
    words = WORDS[language]

    # the learner, on the cohort page
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, accept_downloads=True
    )
    _login(context, live_server, enrollment.learner)
    page = context.new_page()
    page.goto(f"{live_server.url}/cohorts/{enrollment.cohort_id}/")
    download_link = page.get_by_role("link", name=words["download"])
    expect(download_link).to_be_visible()
    linkedin = page.get_by_role("link", name=words["linkedin"])
    assert "startTask=CERTIFICATION_NAME" in (linkedin.get_attribute("href") or "")
    assert _no_horizontal_scroll(page)
    page.get_by_test_id("certificate").scroll_into_view_if_needed()
    shots(page, f"certificate-cohort-{language}-phone")
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == f"certificate-{certificate.serial}.pdf"
    context.close()

    # a stranger, from the QR code
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/verify/{certificate.verify_id}")
    assert page.get_by_test_id("verify-name").inner_text() == name
    expect(page.get_by_text(words["valid"], exact=True)).to_be_visible()
    assert _no_horizontal_scroll(page)
    shots(page, f"certificate-verify-{language}-phone")
    context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_phone_instructor_uploads_a_signature_and_finds_the_zip(
    browser, live_server, shots, settings, tmp_path, language
):
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    cohort = ended_cohort()
    teacher = cohort.course.instructors.get()
    teacher.language = language
    teacher.save(update_fields=["language"])
    issued(completed(cohort=cohort, name="张伟"))
    issued(completed(cohort=cohort, name="José García", language="en"))
    signature = tmp_path / "signature.png"
    picture = io.BytesIO()
    Image.new("RGBA", (300, 90), (10, 30, 80, 255)).save(picture, format="PNG")
    signature.write_bytes(picture.getvalue())

    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    _login(context, live_server, teacher)
    page = context.new_page()
    page.goto(f"{live_server.url}/teach/cohorts/{cohort.pk}/")
    page.get_by_role("link", name={"en": "Certificates", "zh-hans": "证书"}[language]).click()
    page.locator("input[type=file]").set_input_files(str(signature))
    with page.expect_navigation():
        page.get_by_role("button", name={"en": "Upload signature", "zh-hans": "上传签名"}[language]).click()
    expect(
        page.get_by_role("button", name={"en": "Remove the signature", "zh-hans": "删除签名"}[language])
    ).to_be_visible()
    expect(page.get_by_test_id("zip")).to_be_visible()
    expect(page.get_by_text("José García")).to_be_visible()
    expect(page.get_by_text("张伟")).to_be_visible()
    assert _no_horizontal_scroll(page)
    shots(page, f"certificates-teach-{language}-phone")
    context.close()
    cohort.refresh_from_db()
    assert cohort.certificate_signature and cohort.certificate_signer == teacher
