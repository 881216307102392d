"""The certificate PDF as a learner, an employer and a phone camera meet it: the name in its own script, the serial,
fonts embedded (so it prints the same everywhere), A4 landscape on one page, and a QR code that opens the
verification page."""

import io

import pytest
import zxingcpp
from PIL import Image

from cohorts.certificates.layout import NAME_LINE_PT, NAME_MAX_PT, name_font_size
from cohorts.certificates.selectors import verify_url
from tests.cohorts.certificates_helpers import (
    completed,
    ended_cohort,
    font_names,
    issued,
    pdf_reader,
    unembedded_fonts,
)

LONG_LATIN = ("Maximiliane Wolfeschlegelsteinhausenbergerdorff-Żółkiewska de la Peña y Ørsted " * 2)[:80]
NAMES = [
    pytest.param("𠮷野家 花子", "zh-hans", id="cjk-extension-b"),
    pytest.param("张伟", "zh-hans", id="chinese"),
    pytest.param("José García Ñúñez", "en", id="latin-diacritics"),
    pytest.param("Zoë 🎉 Łukasz 👩‍💻", "en", id="emoji"),
    pytest.param(LONG_LATIN, "en", id="80-latin"),
    pytest.param("张" * 40 + "伟" * 40, "zh-hans", id="80-chinese"),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "https://learn.example.com"


@pytest.mark.parametrize(("name", "language"), NAMES)
def test_the_pdf_shows_the_name_in_its_own_script_and_the_serial_on_one_a4_landscape_page(db, name, language):
    certificate = issued(completed(cohort=ended_cohort(), name=name, language=language))

    reader = pdf_reader(certificate)
    assert len(reader.pages) == 1  # a long name wraps and shrinks; it never pushes the page over
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape, in points
    text = "".join(reader.pages[0].extract_text().split())  # a wrapped name comes back in lines
    assert "".join(name.split()) in text
    assert certificate.serial in text
    assert certificate.learner_name == name


def test_every_font_is_embedded_and_subset(db, caplog):
    """By HarfBuzz (Debian's libharfbuzz-subset0): without it WeasyPrint falls back to fontTools, which takes seconds
    over one CJK certificate, and says so in a warning."""
    from weasyprint.text.ffi import harfbuzz_subset

    assert harfbuzz_subset is not None, "apt-get install libharfbuzz-subset0 (scripts/bootstrap.sh does)"
    certificate = issued(completed(cohort=ended_cohort(), name="𠮷野家 花子 José 🎉"))
    assert not [r for r in caplog.records if "fontTools" in r.getMessage()]

    reader = pdf_reader(certificate)
    assert unembedded_fonts(reader) == []
    names = font_names(reader)
    assert any("CJK" in n for n in names), names
    # A subset's name carries a six-letter tag (ABCDEF+Noto-Serif-CJK-SC): only the glyphs used travel.
    assert all(n[1:8].endswith("+") for n in names), names
    with certificate.pdf.open("rb") as pdf:
        size = len(pdf.read())
    assert size < 1_000_000  # the CJK fonts are 20+ MB whole


def test_the_qr_code_decodes_to_the_verification_url(db):
    certificate = issued(completed(cohort=ended_cohort(), name="张伟"))

    images = pdf_reader(certificate).pages[0].images
    decoded = []
    for image in images:
        picture = Image.open(io.BytesIO(image.data)).convert("L")
        decoded += [result.text for result in zxingcpp.read_barcodes(picture)]
    assert decoded == [verify_url(certificate)]
    assert decoded[0] == f"https://learn.example.com/verify/{certificate.verify_id}"
    # One pixel a module, scaled up in print: a viewer or printer that smoothed it would blur the modules together.
    xobjects = pdf_reader(certificate).pages[0]["/Resources"]["/XObject"]
    assert [xobjects[name].get_object()["/Interpolate"] for name in xobjects] == [False]


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", ["Certificate of completion", "Instructor", "Mar"]), ("zh-hans", ["结业证书", "讲师", "年"])],
)
def test_the_certificate_is_in_the_learners_language(db, language, words):
    cohort = ended_cohort()
    certificate = issued(completed(cohort=cohort, name="Ada", language=language))

    text = pdf_reader(certificate).pages[0].extract_text()
    for word in words[:2]:
        assert word in text
    assert certificate.language == language


def test_without_a_signature_the_instructors_typed_name_signs(db):
    certificate = issued(completed(cohort=ended_cohort(teacher=None), name="Ada", language="en"))

    assert certificate.instructor_name == "李老师"
    assert pdf_reader(certificate).pages[0].extract_text().count("李老师") == 2  # the typed signature and its caption


# The name's box: the frame's left edge (10 mm), its border (1.2 mm) and padding (22 mm), in points.
NAME_BOX_LEFT_PT = (10 + 1.2 + 22) * 72 / 25.4


@pytest.mark.parametrize(
    "name",
    [LONG_LATIN, "张" * 80, "W" * 80, "𠮷" * 40 + "🎉" * 40, "Ω" * 80],
    ids=["latin", "cjk", "wide-latin", "ext-b-emoji", "greek"],
)
def test_an_80_character_name_shrinks_and_wraps_inside_its_box(db, name):
    """A name centred in its box that overflowed it would start left of the box: every line of the name starts
    inside it, and there are at most two."""
    certificate = issued(completed(cohort=ended_cohort(), name=name, language="en"))
    runs: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font, font_size):
        if text.strip():
            runs.append((text.strip(), tm[4], tm[5]))  # CSS pixels, scaled to points by the page matrix

    pdf_reader(certificate).pages[0].extract_text(visitor_text=visit)
    above = next(y for text, _, y in runs if text == "This certifies that")
    below = next(y for text, _, y in runs if text == "has completed the course")
    lines: dict[float, float] = {}
    for _, x, y in runs:
        if above < y < below:
            lines[round(y, 1)] = min(lines.get(round(y, 1), x), x)

    assert 1 <= len(lines) <= 2, lines
    assert min(lines.values()) * 0.75 >= NAME_BOX_LEFT_PT - 0.5


@pytest.mark.parametrize("name", ["A" * 80, "张" * 80, "🎉" * 80, "W" * 30, "José"])
def test_a_name_never_sets_wider_than_two_lines_of_the_page(name):
    """The size rule itself (its PDF is checked above): at the size chosen, even the widest characters fill at
    most two name lines, and short names stay large."""
    size = name_font_size(name)
    widest = 1.0 if not name.isascii() else 0.8  # em per character, generous for capitals in DejaVu Serif Bold
    assert len(name) * widest * size <= 2 * NAME_LINE_PT
    assert name_font_size("张伟") == NAME_MAX_PT
