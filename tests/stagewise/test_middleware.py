"""Pages answer a service's NotFound and Forbidden with the site's 404 and 403 pages (stagewise.middleware)."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.stagewise.urls_page_errors")]


def test_not_found_from_a_view_is_the_404_page():
    response = Client().get("/test/not-found/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "This page doesn't exist" in response.content.decode()


def test_forbidden_from_a_view_is_the_403_page():
    response = Client().get("/test/forbidden/")
    assert response.status_code == 403
    assert "Your account can" in response.content.decode()


def test_the_404_page_speaks_the_visitors_language():
    client = Client()
    client.cookies["stagewise_language"] = "zh-hans"
    response = client.get("/test/not-found/")
    assert response.status_code == 404 and '<html lang="zh-Hans">' in response.content.decode()


def test_other_application_errors_are_not_hidden_as_404():
    """A refusal no view handled is a bug to see (500), not a page that silently "doesn't exist"."""
    response = Client(raise_request_exception=False).get("/test/conflict/")
    assert response.status_code == 500
