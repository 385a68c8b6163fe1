"""The hourly budget and its currency: rates and ranges as written ("$60-75/h", "€70 per hour",
"70 €/Std."), day rates, monthly and yearly salaries converted with a note saying so."""

from __future__ import annotations

import re
from dataclasses import dataclass

from matcher.drafting.fields import Span, span
from matcher.schemas import CURRENCY_PER_USD

_CUR = r"US\$|USD|CA\$|CAD|A\$|AUD|\$|€|EUR|Euro?s?|£|GBP|₹|INR|CHF|PLN|zł|SEK|SGD|S\$"
_AMOUNT = r"\d{1,3}(?:[.,\s]\d{3})+(?![\d])|\d+(?:[.,]\d{1,2})?"
MONEY = re.compile(
    rf"(?P<c1>{_CUR})?\s?(?P<a>{_AMOUNT})\s?(?P<ka>[kK])?"
    rf"(?:\s*(?:-|\u2013|to|bis)\s*(?:{_CUR})?\s?(?P<b>{_AMOUNT})\s?(?P<kb>[kK])?)?"
    rf"\s?(?P<c2>{_CUR})?"
    r"(?P<per>\s*(?:gross\s*|brutto\s*|net\s*)?(?:/\s*|per\s+|an?\s+|pro\s+|p\.?\s?)?"
    r"(?P<unit>hours?\b|hourly\b|hrs?\b|h\b|std\.?|stunden?\b|days?\b|daily\b|tag\b|month\b|monthly\b|mo\b|monat\b|"
    r"years?\b|yearly\b|yr\b|annum\b|a\.(?=\s)|annual(?:ly)?\b|jahr\b))?",
    re.IGNORECASE,
)
CURRENCY_CODES = {
    "us$": "USD", "usd": "USD", "$": "USD", "ca$": "CAD", "cad": "CAD", "a$": "AUD", "aud": "AUD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "eu": "EUR", "£": "GBP", "gbp": "GBP",
    "₹": "INR", "inr": "INR", "chf": "CHF", "pln": "PLN", "zł": "PLN", "sek": "SEK", "sgd": "SGD",
    "s$": "SGD",
}  # fmt: skip
_YEAR_CONTEXT = re.compile(
    r"salary|gehalt|per year|annual|p\.a\.|/year|/yr|yearly|jahresgehalt", re.IGNORECASE
)
_RATE_CONTEXT = re.compile(r"rate|budget|hourly|stundensatz|tagessatz|pay|compensation|salary|gehalt", re.I)
WEEKS_PER_YEAR = 52
HOURS_PER_DAY = 8


def _amount(text: str, k: str | None) -> float:
    text = re.sub(r"\s", "", text)
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", text):
        value = float(re.sub(r"[.,]", "", text))
    else:
        value = float(text.replace(",", "."))
    return value * 1000 if k else value


def _unit(word: str | None) -> str | None:
    if word is None:
        return None
    w = word.lower().rstrip(".")
    if w.startswith(("h", "std", "stund")):
        return "hour"
    if w.startswith(("day", "dail", "tag")):
        return "day"
    if w.startswith(("mo",)):
        return "month"
    if w.startswith(("y", "ann", "jahr")) or w == "a":
        return "year"
    return None


@dataclass
class Budget:
    rate: float
    currency: str
    where: Span
    note: str | None


def budget(text: str, hours_per_week: int) -> Budget | None:
    """The hourly budget: the top of the first hourly rate or range; else a day, month or year
    figure converted, with a note."""
    found: list[tuple[int, Budget]] = []
    for m in MONEY.finditer(text):
        cur_text = m.group("c1") or m.group("c2")
        if cur_text is None:
            continue
        currency = CURRENCY_CODES.get(cur_text.lower())
        if currency is None or currency not in CURRENCY_PER_USD:
            continue
        low = _amount(m.group("a"), m.group("ka"))
        high = _amount(m.group("b"), m.group("kb") or m.group("ka")) if m.group("b") else low
        top = max(low, high)
        if top <= 0:
            continue
        unit = _unit(m.group("unit"))
        context = text[max(0, m.start() - 60) : m.end() + 30]
        if unit is None:
            if top >= 10_000 and _YEAR_CONTEXT.search(context):
                unit = "year"
            elif top <= 500 and _RATE_CONTEXT.search(context):
                unit = "hour"
            else:
                continue
        where = span(text, m.start(), m.end())
        shown = f"{top:,.0f} {currency}"
        if unit == "hour":
            found.append((0, Budget(round(top, 2), currency, where, None)))
        elif unit == "day":
            rate = round(top / HOURS_PER_DAY, 2)
            note = f"day rate {shown} converted at {HOURS_PER_DAY} h a day to {rate:g} {currency}/h"
            found.append((1, Budget(rate, currency, where, note)))
        elif unit == "month":
            rate = round(top * 12 / (WEEKS_PER_YEAR * hours_per_week), 2)
            note = (
                f"monthly figure {shown} converted at {hours_per_week} h a week, {WEEKS_PER_YEAR} weeks a "
                f"year, to {rate:g} {currency}/h: a salary is not an hourly budget, please check"
            )
            found.append((2, Budget(rate, currency, where, note)))
        else:
            rate = round(top / (WEEKS_PER_YEAR * hours_per_week), 2)
            note = (
                f"yearly salary {shown} converted at {hours_per_week} h a week, {WEEKS_PER_YEAR} weeks a "
                f"year, to {rate:g} {currency}/h: a salary is not an hourly budget, please check"
            )
            found.append((3, Budget(rate, currency, where, note)))
    if not found:
        return None
    return min(found, key=lambda pb: (pb[0], pb[1].where.start))[1]
