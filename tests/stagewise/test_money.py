"""Money shows as people read it: minor units in, the currency's own decimals, the language's symbols."""

import pytest
from django.utils import translation

from stagewise.money import format_money, minor_unit_exponent


@pytest.mark.parametrize(("currency", "exponent"), [("CNY", 2), ("USD", 2), ("JPY", 0), ("usd", 2), ("BHD", 3)])
def test_minor_unit_exponent(currency, exponent):
    assert minor_unit_exponent(currency) == exponent


@pytest.mark.parametrize(
    ("amount", "currency", "english", "chinese"),
    [
        # the English reader needs CN¥ to tell yuan from yen; the Chinese reader needs JP¥ and US$
        (19900, "CNY", "CN¥199.00", "¥199.00"),
        (19900, "USD", "$199.00", "US$199.00"),
        (19900, "JPY", "¥19,900", "JP¥19,900"),  # zero-decimal: 19900 minor units are 19,900 yen
        (5, "USD", "$0.05", "US$0.05"),
        (0, "JPY", "¥0", "JP¥0"),
        (123456789, "CNY", "CN¥1,234,567.89", "¥1,234,567.89"),
        (-1050, "USD", "-$10.50", "-US$10.50"),  # a refund line
        (1999, "usd", "$19.99", "US$19.99"),
    ],
)
def test_format_money_in_both_languages(amount, currency, english, chinese):
    with translation.override("en"):
        assert format_money(amount, currency) == english
    with translation.override("zh-hans"):
        assert format_money(amount, currency) == chinese


def test_an_unsupported_language_falls_back_to_english():
    with translation.override("fr"):
        assert format_money(19900, "USD") == "$199.00"
    with translation.override(None):
        assert format_money(19900, "USD") == "$199.00"


def test_no_float_rounding_on_large_amounts():
    with translation.override("en"):
        assert format_money(999_999_999_99, "USD") == "$999,999,999.99"
        assert format_money(1_000_000_001, "JPY") == "¥1,000,000,001"
