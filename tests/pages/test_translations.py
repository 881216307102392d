"""The Simplified Chinese catalog is complete and in step with the source.

Extraction runs Babel exactly as ``scripts/i18n.sh extract`` does (same mapping file and keywords).
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="zh_Hans")


def _keywords() -> list[str]:
    script = (ROOT / "scripts" / "i18n.sh").read_text()
    return re.search(r'--keywords="([^"]+)"', script).group(1).split()


def _is_translated(message) -> bool:
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string)


def test_no_untranslated_or_fuzzy_entries():
    catalog = _catalog()
    untranslated = [m.id for m in catalog if m.id and not _is_translated(m)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_placeholders_survive_translation():
    for message in _catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        wanted = set(re.findall(r"%\([a-z_]+\)[sd]", ids[0]))
        for string in strings:
            assert set(re.findall(r"%\([a-z_]+\)[sd]", string)) == wanted, message.id


def test_chinese_punctuation_is_full_width():
    """ "加油!" and "原因:" read as typos in Chinese: next to Chinese text, punctuation is full-width (！：；，？)."""
    cjk = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
    clash = re.compile(rf"{cjk} ?[!:;,?]|[!:;,?] ?{cjk}")
    wrong = []
    for message in _catalog():
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        wrong += [string for string in strings if message.id and clash.search(string)]
    assert wrong == []


def test_extraction_is_up_to_date(tmp_path):
    pot = tmp_path / "django.pot"
    command = [
        sys.executable,
        "-m",
        "babel.messages.frontend",
        "--quiet",
        "extract",
        "--mapping-file=babel.cfg",
        f"--output-file={pot}",
        "--ignore-dirs=.* _* var tests bench migrations node_modules __pycache__",
    ]
    command += [f"--keyword={keyword}" for keyword in _keywords()]
    command.append(".")
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(result.stderr)
    with pot.open("rb") as f:
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    in_po = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog() if m.id}
    missing = sorted(extracted - in_po)
    assert missing == [], "run `scripts/i18n.sh update` and translate: " + repr(missing)
