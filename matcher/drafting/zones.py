"""The client's time zone and the overlap asked for: IANA names, abbreviations and cities
("CET", "US Eastern", "Berlin time"), "CET ± 3 h" (at least 5 h of a working day shared) and
"4 hours overlap with EST"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import available_timezones

from matcher.drafting.fields import Span, span
from matcher.drafting.years import number

ZONE_NAMES = {
    "cet": "Europe/Berlin", "cest": "Europe/Berlin", "mez": "Europe/Berlin",
    "central european time": "Europe/Berlin", "central europe": "Europe/Berlin",
    "eet": "Europe/Athens", "eastern european time": "Europe/Athens", "wet": "Europe/Lisbon",
    "gmt": "Europe/London", "bst": "Europe/London", "uk time": "Europe/London", "utc": "UTC",
    "est": "America/New_York", "edt": "America/New_York", "et": "America/New_York",
    "us eastern": "America/New_York", "eastern time": "America/New_York", "eastern": "America/New_York",
    "cst": "America/Chicago", "cdt": "America/Chicago", "us central": "America/Chicago",
    "central time": "America/Chicago", "mst": "America/Denver", "mdt": "America/Denver",
    "mountain time": "America/Denver", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles", "us pacific": "America/Los_Angeles", "pacific time": "America/Los_Angeles",
    "pacific": "America/Los_Angeles", "ist": "Asia/Kolkata", "india time": "Asia/Kolkata",
    "sgt": "Asia/Singapore", "jst": "Asia/Tokyo", "aest": "Australia/Sydney", "aet": "Australia/Sydney",
    "brt": "America/Sao_Paulo", "berlin": "Europe/Berlin", "london": "Europe/London",
    "amsterdam": "Europe/Amsterdam", "paris": "Europe/Paris", "madrid": "Europe/Madrid",
    "warsaw": "Europe/Warsaw", "new york": "America/New_York", "chicago": "America/Chicago",
    "san francisco": "America/Los_Angeles", "los angeles": "America/Los_Angeles",
    "toronto": "America/Toronto", "bangalore": "Asia/Kolkata", "bengaluru": "Asia/Kolkata",
    "singapore": "Asia/Singapore", "sydney": "Australia/Sydney", "tokyo": "Asia/Tokyo",
    "kyiv": "Europe/Kyiv", "lisbon": "Europe/Lisbon", "zurich": "Europe/Zurich", "zürich": "Europe/Zurich",
    "munich": "Europe/Berlin", "münchen": "Europe/Berlin", "vienna": "Europe/Vienna", "wien": "Europe/Vienna",
}  # fmt: skip
_CITY = {k for k in ZONE_NAMES if k[0].islower() and len(k) > 4 and " " not in k[:3]} - {
    "eastern", "pacific", "central europe", "central european time", "eastern european time",
    "us eastern", "us central", "us pacific", "eastern time", "central time", "mountain time",
    "pacific time", "india time", "uk time",
}  # fmt: skip
_ABBREVIATIONS = "|".join(sorted((re.escape(k) for k in ZONE_NAMES if k not in _CITY), key=len, reverse=True))
_CITIES = "|".join(sorted((re.escape(k) for k in _CITY), key=len, reverse=True))
_IANA = r"[A-Z][a-z]+/[A-Z][A-Za-z_]+(?:/[A-Z][A-Za-z_]+)?"
ZONE = rf"(?:{_IANA}|\b(?:{_ABBREVIATIONS})\b|\b(?:{_CITIES})\b(?:\s+time)?)"
_HOURS = r"(?P<h>\d+(?:[.,]\d)?|one|two|three|four|five|six|seven|eight)"
PLUS_MINUS = re.compile(
    rf"(?P<zone>{ZONE})\s*(?:±|\+/-|\+/\u2212|\+-|plus/minus|"
    rf"plus or minus|\+/- )\s*{_HOURS}\s*(?:h\b|hrs?\b|hours?\b|std)",
    re.IGNORECASE,
)
WITHIN = re.compile(rf"within\s+{_HOURS}\s*(?:h\b|hrs?\b|hours?\b)\s+of\s+(?P<zone>{ZONE})", re.IGNORECASE)
OVERLAP = re.compile(
    rf"(?:at least\s+|min(?:imum)?\.?\s+)?{_HOURS}\s*\+?\s*(?:h\b|hrs?\b|hours?\b|stunden)\s+(?:of\s+)?"
    rf"(?:daily\s+|working[- ]hours?\s+|"
    rf"time[- ]?zone\s+)?overlap(?:ping)?\s+(?:with\s+)?(?:the\s+)?(?P<zone>{ZONE})",
    re.IGNORECASE,
)
OVERLAP_OF = re.compile(
    rf"overlap\s+(?:of\s+)?(?:at least\s+)?{_HOURS}\s*\+?\s*(?:h\b|"
    rf"hrs?\b|hours?\b)\s+(?:with\s+)?(?:the\s+)?(?P<zone>{ZONE})",
    re.IGNORECASE,
)
ANY_ZONE = re.compile(ZONE, re.IGNORECASE)


@lru_cache(maxsize=1)
def _iana() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone(text: str) -> str | None:
    if text.lower() not in ZONE_NAMES and text in _iana():
        return text
    key = re.sub(r"\s+time$", "", text.lower().strip()) if text.lower() not in ZONE_NAMES else text.lower()
    return ZONE_NAMES.get(text.lower().strip()) or ZONE_NAMES.get(key)


@dataclass
class Zone:
    timezone: str
    zone_span: Span
    overlap: float | None = None
    overlap_span: Span | None = None
    note: str | None = None


_NAMED_ZONE = re.compile(rf"{_IANA}|\b(?:{_CITIES})\b\s+time\b|\b(?:{_CITIES})\b(?=\s*\()", re.IGNORECASE)


def _named(text: str) -> tuple[str, Span] | None:
    """An IANA zone or a city's time named outright: the client's own zone."""
    for m in _NAMED_ZONE.finditer(text):
        zone = _zone(m.group(0))
        if zone is not None:
            return zone, span(text, m.start(), m.end())
    return None


def timezone(text: str) -> Zone | None:
    named = _named(text)
    found = _timezone(text)
    if named is None:
        return found
    if found is None:
        return Zone(named[0], named[1])
    return Zone(named[0], named[1], found.overlap, found.overlap_span, found.note)


def _timezone(text: str) -> Zone | None:
    for pattern, kind in ((PLUS_MINUS, "pm"), (WITHIN, "pm"), (OVERLAP, "ov"), (OVERLAP_OF, "ov")):
        for m in pattern.finditer(text):
            zone = _zone(m.group("zone"))
            if zone is None:
                continue
            hours = number(m.group("h"))
            where = span(text, m.start(), m.end())
            zone_span = span(text, m.start("zone"), m.end("zone"))
            if kind == "pm":
                overlap = max(0.0, 8.0 - hours)
                note = (
                    f"'{where.text}' read as at least {overlap:g} h of a 09:00-17:00 day shared with {zone}"
                )
                return Zone(zone, zone_span, overlap, where, note)
            return Zone(zone, zone_span, min(hours, 8.0), where, None)
    for m in ANY_ZONE.finditer(text):
        zone = _zone(m.group(0))
        if zone is not None:
            return Zone(zone, span(text, m.start(), m.end()))
    return None
