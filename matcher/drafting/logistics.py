"""Start date (``dateparser``, relative dates against the given today, never the clock), hours
per week and education."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from matcher.drafting.fields import Span, span
from matcher.drafting.sections import Clause
from matcher.schemas import Degree

START = re.compile(
    r"(?:\bstart(?:ing)?(?:\s+date)?|\bstart by|\bavailable from|\bavailability|\bbeginn|\bstartdatum|\bab|"
    r"\bno later than|\bat the latest by)"
    r"\s*(?:is|:|-|\u2013|on|by|in|from|date|no later than|latest)?\s*(?::\s*)?"
    r"(?P<when>[^\n;()|\u00b7]{2,40}?)(?=\.\s|\.$|[;\n(|\u00b7]|,\s(?!\d{4})|\s+and\b|\s+with\b|\s+for\b|$)",
    re.IGNORECASE,
)
_NOW = re.compile(r"^(?:asap|as soon as possible|immediately|ab sofort|sofort|right away|now)\b", re.I)
_QUARTER = re.compile(r"\bQ(?P<q>[1-4])\s*(?P<y>20\d\d)\b", re.IGNORECASE)
HOURS_PER_WEEK = re.compile(
    r"(?<![\d.,])(?P<a>\d{1,2})[ \t]*(?:(?:-|\u2013|to|bis)[ \t]*(?P<b>\d{1,2})[ \t]*)?"
    r"(?:h\b|hrs?\b|hours?\b|std\.?|stunden)[ \t]*(?:/|per|a|pro|each|every)[ \t]*(?:week|wk|woche)\b",
    re.IGNORECASE,
)
HOURS_LABEL = re.compile(r"\bhours\s*:\s*(?P<a>\d{1,2})\b", re.IGNORECASE)
FULL_TIME = re.compile(r"\bfull[- ]time\b|\bvollzeit\b", re.IGNORECASE)
DEGREES: list[tuple[re.Pattern[str], Degree]] = [
    (re.compile(r"\bph\.?\s?d\b|\bdoctorate\b|\bdoctoral\b|\bpromotion\b", re.I), Degree.phd),
    (re.compile(r"\bmaster'?s?\b|\bm\.?\s?sc\b|\bm\.\s?s\.|"
        r"\bmsc\b|\bm\.?eng\b|\bdiplom\w*", re.I), Degree.master),
    (re.compile(r"\bbachelor'?s?\b|\bb\.?\s?sc\b|\bb\.\s?s\.|"
        r"\bbsc\b|\bb\.?eng\b|\bb\.?tech\b|\bundergraduate\b", re.I), Degree.bachelor),
    (re.compile(r"\bassociate'?s? degree\b", re.I), Degree.associate),
    (re.compile(r"\b(?:university |college |technical |relevant |a |"
        r"an )?degree\b|\bstudium\b|\bhochschulabschluss\b", re.I), Degree.bachelor),
]  # fmt: skip
FIELDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bcomputer science\b|\bCS\b|\binformati(?:k|"
        r"cs)\b|\bcomputing\b|\bcomp\.? sci\b", re.I), "computer science"),
    (re.compile(r"\bsoftware engineering\b", re.I), "software engineering"),
    (re.compile(r"(?i:\binformation technology\b)|\bIT\b"), "information technology"),
    (re.compile(r"\binformation systems\b|\bwirtschaftsinformatik\b", re.I), "information systems"),
    (re.compile(r"\bmathemati\w+|\bmaths?\b", re.I), "mathematics"),
    (re.compile(r"\bstatistics\b", re.I), "statistics"),
    (re.compile(r"\bphysics\b", re.I), "physics"),
    (re.compile(r"\belectrical engineering\b", re.I), "electrical engineering"),
    (re.compile(r"(?<!software )(?<!electrical )\bengineering\b(?! (?:team|"
        r"culture|manager|experience))", re.I), "engineering"),
    (re.compile(r"\bdata science\b", re.I), "data science"),
]  # fmt: skip
_PREFERRED = re.compile(r"preferred|a plus|nice|ideally|bonus|or higher|or above", re.IGNORECASE)


def start_date(text: str, today: dt.date) -> tuple[dt.date, Span, str | None] | None:
    import dateparser

    settings: Any = {
        "RELATIVE_BASE": dt.datetime.combine(today, dt.time()),
        "PREFER_DATES_FROM": "future",
        "PREFER_DAY_OF_MONTH": "first",
        "DATE_ORDER": "DMY",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    for m in START.finditer(text):
        when = m.group("when").strip()
        where = span(text, m.start(), m.start("when") + len(m.group("when").rstrip()))
        if _NOW.match(when):
            return today, where, f"'{when}' read as today ({today.isoformat()})"
        q = _QUARTER.search(when)
        if q:
            day = dt.date(int(q.group("y")), 3 * int(q.group("q")) - 2, 1)
            return day, where, f"'{q.group(0)}' read as the first day of the quarter"
        cleaned = re.sub(
            r"^(?:the\s+|on\s+|by\s+|from\s+|early\s+|mid[- ]?|the beginning of\s+)+", "", when, flags=re.I
        )
        parsed = dateparser.parse(cleaned, languages=["en", "de"], settings=settings)
        if parsed is None or not re.search(
            r"\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|week|month|m[äa]rz|januar|mai|juni|juli|okt|dez",
            cleaned,
            re.I,
        ):
            continue
        day = parsed.date()
        if day < today:
            continue
        relative = not re.search(r"\d{4}|\d{1,2}[./]\d{1,2}", cleaned)
        note = f"'{when}' read against {today.isoformat()}" if relative else None
        return day, where, note
    return None


def hours_per_week(text: str) -> tuple[int, Span, str | None] | None:
    m = HOURS_PER_WEEK.search(text)
    if m:
        value = int(m.group("a"))
        if 1 <= value <= 60:
            return value, span(text, m.start(), m.end()), None
    m = HOURS_LABEL.search(text)
    if m and 1 <= int(m.group("a")) <= 60:
        return int(m.group("a")), span(text, m.start(), m.end()), None
    m = FULL_TIME.search(text)
    if m:
        return 40, span(text, m.start(), m.end()), "full-time read as 40 h a week"
    return None


def education(text: str, cuts: list[Clause]) -> tuple[Degree, list[str], Span] | None:
    for c in cuts:
        body = text[c.start : c.end]
        levels: list[tuple[int, Degree]] = []
        for pattern, degree in DEGREES:
            if pattern is DEGREES[-1][0] and levels:
                break  # "degree" after "Master's" is that degree
            for m in pattern.finditer(body):
                if (
                    degree is Degree.bachelor
                    and pattern is DEGREES[-1][0]
                    and re.search(r"\bto a degree\b|degree of", body[m.start() - 5 : m.end() + 5], re.I)
                ):
                    continue
                levels.append((m.start(), degree))
        if not levels:
            continue
        order = list(Degree)
        required = [d for p, d in levels if not _PREFERRED.search(body[p : p + 60])] or [d for _, d in levels]
        lowest = min(required, key=order.index)
        fields = []
        for pattern, name in FIELDS:
            if pattern.search(body) and name not in fields:
                fields.append(name)
        if (
            "electrical engineering" in fields
            and "engineering" in fields
            and not re.search(
                r"(?<!electrical )\bengineering\b", body.replace("electrical engineering", ""), re.I
            )
        ):
            fields.remove("engineering")
        return lowest, fields, span(text, c.start, c.end)
    return None
