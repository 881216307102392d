"""The marketer's workspace is theirs: reachable from their navigation, closed to learners and instructors."""

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_marketer_finds_the_workspace_in_the_navigation():
    page = _client(factories.marketer()).get("/cohorts/mine/")
    assert b'data-testid="nav-marketing"' in page.content
    dashboard = _client(factories.marketer()).get("/marketing/")
    assert dashboard.status_code == 200
    assert b'data-testid="marketing-overview"' in dashboard.content


@pytest.mark.parametrize("make", [factories.learner, factories.instructor])
def test_learners_and_instructors_neither_see_nor_open_it(make):
    client = _client(make())
    assert b'data-testid="nav-marketing"' not in client.get("/cohorts/mine/").content
    assert client.get("/marketing/").status_code == 403


def test_the_workspace_is_in_chinese_for_a_chinese_marketer():
    page = _client(factories.marketer(language="zh-hans")).get("/marketing/")
    assert "营销".encode() in page.content
