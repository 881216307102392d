"""PDF receipts with WeasyPrint, in the learner's language. One FontConfiguration for the whole process.

A rendered receipt is kept in the file storage (shared by every machine when it is object storage) under a name
derived from its content, so it is rendered once and a new one appears when what it prints changes.
"""

import hashlib
from functools import lru_cache

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
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


_CSS = (
    "@page { size: A5; margin: 14mm } "
    "body { font-family: 'Noto Sans CJK SC', 'Noto Sans', 'DejaVu Sans', sans-serif; font-size: 10pt } "
    "table { width: 100%; border-collapse: collapse } td { padding: 3pt 0 } "
    "td.amount { text-align: right } tr.total td { border-top: 1pt solid #333; font-weight: bold }"
)


def receipt_pdf(*, order: Order, language: str) -> bytes:
    return _render(receipt_html(order=order, language=language))


def _render(html: str) -> bytes:
    from weasyprint import CSS, HTML

    fonts = _fonts()
    css = CSS(string=_CSS, font_config=fonts)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[css], font_config=fonts)


def receipt_stored(*, order: Order, language: str) -> str:
    """The name, in the default storage, of ``order``'s receipt in ``language``, rendered and saved when no file
    has that content yet. Idempotent: two callers at once may both save it, under two names, both right."""
    html = receipt_html(order=order, language=language)
    digest = hashlib.sha256(html.encode()).hexdigest()[:24]
    name = f"receipts/{order.pk}/receipt-{order.pk}-{digest}.pdf"
    storage = storages["default"]
    if storage.exists(name):
        return name
    return storage.save(name, ContentFile(_render(html)))
