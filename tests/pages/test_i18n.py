"""Pages in English and Simplified Chinese; the language switch; names in any script."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

pytestmark = pytest.mark.django_db

PAGES = [
    ("/", "分阶段，一起学"),
    ("/courses/data-1/", "报名条件"),
    ("/accounts/login/", "欢迎回来"),
    ("/accounts/signup/", "创建账号"),
    ("/accounts/password-reset/", "重置密码"),
]


@pytest.mark.parametrize(("url", "chinese"), PAGES)
def test_anonymous_pages_follow_the_language_cookie(world, as_user, url, chinese):
    english = as_user(None).get(url)
    assert '<html lang="en">' in english.content.decode()
    assert chinese not in english.content.decode()
    zh = as_user(None, language="zh-hans").get(url)
    assert zh.status_code == 200
    assert '<html lang="zh-Hans">' in zh.content.decode()
    assert chinese in zh.content.decode()


def test_signed_in_pages_follow_the_profile_language(world, as_user):
    learner = world["learner"]
    learner.language = "zh-hans"
    learner.save(update_fields=["language"])
    client = as_user(learner, language="en")  # the profile wins over the cookie
    html = client.get(f"/cohorts/{world['running'].pk}/").content.decode()
    assert "已发布的课时" in html and "第 1 天" in html and "进行中" in html
    teach = as_user(world["teacher"], language="zh-hans").get("/teach/").content.decode()
    assert "Your courses" in teach  # the teacher's profile says English


def test_chinese_formats_money_days_and_seats(world, as_user):
    html = as_user(None, language="zh-hans").get("/").content.decode()
    assert "¥199.00" in html and "CN¥" not in html
    assert "21 天" in html
    assert "剩余 30 个名额" in html
    assert "第 1 阶段" in html


def test_language_switch_for_anonymous_sets_the_cookie(world):
    client = Client()
    response = client.post("/language/", {"language": "zh-hans", "next": "/courses/data-1/"})
    assert response.status_code == 302 and response["Location"] == "/courses/data-1/"
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert "报名条件" in client.get("/courses/data-1/").content.decode()
    client.post("/language/", {"language": "en", "next": "/"})
    assert "Learn in stages, together" in client.get("/").content.decode()


def test_language_switch_updates_the_profile(world, as_user):
    learner = world["learner"]
    client = as_user(learner)
    client.post("/language/", {"language": "zh-hans", "next": "/"})
    learner.refresh_from_db()
    assert learner.language == "zh-hans"
    assert "我的学习" in client.get("/").content.decode()


def test_language_switch_ignores_unknown_languages_and_foreign_next(world):
    client = Client()
    response = client.post("/language/", {"language": "xx", "next": "https://evil.test/"})
    assert response["Location"] == "/"
    assert django_settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("name", ["张伟", "𠮷野家", "José", "Zoë 🎉👩🏽‍💻", "<b>not bold</b>"])
def test_names_in_any_script_render_escaped(world, as_user, name):
    teacher = world["teacher"]
    teacher.display_name = name
    teacher.save(update_fields=["display_name"])
    course_page = as_user(None).get("/courses/data-1/").content.decode()
    own_nav = as_user(teacher).get("/").content.decode()
    if name.startswith("<"):
        assert "<b>not bold</b>" not in course_page and "&lt;b&gt;not bold&lt;/b&gt;" in course_page
    else:
        assert name in course_page and name in own_nav


@pytest.mark.parametrize(
    ("page", "chinese"),
    [
        ("mine", "我的学习"),
        ("profile", "个人 API 令牌"),
        ("teach", "我的课程"),
        ("teach_new", "在阶梯中的位置"),
        ("teach_course", "打卡与结业"),
        ("teach_lessons", "已写 4 / 21 天"),
        ("teach_lesson_new", "新建课时"),
        ("teach_cohorts", "安排新一期"),
        ("cohort", "全部课时"),
    ],
)
def test_signed_in_pages_in_chinese(world, as_user, page, chinese):
    teacher = world["teacher"]
    teacher.language = "zh-hans"
    teacher.save(update_fields=["language"])
    url = {
        "mine": "/cohorts/mine/",
        "profile": "/accounts/profile/",
        "teach": "/teach/",
        "teach_new": "/teach/courses/new/",
        "teach_course": f"/teach/courses/{world['bootcamp'].pk}/",
        "teach_lessons": f"/teach/courses/{world['bootcamp'].pk}/lessons/",
        "teach_lesson_new": f"/teach/courses/{world['bootcamp'].pk}/lessons/new/",
        "teach_cohorts": f"/teach/courses/{world['bootcamp'].pk}/cohorts/",
        "cohort": f"/cohorts/{world['running'].pk}/",
    }[page]
    response = as_user(teacher).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html and chinese in html
