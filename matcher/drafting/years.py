"""Minimum years: per skill ("5+ years of Python", "at least three years with PostgreSQL",
"Redis (2 years)") and overall ("7+ years of backend experience")."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from matcher.drafting.fields import Span, span
from matcher.drafting.phrases import Mention
from matcher.drafting.sections import Clause

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "several": 3,
}  # fmt: skip
_NUM = r"(?:\d+(?:[.,]\d)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"


YEARS = re.compile(
    rf"(?:(?:at least|minimum(?: of)?|min\.?|over|more than|mindestens|über)\s+)?"
    rf"(?P<n>{_NUM})\s*(?:\+|plus)?\s*(?:(?:-|\u2013|to|bis)\s*\d+\s*\+?\s*)?"
    r"(?:years?|yrs?|Jahre?n?)\b(?:\s*\+)?",
    re.IGNORECASE,
)
#: Words that may stand between "5+ years" and the skill it is about.
_YEARS_FILLER = re.compile(
    r"^(?:\s|[\u2019'`]|of|with|in|using|working|experience|professional|commercial|hands-on|"
    r"production|practical|industry|relevant|proven|building|developing|writing|programming|"
    r"the|modern|strong|solid|deep|recent|Erfahrung|mit|in|der|Berufserfahrung|as|an?|"
    r"backend|back-end|server-side|software|development|engineering|:|-|\u2013)*$",
    re.IGNORECASE,
)
_LIST_GAP = re.compile(r"^(?:\s|,|/|&|\band\b|\bor\b|\bund\b|\boder\b|\bplus\b)*$", re.IGNORECASE)
_BEFORE_YEARS = re.compile(
    r"^\s*[(:,\-\u2013]?\s*(?:with\s+|for\s+)?"
    r"(?:at least|min\.?|minimum(?: of)?|mindestens|over|more than)?\s*$",
    re.IGNORECASE,
)
_GENERAL_EXPERIENCE = re.compile(
    r"experience|software|backend|back-end|engineering|development|industry|professional|"
    r"Berufserfahrung|Erfahrung|in the field|programming",
    re.IGNORECASE,
)


def plain(value: float) -> float | int:
    """A whole number as an int, so that it reads "75", not "75.0"."""
    return int(value) if float(value).is_integer() else value


def number(text: str) -> float:
    text = text.lower()
    if text in NUMBER_WORDS:
        return float(NUMBER_WORDS[text])
    return float(text.replace(",", "."))


@dataclass
class YearsFound:
    per_mention: dict[int, tuple[float, Span]] = field(default_factory=dict)
    """Index of a mention -> (years, span of the years phrase)."""
    overall: tuple[float, Span] | None = None


def years(text: str, mentions: list[Mention], cuts: list[Clause]) -> YearsFound:
    found = YearsFound()
    for m in YEARS.finditer(text):
        value = number(m.group("n"))
        phrase = span(text, m.start(), m.end())
        clause = next((c for c in cuts if c.start <= m.start() < c.end), None)
        end = clause.end if clause else len(text)
        after = [i for i, s in enumerate(mentions) if m.end() <= s.start < end]
        taken: list[int] = []
        if after and _YEARS_FILLER.match(text[m.end() : mentions[after[0]].start]):
            taken.append(after[0])
            for a, b in itertools.pairwise(after):
                if _LIST_GAP.match(text[mentions[a].end : mentions[b].start]):
                    taken.append(b)
                else:
                    break
        if not taken:
            start = clause.start if clause else 0
            before = [i for i, s in enumerate(mentions) if start <= s.end <= m.start()]
            if before and _BEFORE_YEARS.match(text[mentions[before[-1]].end : m.start()]):
                taken.append(before[-1])
        for i in taken:
            found.per_mention.setdefault(i, (value, phrase))
        general = not taken and _GENERAL_EXPERIENCE.search(text[m.end() : min(end, m.end() + 60)])
        if general and (found.overall is None or value > found.overall[0]):
            found.overall = (value, phrase)
    return found
