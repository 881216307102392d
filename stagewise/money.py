"""Money is an integer number of minor units plus an ISO 4217 code, always together."""

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision
from django.utils import translation

_BABEL_LOCALES = {"en": "en_US", "zh-hans": "zh_Hans_CN"}


def minor_unit_exponent(currency: str) -> int:
    """2 for USD/CNY/EUR, 0 for JPY/KRW: how many decimals the currency's minor unit has."""
    return get_currency_precision(currency.upper())


def format_money(amount_minor: int, currency: str) -> str:
    """Format an amount held in minor units for the active language, e.g. 19900 CNY -> ¥199.00."""
    exponent = minor_unit_exponent(currency)
    major = Decimal(amount_minor).scaleb(-exponent)
    locale = _BABEL_LOCALES.get(translation.get_language() or "en", "en_US")
    return format_currency(major, currency.upper(), locale=locale)
