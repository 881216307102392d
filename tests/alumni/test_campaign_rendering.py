"""A campaign's messages: marketers' Jinja2 in a sandbox, checked when saved, personal fields filled in, markdown
turned into safe HTML, this site's links tracked."""

import pytest

from alumni.campaigns.rendering import message_render, sample_values, template_check
from stagewise.errors import Invalid


def _refusal(source: str) -> Invalid:
    with pytest.raises(Invalid) as caught:
        template_check(field="body_en", source=source)
    return caught.value


@pytest.mark.parametrize(
    "trick",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ name.__class__.__init__.__globals__ }}",
        "{{ (name|attr('__class__')) }}",
        "{{ range.__globals__ }}",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{{ 'x' * 100000000 }}",
        "{{ 9 ** 9 ** 9 }}",
    ],
)
def test_the_sandbox_refuses_escapes_and_resource_tricks(trick):
    refusal = _refusal(trick)
    assert refusal.status == 422
    assert refusal.code in {"template_unsafe", "template_error", "template_syntax"}


def test_a_syntax_error_names_its_line():
    refusal = _refusal("Hello {{ name }}\n\nYour code: {{ offer_code }\n")
    assert refusal.code == "template_syntax"
    assert refusal.extra == {"field": "body_en", "line": 3}
    assert "3" in str(refusal.message)


def test_an_unknown_field_is_named_with_the_ones_that_exist():
    refusal = _refusal("Hello {{ name }},\n{{ first_name }}")
    assert refusal.code == "template_unknown_field"
    assert refusal.extra["line"] == 2
    assert "first_name" in str(refusal.message) and "offer_code" in str(refusal.message)


def test_every_field_and_plain_logic_pass():
    template_check(
        field="body_zh",
        source="{% if offer_code %}{{ name|upper }} {{ offer_code }} {{ deadline }}{% endif %} {{ next_course }} "
        "{{ next_course_url }} {{ unsubscribe_url }}",
    )


def test_personal_values_cannot_inject_markup_or_links():
    values = {**sample_values(), "name": "<script>alert(1)</script> [win](https://evil.example/)"}
    rendered = message_render(subject="Hi {{ name }}", body="Hello **{{ name }}**", values=values)
    assert "<script>" not in rendered.html
    assert "evil.example" not in rendered.html.split("href")[0] or 'href="https://evil' not in rendered.html
    assert 'href="https://evil.example/"' not in rendered.html
    assert rendered.text == "Hello **<script>alert(1)</script> [win](https://evil.example/)**"  # the text part is text


def test_links_to_this_site_are_tracked_others_are_not(settings):
    values = {**sample_values(), "next_course_url": "/courses/sql/"}
    body = (
        "[Course]({{ next_course_url }}) · [Elsewhere](https://example.org/x) · [Home]("
        + settings.SITE_URL
        + "/) · [Unsubscribe]({{ unsubscribe_url }})"
    )
    rendered = message_render(subject="s", body=body, values=values, token="1b4e28ba-2fa1-11d2-883f-0016d3cca427")
    assert f'href="{settings.SITE_URL}/m/1b4e28ba-2fa1-11d2-883f-0016d3cca427/?to=/courses/sql/"' in rendered.html
    assert f'href="{settings.SITE_URL}/m/1b4e28ba-2fa1-11d2-883f-0016d3cca427/?to=/"' in rendered.html
    assert 'href="https://example.org/x"' in rendered.html
    assert f'href="{values["unsubscribe_url"]}"' in rendered.html  # leaving is not a click
