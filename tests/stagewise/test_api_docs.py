"""The interactive API documentation works without internet: Swagger UI is served from the site (stagewise.api)."""

import json
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _references(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)


def test_the_docs_page_references_no_other_host():
    # when someone opens the API documentation
    response = Client().get("/api/v1/docs")

    # then every script, stylesheet and icon it loads comes from this site
    assert response.status_code == 200
    references = _references(response.content.decode())
    assert any(ref.endswith(".js") for ref in references), references
    assert [ref for ref in references if urlsplit(ref).netloc or urlsplit(ref).scheme] == []


def test_the_files_the_docs_page_loads_are_served():
    client = Client()
    references = _references(client.get("/api/v1/docs").content.decode())

    for ref in references:
        assert client.get(ref).status_code == 200, ref


def test_swagger_ui_sends_the_schema_to_no_online_validator():
    html = Client().get("/api/v1/docs").content.decode()
    settings = json.loads(
        re.search(r'<script type="application/json" id="swagger-settings">(.*?)</script>', html, re.S)[1]
    )

    assert settings["validatorUrl"] is None
    assert settings["url"] == "/api/v1/openapi.json"
