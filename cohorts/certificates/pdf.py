"""The certificate's PDF: A4 landscape, rendered by WeasyPrint in the language it is printed in.

One FontConfiguration and one parsed stylesheet serve every render of the process: WeasyPrint then loads each font
file once and subsets (HarfBuzz's libharfbuzz-subset) only the glyphs a certificate uses, so a CJK certificate takes
about a tenth of a second and a worker's memory stays flat across a batch (bench/bench_certificates.py).
"""

import base64
import io
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from cohorts.certificates.layout import NAME_FLOOR_PT, NAME_MAX_PT, name_font_size

_CSS = """
@page { size: A4 landscape; margin: 0 }
html, body { margin: 0 }
/* One family, one face: every face is one more CJK font to subset and embed, which is most of a render (a bold
   face doubled it: 0.107 s → 0.051 s of CPU per certificate). Emphasis comes from size and colour instead. No emoji
   font here: listed, it takes the digits too (Pango itemizes them as possible keycaps); fontconfig's fallback
   finds Noto Color Emoji for real emoji, DejaVu for Latin letters the CJK font lacks. */
body { font-family: 'Noto Serif CJK SC', 'DejaVu Serif', serif; color: #1f2937; font-weight: normal }
h1, strong, b { font-weight: normal }
.frame {
  position: absolute; top: 10mm; left: 10mm; width: 277mm; height: 190mm; box-sizing: border-box;
  border: 1.2mm double #1e3a5f; padding: 14mm 22mm 0; text-align: center;
}
.brand { font-size: 11pt; letter-spacing: 3pt; color: #1e3a5f; text-transform: uppercase }
h1 { font-size: 32pt; margin: 5mm 0 4mm; color: #1e3a5f; letter-spacing: 1pt }
.lead { font-size: 12pt; margin: 0 }
.name {
  height: 30mm; margin: 3mm 0; display: flex; align-items: center; justify-content: center;
  color: #111827; line-height: 1.15; overflow-wrap: anywhere; overflow: hidden;
}
.name span { max-width: 100%; border-bottom: 0.4mm solid #9ca3af; padding: 0 4mm 1mm }
.course { font-size: 18pt; color: #1e3a5f; margin: 1mm 0; overflow-wrap: anywhere }
.stage, .dates { font-size: 12pt; margin: 1mm 0 }
.award { font-size: 22pt; color: #8a6d1f; margin: 1mm 0 2mm; overflow-wrap: anywhere }
.foot { position: absolute; left: 22mm; right: 22mm; bottom: 12mm; height: 42mm }
.signer { position: absolute; left: 0; bottom: 0; width: 80mm; text-align: center }
.signature { height: 18mm; display: flex; align-items: flex-end; justify-content: center }
.signature img { max-height: 18mm; max-width: 70mm }
.signature .typed { font-size: 18pt }
.signer .line { border-top: 0.3mm solid #374151; padding-top: 1mm; font-size: 10pt }
.serial { position: absolute; left: 85mm; right: 50mm; bottom: 0; font-size: 9pt; text-align: center; color: #4b5563 }
.serial strong { font-size: 12pt; letter-spacing: 0.5pt; color: #111827 }
.qr { position: absolute; right: 0; bottom: 0; width: 44mm; text-align: center; font-size: 7pt; color: #4b5563; overflow-wrap: anywhere }
.qr img { width: 32mm; height: 32mm; image-rendering: pixelated }
"""


@dataclass(frozen=True)
class CertificateContent:
    """Everything printed on a certificate, frozen at issue."""

    learner_name: str
    language: str
    course_title: str
    stage_label: str
    starts_on: date
    ends_on: date
    instructor_name: str
    signature: bytes | None  # the signer's signature image, or None for the typed name
    serial: str
    verify_url: str
    issued_at: datetime
    timezone: str  # the learner's, for the date of issue
    award_title: str = ""  # an award certificate's award ("Most consistent — March 2027"); empty for completion


@lru_cache(maxsize=1)
def _fonts() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@lru_cache(maxsize=1)
def _stylesheet() -> Any:
    from weasyprint import CSS

    return CSS(string=_CSS, font_config=_fonts())


def name_size_class(size_pt: float) -> str:
    """The class that sets the name's size (the template has no inline styles; it is a page template too)."""
    return f"s{round(size_pt * 2)}"


# One rule per half point the name can take (cohorts.certificates.layout).
_CSS += "".join(
    f".name.{name_size_class(half / 2)} {{ font-size: {half / 2}pt }}\n"
    for half in range(int(NAME_FLOOR_PT * 2), int(NAME_MAX_PT * 2) + 1)
)


def _data_uri(content: bytes, mimetype: str) -> str:
    return f"data:{mimetype};base64,{base64.b64encode(content).decode()}"


def qr_png(url: str) -> bytes:
    """The QR code of ``url`` as a tiny PNG, one pixel a module: the PDF scales it up without smoothing
    (``image-rendering: pixelated``), so it prints as sharp as a larger image, and segno writes it in pure Python in
    a third of the time (1.1 → 0.7 ms a certificate at 4 px a module; bench/bench_certificates.py).

    A fixed mask: segno otherwise scores all eight in pure Python, 2 ms of every certificate (bench/), while the
    best-scoring mask only spares scanners some look-alike patterns a random verification code hardly makes.
    """
    out = io.BytesIO()
    segno.make(url, error="m", micro=False, mask=0, boost_error=False).save(out, kind="png", scale=1, border=2)
    return out.getvalue()


def _image_mimetype(content: bytes) -> str:
    if content.startswith(b"\x89PNG"):
        return "image/png"
    if content.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return "image/png"


def certificate_html(content: CertificateContent) -> str:
    with translation.override(content.language):
        return render_to_string(
            "cohorts/certificate_pdf.html",
            {
                "c": content,
                "name_class": name_size_class(name_font_size(content.learner_name)),
                "qr": _data_uri(qr_png(content.verify_url), "image/png"),
                "signature": (
                    _data_uri(content.signature, _image_mimetype(content.signature)) if content.signature else None
                ),
                "reader": SimpleNamespace(timezone=content.timezone),
            },
        )


def render_pdf(html: str) -> bytes:
    """WeasyPrint's render of ``html`` with the shared fonts and stylesheet."""
    from weasyprint import HTML

    fonts = _fonts()
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(  # type: ignore[no-any-return]
        stylesheets=[_stylesheet()], font_config=fonts
    )


def certificate_pdf(content: CertificateContent) -> bytes:
    return render_pdf(certificate_html(content))
