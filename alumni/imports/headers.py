"""The headers an alumni sheet may have (English or Chinese) and the currencies its amounts may name: no Django."""

import re
import unicodedata
from functools import cache

from babel.numbers import list_currencies

# The accepted headers, by field: compared after lower-casing and folding spaces, "_" and "-" to one space. A header
# may carry a currency in brackets: "Paid (CNY)", "支付金额（元）".
HEADERS: dict[str, tuple[str, ...]] = {
    "email": ("email", "e mail", "email address", "mail", "邮箱", "电子邮箱", "电子邮件", "邮件", "邮箱地址"),
    "name": ("name", "full name", "display name", "姓名", "名字", "昵称", "学员", "学员姓名"),
    "language": ("language", "lang", "语言"),
    "time_zone": ("time zone", "timezone", "tz", "时区"),
    "stage": ("stage completed", "highest stage", "highest stage completed", "stage", "完成阶段", "最高阶段", "阶段"),
    "courses": ("courses", "course", "课程"),
    "cohorts": ("cohorts taken", "cohorts", "参加期数", "期数", "营期数"),
    "last_end": ("last cohort end", "last cohort ended", "last cohort end date", "结营日期", "最近结营日期"),
    "paid": ("paid", "amount paid", "total paid", "支付金额", "付款金额", "实付金额", "金额"),
    "currency": ("currency", "币种", "货币"),
    "consent": ("marketing consent", "consent", "营销同意", "同意营销", "接收营销信息"),
}
_HEADER_INDEX = {alias: name for name, aliases in HEADERS.items() for alias in aliases}
_CURRENCY_WORDS = {"元": "CNY", "人民币": "CNY", "rmb": "CNY", "美元": "USD", "欧元": "EUR", "日元": "JPY"}


def header_field(header: str) -> tuple[str | None, str]:
    """The field a header names (None: not ours) and the currency it carries in brackets ("" if none)."""
    text = unicodedata.normalize("NFKC", header).lower()
    currency = ""
    bracket = re.search(r"\(([^)]*)\)\s*$", text)
    if bracket:
        currency = currency_code(bracket.group(1).strip()) or ""
        text = text[: bracket.start()]
    text = re.sub(r"[\s_\-]+", " ", text).strip()
    return _HEADER_INDEX.get(text), currency


_SYMBOLS = {"¥": "CNY", "￥": "CNY", "$": "USD", "€": "EUR", "£": "GBP", "HK$": "HKD", "US$": "USD", "S$": "SGD"}


@cache
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def currency_code(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if text in _SYMBOLS:
        return _SYMBOLS[text]
    if text.lower() in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[text.lower()]
    code = text.upper()
    return code if len(code) == 3 and code in _known_currencies() else None
