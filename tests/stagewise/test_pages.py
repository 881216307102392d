"""What every page shares (stagewise.pages): the 400 / 413 answers when Django refuses to read a request."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_form_over_the_upload_limit_is_the_413_page_not_a_bare_400(settings):
    # when a visitor posts a form larger than Django will read (the CSRF check reads it first)
    response = Client(raise_request_exception=False).post(
        "/accounts/login/", {"username": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )

    # then the site's own page says what went wrong
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "The request is too large" in response.content.decode()


def test_the_413_page_speaks_the_visitors_language(settings):
    client = Client(raise_request_exception=False)
    client.cookies["stagewise_language"] = "zh-hans"

    response = client.post("/accounts/login/", {"username": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})

    page = response.content.decode()
    assert response.status_code == 413 and '<html lang="zh-Hans">' in page and "请求过大" in page
