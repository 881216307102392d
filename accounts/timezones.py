"""The time-zone picker's choices: the zones people look for first, then one group per region, each zone once.

Every IANA name Python knows stays valid (``is_valid_zone``), but the list shows only the canonical zones of the
tz database's ``zone.tab`` (one or more per country, ~420) rather than all ~600 names with their historical aliases
("US/Eastern", "Asia/Calcutta"): the page is smaller and each city appears once. A saved or detected alias is added
to the list when it is the current value.
"""

import zoneinfo
from functools import lru_cache
from importlib import resources
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

# The zones of most learners first (the product's own market, then the largest others), in this order.
COMMON: dict[str, Promise] = {
    "Asia/Shanghai": pgettext_lazy("time zone", "China (Beijing time)"),
    "Asia/Hong_Kong": pgettext_lazy("time zone", "Hong Kong"),
    "Asia/Taipei": pgettext_lazy("time zone", "Taipei"),
    "Asia/Singapore": pgettext_lazy("time zone", "Singapore"),
    "Asia/Tokyo": pgettext_lazy("time zone", "Tokyo"),
    "America/New_York": pgettext_lazy("time zone", "New York (US Eastern)"),
    "America/Chicago": pgettext_lazy("time zone", "Chicago (US Central)"),
    "America/Los_Angeles": pgettext_lazy("time zone", "Los Angeles (US Pacific)"),
    "Europe/London": pgettext_lazy("time zone", "London"),
    "Europe/Berlin": pgettext_lazy("time zone", "Berlin"),
    "Europe/Paris": pgettext_lazy("time zone", "Paris"),
    "Australia/Sydney": pgettext_lazy("time zone", "Sydney"),
    "UTC": pgettext_lazy("time zone", "UTC (coordinated universal time)"),
}

REGIONS: dict[str, Promise] = {
    "Asia": pgettext_lazy("time zone region", "Asia"),
    "America": pgettext_lazy("time zone region", "Americas"),
    "Europe": pgettext_lazy("time zone region", "Europe"),
    "Australia": pgettext_lazy("time zone region", "Australia"),
    "Pacific": pgettext_lazy("time zone region", "Pacific"),
    "Africa": pgettext_lazy("time zone region", "Africa"),
    "Indian": pgettext_lazy("time zone region", "Indian Ocean"),
    "Atlantic": pgettext_lazy("time zone region", "Atlantic"),
    "Antarctica": pgettext_lazy("time zone region", "Antarctica"),
    "Arctic": pgettext_lazy("time zone region", "Arctic"),
}

COMMON_LABEL = pgettext_lazy("time zone region", "Common")


@lru_cache(maxsize=1)
def _available() -> frozenset[str]:
    """Every IANA name Python knows (``available_timezones`` walks the tz database's files on every call)."""
    return frozenset(zoneinfo.available_timezones())


def is_valid_zone(name: str) -> bool:
    return name in _available()


def _zone_tab() -> str | None:
    """The text of the tz database's zone.tab: the system's, else the tzdata package's."""
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / "zone.tab"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        return resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return None


@lru_cache(maxsize=1)
def listed_zones() -> frozenset[str]:
    """The zones the picker lists: zone.tab's (without it, every name in a region)."""
    available = _available()
    text = _zone_tab()
    if text is None:
        return frozenset(z for z in available if z.split("/", 1)[0] in REGIONS)
    names = (line.split("\t")[2] for line in text.splitlines() if line and not line.startswith("#"))
    return frozenset(name.strip() for name in names if name.strip() in available)


def _city(name: str) -> str:
    """ "America/Argentina/Buenos_Aires" -> "Argentina / Buenos Aires"."""
    return name.split("/", 1)[1].replace("_", " ").replace("/", " / ")


def timezone_choices(current: str | None = None) -> list[tuple[Promise | str, list[tuple[str, Promise | str]]]]:
    """Grouped choices for a ``<select>`` (Django renders each group as an ``<optgroup>``): the common zones, then
    the regions, cities in alphabetical order. ``current``, a valid zone the list doesn't have, joins the common ones."""
    common: list[tuple[str, Promise | str]] = list(COMMON.items())
    if current and current not in COMMON and current not in listed_zones() and is_valid_zone(current):
        common.append((current, current.replace("_", " ")))
    by_region: dict[str, list[tuple[str, Promise | str]]] = {region: [] for region in REGIONS}
    for name in sorted(listed_zones() - COMMON.keys(), key=_city):
        by_region[name.split("/", 1)[0]].append((name, _city(name)))
    return [(COMMON_LABEL, common), *((REGIONS[r], zones) for r, zones in by_region.items() if zones)]
