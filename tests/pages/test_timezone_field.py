"""The time-zone picker: grouped by region with the common zones first, a fraction of the old page weight, and every
zone Python knows still accepted (also the aliases the list leaves out, which some browsers report)."""

import re
import zoneinfo

import pytest
from django.conf import settings
from django.test import Client

from accounts.forms import ProfileForm, SignUpForm
from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def test_sign_up_page_lists_common_zones_first_then_regions_and_weighs_less(db):
    html = Client().get("/accounts/signup/").content.decode()
    select = re.search(r'<select[^>]*name="timezone_name".*?</select>', html, flags=re.S).group(0)
    groups = re.findall(r'<optgroup label="([^"]+)">', select)
    assert groups[:4] == ["Common", "Asia", "Americas", "Europe"]
    common = re.search(r'<optgroup label="Common">(.*?)</optgroup>', select).group(1)
    assert re.findall(r'value="([^"]+)"', common)[:4] == [
        "Asia/Shanghai",
        "Asia/Hong_Kong",
        "Asia/Taipei",
        "Asia/Singapore",
    ]
    assert '<option value="UTC" selected>' in common
    assert '<option value="Asia/Kolkata">Kolkata</option>' in select  # the city, in its region's group
    values = re.findall(r'<option value="([^"]+)"', select)
    assert len(values) == len(set(values)) < 450  # each zone once, no historical aliases ("US/Eastern")
    assert "US/Eastern" not in values and "Asia/Calcutta" not in values
    # It was ~600 raw IANA names, 35 KB of the page.
    assert len(select.encode()) < 22_000
    assert len(html.encode()) < 28_000


def test_the_page_in_chinese_names_the_groups_and_common_zones_in_chinese(db):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get("/accounts/signup/").content.decode()
    assert '<optgroup label="常用">' in html and '<optgroup label="亚洲">' in html
    assert '<option value="Asia/Shanghai">中国（北京时间）</option>' in html
    assert 'data-timezone-search="输入城市名' in html


def test_every_zone_python_knows_is_accepted():
    base = {"email": "a@example.test", "display_name": "A", "password": "a-long-enough-secret", "language": "en"}
    refused = [
        zone
        for zone in sorted(zoneinfo.available_timezones())
        if not SignUpForm(data={**base, "timezone_name": zone}).is_valid()
        or not ProfileForm(data={"display_name": "A", "language": "en", "timezone_name": zone}).is_valid()
    ]
    assert refused == []
    assert not ProfileForm(data={"display_name": "A", "language": "en", "timezone_name": "Mars/Olympus"}).is_valid()


def test_an_alias_the_list_leaves_out_is_saved_and_shown_selected(db):
    user = factories.learner()
    client = Client()
    client.force_login(user)
    response = client.post(
        "/accounts/profile/", {"display_name": "Priya", "timezone_name": "Asia/Calcutta", "language": "en"}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).timezone == "Asia/Calcutta"
    html = client.get("/accounts/profile/").content.decode()
    assert '<option value="Asia/Calcutta" selected>Asia/Calcutta</option>' in html
