"""Hardening headers (stagewise.security, Django's SecurityMiddleware): a Content-Security-Policy that runs the
site's own scripts only, nothing a signed-in person sees kept in a cache, HTTPS settings from the environment."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.test import Client

from accounts.services import api_token_create
from stagewise.security import STRIPE_SOURCES, content_security_policy, csp_allow
from tests import factories

pytestmark = pytest.mark.django_db

TEMPLATES = Path(django_settings.BASE_DIR) / "templates"


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_pages_run_only_the_sites_own_scripts():
    response = Client().get("/")

    csp = _directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]


def test_no_page_template_carries_an_inline_script_handler_or_style():
    """The policy would block them: a page's behaviour lives in static/js, its looks in static/css."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if path.relative_to(TEMPLATES).parts[0] == "mail":  # mail clients need inline styles; no CSP applies there
            continue
        html = path.read_text()
        inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
        handlers = re.findall(r"\son[a-z]+\s*=", html)
        styles = re.findall(r"<style|\sstyle\s*=", html)
        if inline_scripts or handlers or styles or "javascript:" in html:
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


def test_signed_in_pages_and_json_are_not_cached_public_ones_may_be(api_client):
    learner = factories.learner()
    session = Client()
    session.force_login(learner)
    _, raw = api_token_create(user=learner, name="script")

    # a signed-in person's page and JSON, by session and by token
    for response in (
        session.get("/"),
        session.get("/cohorts/mine/"),
        session.get("/api/v1/me"),
        Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me"),
    ):
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"

    # the same public page to someone signed out carries no such header
    assert "Cache-Control" not in Client().get("/")


def test_https_settings_come_from_the_environment():
    """The settings module is read once per process: a fresh interpreter reads it with the production variables."""
    env = {
        **os.environ,
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_SECONDS": "3600",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
        "DJANGO_SETTINGS_MODULE": "stagewise.settings",
    }
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=django_settings.BASE_DIR, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True", "3600", "True", "False"]


def test_with_those_settings_http_is_redirected_and_https_answers_with_hsts(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600

    plain = Client().get("/")
    secure = Client().get("/", secure=True)

    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=3600"


def test_the_pay_page_with_a_real_key_may_also_load_stripe():
    response = HttpResponse()

    csp_allow(response, STRIPE_SOURCES)
    policy = content_security_policy(response.csp_sources)

    assert "script-src 'self' https://js.stripe.com" in policy
    assert "frame-src https://js.stripe.com https://hooks.stripe.com" in policy  # 'none' gives way
    assert "'unsafe-inline'" not in policy
