"""The site's one stylesheet stays well-formed: a block left open (easily done when two changes meet at the end of a
section) silently swallows every rule after it into a media query, and pages lose their layout on some screens."""

import re
from pathlib import Path

import tinycss2

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"


def test_every_block_of_the_stylesheet_is_closed_and_parses():
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"site.css line {number} closes a block that was never opened"
    assert depth == 0, "site.css leaves a block open at its end"
    rules = tinycss2.parse_stylesheet(CSS.read_text(), skip_comments=True, skip_whitespace=True)
    assert [r for r in rules if r.type == "error"] == []
