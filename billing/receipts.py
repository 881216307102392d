"""PDF receipts with WeasyPrint, in the learner's language. One FontConfiguration for the whole process."""

from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from billing.models import Order


@lru_cache(maxsize=1)
def _fonts():  # type: ignore[no-untyped-def]
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def receipt_html(*, order: Order, language: str) -> str:
    with translation.override(language):
        return render_to_string("billing/receipt_pdf.html", {"order": order, "site_url": settings.SITE_URL})


def receipt_pdf(*, order: Order, language: str) -> bytes:
    from weasyprint import CSS, HTML

    fonts = _fonts()
    css = CSS(
        string=(
            "@page { size: A5; margin: 14mm } "
            "body { font-family: 'Noto Sans CJK SC', 'Noto Sans', 'DejaVu Sans', sans-serif; font-size: 10pt } "
            "table { width: 100%; border-collapse: collapse } td { padding: 3pt 0 } "
            "td.amount { text-align: right } tr.total td { border-top: 1pt solid #333; font-weight: bold }"
        ),
        font_config=fonts,
    )
    html = receipt_html(order=order, language=language)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[css], font_config=fonts)
