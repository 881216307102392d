"""``junit_summary.py REPORT.xml``: one line of counts, then the id of every failed or erroring test.

Reads the JUnit XML that ``pytest --junitxml`` writes; ``scripts/test.sh`` prints it in its summary.
"""

import sys
import xml.etree.ElementTree as ET  # noqa: S405 (our own pytest's report)
from collections import Counter


def main() -> int:
    try:
        root = ET.parse(sys.argv[1]).getroot()  # noqa: S314
    except (OSError, ET.ParseError):
        print("no report")
        return 0
    counts: Counter[str] = Counter()
    broken: list[str] = []
    for case in root.iter("testcase"):
        outcome = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        counts[outcome] += 1
        if outcome in ("failure", "error"):
            path = case.get("classname", "").replace(".", "/")
            broken.append(f"{outcome}: {path}.py::{case.get('name')}")
    labels = [("passed", "passed"), ("failure", "failed"), ("error", "errors"), ("skipped", "skipped/xfailed")]
    print(", ".join(f"{counts[key]} {label}" for key, label in labels if counts[key]) or "no tests")
    for line in broken:
        print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
