"""A requirement drafted from a job description (plain text or Markdown), rule by rule.

Nothing is guessed without saying so: every field of the draft carries the spans of text it was
read from, and a note when the value is converted (a yearly salary to an hourly budget, "CET
± 3 h" to an overlap) or inferred (seniority from years). Fields the text does not give are
listed as missing for the client to fill in. Skills come from the taxonomy's phrase matcher
(``phrases.find_skills``); must-have or nice-to-have follows the section a skill is in
("Requirements", "Nice to have", ...) unless its sentence says otherwise ("... is a plus").
The track follows the seed definitions: designing the system (architecture, security, storage,
speed, stability, reusable libraries, test automation) is the engineer's; carrying plans out
(APIs and web services for front-end and mobile teams, integration, clean maintainable code,
cross-platform work) is the developer's.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import available_timezones

from pydantic import BaseModel

from matcher.drafting.fields import Extracted, Span, span
from matcher.drafting.phrases import Mention, find_skills, iter_lines
from matcher.schemas import CURRENCY_PER_USD, Degree, Seniority, Track
from matcher.skills import SkillResolver

Kind = Literal["must", "nice", "skip"]

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "several": 3,
}  # fmt: skip
_NUM = r"(?:\d+(?:[.,]\d)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"

# --- sections and cues --------------------------------------------------------------------------

NICE_CUE = re.compile(
    r"nice[- ]to[- ]have|\bbonus\b|\bpluses\b|\ba plus\b|"
    r"(?<![\d+] )\bplus\b(?!\s*/)|\bpreferred\b|\bpreferably\b|"
    r"\bideally\b|\bdesirable\b|\bdesired\b|good[- ]to[- ]have|\boptional\b|\ban advantage\b|"
    r"\bwould be great\b|\bbeneficial\b|\bwünschenswert\b|\bvon vorteil\b|\bnot required\b|"
    r"\bappreciated\b|\bextra points\b|\bnice if\b",
    re.IGNORECASE,
)
MUST_CUE = re.compile(
    r"\bmust\b|\brequired\b|\brequirements?\b|\bmandatory\b|\bessential\b|must[- ]have|"
    r"\bneed(?:s|ed)?\b|\bproficien\w*|\bexpert\w*|\bstrong\b|\bsolid\b|\bMuss\b|\bzwingend\b",
    re.IGNORECASE,
)
SKIP_HEADING = re.compile(
    r"about (?:us|the company|the team|the role)|who we are|benefits|we offer|perks|what we offer|"
    r"responsibilit|what you(?:'ll| will) do|the role|duties|tasks|aufgaben|your mission|day to day|"
    r"your day|you will|you'll|your role|your tasks|"
    r"compensation|salary|logistics|how to apply|über uns|wir bieten|equal opportunit",
    re.IGNORECASE,
)
NICE_HEADING = NICE_CUE
MUST_HEADING = re.compile(
    r"require|must|qualification|what you bring|looking for|you have|you bring|skills|essential|"
    r"mandatory|profile|anforderungen|stack|who you are|experience|tech|what you need|you'll need",
    re.IGNORECASE,
)
_KNOWN_HEADING = re.compile(
    r"(?:(?:key |your |our |the |must[- ]|nice[- ]|good[- ]|)(?:requirements|responsibilities|qualifications|"
    r"profile|skills|tasks|duties|role|to have|have|pluses|plus|bonus(?: points)?|preferred|desirable|"
    r"benefits|about (?:us|you|the role|the team)|what you(?:'ll| will) do|what you bring|what we offer|"
    r"what we(?:'re| are) looking for|logistics|details|stack|tech stack|about)s?)",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"^[\s#>*_\-•·+]*|[\s*_:#]*$")
_BULLET = re.compile(r"^\s*(?:[-*•·+]|\d+[.)])\s+")
#: Clause boundaries inside a line: sentence ends and semicolons.
_CLAUSE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(\"'])|;\s*")


def _heading(line: str) -> str | None:
    """The text of a heading line, or None: Markdown headings, bold or italic lines, short lines
    ending with a colon and nothing after it, and short lines that are a known heading
    ("Nice to have", "Responsibilities") on their own."""
    stripped = line.strip()
    if not stripped or _BULLET.match(stripped):
        return None
    text = _MARKUP.sub("", stripped)
    if not text or len(text) > 70:
        return None
    if stripped.startswith("#") or (stripped[0] in "*_" and stripped.rstrip(":")[-1] in "*_"):
        return text
    if stripped.endswith(":"):
        return text
    if len(text) <= 40 and not re.search(r"[.!?,;]", text) and _KNOWN_HEADING.fullmatch(text):
        return text
    return None


def _section_of(heading: str, current: Kind) -> Kind:
    if NICE_HEADING.search(heading):
        return "nice"
    if MUST_HEADING.search(heading) and not re.search(r"you(?:'ll| will)\b(?! need)", heading, re.I):
        return "must"
    if SKIP_HEADING.search(heading):
        return "skip"
    return current


@dataclass
class Clause:
    start: int
    end: int
    section: Kind


def clauses(text: str) -> list[Clause]:
    """The text cut into clauses, each with the kind of section it is in."""
    out = []
    section: Kind = "must"
    titled = False
    for offset, line in iter_lines(text):
        heading = _heading(line) if titled else None
        titled = titled or bool(line.strip())
        if heading is not None:
            section = _section_of(heading, section if section != "skip" else "must")
            continue
        if not line.strip():
            continue
        pos = 0
        for m in _CLAUSE_END.finditer(line):
            out.append(Clause(offset + pos, offset + m.start(), section))
            pos = m.end()
        out.append(Clause(offset + pos, offset + len(line), section))
    return out


#: A clause that describes the work rather than asks for a skill ("You will implement ...").
DUTY = re.compile(
    r"^\W*(?:you will|you'll|you would|day to day|as an? [\w\s-]+ you will|your (?:tasks|role|job)\b|"
    r"responsibilities\s*:|tasks\s*:|duties\s*:|"
    r"(?:[\w\s]+ )?(?:is |are |we(?:'re| are) )?(?:hiring|looking for|seeking|need|needs)\b[^.:]*?\b"
    r"(?:to|who)\s+(?:\w+\s+)?(?:design|build|implement|architect|develop|own|lead|create|maintain|"
    r"implements|builds|designs|carry))",
    re.IGNORECASE,
)
_ASKED = re.compile(r"\bmust\b|\brequired\b", re.IGNORECASE)


def _kind_in_clause(text: str, clause: Clause, at: int) -> Kind:
    """A skill's kind: the nearest cue in its clause, else the clause's section; skills in a
    clause describing the duties are not asked for."""
    body = text[clause.start : clause.end]
    if DUTY.match(body) and not NICE_CUE.search(body) and not _ASKED.search(body):
        return "skip"
    cues: list[tuple[int, Kind]] = [(m.start(), "nice") for m in NICE_CUE.finditer(body)]
    if clause.section == "nice":
        return "nice"
    cues += [(m.start(), "must") for m in MUST_CUE.finditer(body)]
    if not cues:
        return clause.section
    local = at - clause.start
    nice = [abs(p - local) for p, k in cues if k == "nice"]
    must = [abs(p - local) for p, k in cues if k == "must"]
    if nice and (not must or min(nice) <= min(must)):
        return "nice"
    return "must"


# --- years --------------------------------------------------------------------------------------

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


def _plain(value: float) -> float | int:
    """A whole number as an int, so that it reads "75", not "75.0"."""
    return int(value) if float(value).is_integer() else value


def _number(text: str) -> float:
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
        value = _number(m.group("n"))
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


# --- title, seniority, track ----------------------------------------------------------------------

_TITLE_PREFIX = re.compile(
    r"^(?:job title|position|role|title|we(?:'re| are) hiring|hiring|stellenangebot)\s*[:\-\u2013]\s*",
    re.IGNORECASE,
)
_ROLE_IN_PROSE = re.compile(
    r"(?:looking for|hiring|seeking|searching for|need)\s+(?:an?\s+|one\s+|two\s+)?(?:experienced\s+)?"
    r"(?P<t>[^,.\n]{3,80}?\b(?:engineer|developer|programmer|entwickler)s?)\b",
    re.IGNORECASE,
)
SENIORITY_WORDS: list[tuple[re.Pattern[str], Seniority]] = [
    (re.compile(r"\bprincipal\b", re.I), Seniority.principal),
    (re.compile(r"\b(?:staff|lead|tech lead|team lead)\s+(?:backend\s+|software\s+)?(?:engineer|"
        r"developer)\b|^lead\b|\blead\b(?=.*\b(?:engineer|developer)\b)", re.I), Seniority.lead),
    (re.compile(r"\bsenior\b|\bsr\.?(?=\s)", re.I), Seniority.senior),
    (re.compile(r"\bmid[- ]?level\b|\bmid[- ]senior\b|"
        r"\bintermediate\b|\bmid\b|\bmedior\b", re.I), Seniority.mid),
    (re.compile(r"\bjunior\b|\bjr\.?(?=\s)|\bgraduate\b|\bentry[- ]level\b", re.I), Seniority.junior),
]  # fmt: skip
ENGINEER_CUES = re.compile(
    r"\barchitect\w*|\bsystem design\b|\bdesign(?:ing|s)? (?:the |our |new |scalable |robust )?"
    r"(?:system|systems|architecture|services|platform|data models?|storage)\b|\bscalab\w+|"
    r"\breliab\w+|\bstabilit\w+|\bperformance\b|\boptimi[sz]\w+|"
    r"\bsecur(?:e|ity) (?:design|systems|by design)\b|"
    r"\bdistributed systems\b|\bdata storage\b|\bstorage solutions?\b|\breusable (?:code )?librar\w+|"
    r"\btest automation\b|\binfrastructure\b|\btechnical (?:strategy|direction|vision)\b|"
    r"\bhigh availability\b|\bfault[- ]toleran\w+|\bcapacity planning\b|\bdesign reviews?\b|"
    r"\bset(?:ting)? the (?:technical )?foundations?\b",
    re.IGNORECASE,
)
DEVELOPER_CUES = re.compile(
    r"\bimplement\w*|\bbuild(?:ing)? (?:and maintain(?:ing)? )?(?:new )?(?:REST(?:ful)? |GraphQL )?"
    r"(?:APIs?|endpoints|web services|features)\b|\bweb services\b|\bintegrat\w+|"
    r"\bfront[- ]?end (?:and|&) mobile\b|\bmobile (?:and|"
    r"&) front[- ]?end\b|\bfront[- ]?end (?:team|developers)\b|"
    r"\bmobile (?:team|developers|apps?)\b|\bclean,? (?:and )?maintainable code\b|\bmaintainable code\b|"
    r"\bcross[- ]platform\b|\bdeliver(?:ing)? features\b|\bfeature (?:work|development)\b|\bCRUD\b|"
    r"\bthird[- ]party (?:APIs?|services)\b|\bbug ?fix\w*|\bcarry(?:ing)? out\b|\bticket\w*\b|"
    r"\bdata sources\b|\bspecifications?\b",
    re.IGNORECASE,
)
TITLE_ENGINEER = re.compile(r"\bengineer\w*|\barchitect\b|\bingenieur\w*", re.IGNORECASE)
TITLE_DEVELOPER = re.compile(r"\bdeveloper\w*|\bprogrammer\b|\bentwickler\w*|\bcoder\b", re.IGNORECASE)


def _title(text: str) -> tuple[str, Span] | None:
    for offset, line in iter_lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        cleaned = _TITLE_PREFIX.sub("", _MARKUP.sub("", stripped))
        lead = line.find(cleaned) if cleaned else -1
        if cleaned and len(cleaned) <= 100 and not cleaned.endswith(".") and lead >= 0:
            return cleaned[:200], span(text, offset + lead, offset + lead + len(cleaned))
        break
    first = re.match(r"\W*(?P<t>[^.!?\n]{3,80}?\b(?:engineer|developer|programmer)s?\b)", text, re.I)
    if first:
        return first.group("t"), span(text, first.start("t"), first.end("t"))
    m = _ROLE_IN_PROSE.search(text)
    if m:
        return m.group("t")[:1].upper() + m.group("t")[1:], span(text, m.start("t"), m.end("t"))
    return None


def _seniority(text: str, title: tuple[str, Span] | None) -> tuple[Seniority, Span] | None:
    if title is not None:
        t, where = title
        for pattern, level in SENIORITY_WORDS:
            m = pattern.search(t)
            if m:
                return level, span(text, where.start + m.start(), where.start + m.end())
    best: tuple[int, Seniority, re.Match[str]] | None = None
    for pattern, level in SENIORITY_WORDS:
        if level is Seniority.lead:
            continue  # "lead" in prose is mostly a verb
        m = pattern.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), level, m)
    if best is None:
        return None
    return best[1], span(text, best[2].start(), best[2].end())


def _track(text: str, title: tuple[str, Span] | None) -> tuple[Track, list[Span], str] | None:
    engineer = [span(text, m.start(), m.end()) for m in ENGINEER_CUES.finditer(text)]
    developer = [span(text, m.start(), m.end()) for m in DEVELOPER_CUES.finditer(text)]
    e_score, d_score = float(len(engineer)), float(len(developer))
    if title is not None:
        t, where = title
        for m in TITLE_ENGINEER.finditer(t):
            engineer.insert(0, span(text, where.start + m.start(), where.start + m.end()))
            e_score += 1.5
        for m in TITLE_DEVELOPER.finditer(t):
            developer.insert(0, span(text, where.start + m.start(), where.start + m.end()))
            d_score += 1.5
    if e_score == d_score == 0:
        return None
    if e_score == d_score:
        return None
    track, spans = (Track.engineer, engineer) if e_score > d_score else (Track.developer, developer)
    note = (
        f"{len(engineer)} design and architecture cues against {len(developer)} execution and "
        "integration cues (the seed definitions of the two tracks)"
    )
    return track, spans[:6], note


# --- money --------------------------------------------------------------------------------------

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


# --- time zone and overlap ------------------------------------------------------------------------

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
            hours = _number(m.group("h"))
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


# --- start date, hours, education ---------------------------------------------------------------

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


# --- the draft ----------------------------------------------------------------------------------


class RequirementDraft(BaseModel):
    """A requirement drafted from text, for a person to review before anything is saved."""

    requirement: dict[str, Any]
    """The fields found, in the import format (``external_id`` and ``client`` are never in it)."""
    fields: list[Extracted]
    """Every field found, with the text it came from."""
    missing: list[str]
    """Import-format fields a requirement needs that the text did not give."""
    notes: list[str]


REQUIRED = ("title", "track", "seniority", "max_hourly_rate", "timezone", "start_by")


def _skill_entries(
    text: str, mentions: list[Mention], cuts: list[Clause], found: YearsFound
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Extracted]]:
    must: dict[str, dict[str, Any]] = {}
    nice: dict[str, dict[str, Any]] = {}
    where: dict[str, tuple[Span, Span | None]] = {}
    for i, m in enumerate(mentions):
        clause = next((c for c in cuts if c.start <= m.start < c.end), None)
        if clause is None:
            continue
        kind = _kind_in_clause(text, clause, m.start)
        if kind == "skip":
            continue
        entry: dict[str, Any] = {"name": m.name}
        years_span = None
        if i in found.per_mention:
            value, years_span = found.per_mention[i]
            entry["min_years"] = int(value) if value.is_integer() else value
        if m.key in must:
            if "min_years" in entry and "min_years" not in must[m.key]:
                must[m.key]["min_years"] = entry["min_years"]
                where[m.key] = (where[m.key][0], years_span)
            continue
        if kind == "must":
            if m.key in nice:  # named as a must after a mention as nice: a must-have
                earlier = nice.pop(m.key)
                if "min_years" in earlier and "min_years" not in entry:
                    entry["min_years"], years_span = earlier["min_years"], where[m.key][1]
            must[m.key] = entry
        elif m.key in nice:
            if "min_years" in entry and "min_years" not in nice[m.key]:
                nice[m.key]["min_years"] = entry["min_years"]
                where[m.key] = (where[m.key][0], years_span)
            continue
        else:
            nice[m.key] = entry
        where[m.key] = (span(text, m.start, m.end), years_span)
    extracted = []
    for label, group in (("must_have", must), ("nice_to_have", nice)):
        for n, (key, entry) in enumerate(group.items()):
            name_span, years_span = where[key]
            extracted.append(Extracted(field=f"{label}[{n}].name", value=entry["name"], spans=[name_span]))
            if "min_years" in entry and years_span is not None:
                extracted.append(
                    Extracted(field=f"{label}[{n}].min_years", value=entry["min_years"], spans=[years_span])
                )
    return list(must.values()), list(nice.values()), extracted


def draft_requirement(
    text: str, *, today: dt.date, resolver: SkillResolver | None = None
) -> RequirementDraft:
    """Read a job description into a draft requirement (see the module docstring)."""
    cuts = clauses(text)
    mentions = find_skills(text, resolver)
    found = years(text, mentions, cuts)
    req: dict[str, Any] = {}
    fields: list[Extracted] = []
    notes: list[str] = []

    def put(name: str, value: Any, spans: Iterable[Span], note: str | None = None) -> None:
        req[name] = value
        fields.append(Extracted(field=name, value=value, spans=list(spans), note=note))
        if note:
            notes.append(f"{name}: {note}")

    title = _title(text)
    if title:
        put("title", title[0], [title[1]])
    track = _track(text, title)
    if track:
        put("track", track[0].value, track[1], track[2])
    seniority = _seniority(text, title)
    if seniority:
        put("seniority", seniority[0].value, [seniority[1]])
    if found.overall:
        total = found.overall[0]
        put("min_years_experience", int(total) if total.is_integer() else total, [found.overall[1]])
    must, nice, skill_fields = _skill_entries(text, mentions, cuts, found)
    req["must_have"], req["nice_to_have"] = must, nice
    fields.extend(skill_fields)
    hours = hours_per_week(text)
    if hours:
        put("hours_per_week", hours[0], [hours[1]], hours[2])
    money = budget(text, hours[0] if hours else 40)
    if money:
        put("max_hourly_rate", _plain(money.rate), [money.where], money.note)
        put("currency", money.currency, [money.where])
    zone = timezone(text)
    if zone:
        put("timezone", zone.timezone, [zone.zone_span])
        if zone.overlap is not None and zone.overlap_span is not None:
            put("min_overlap_hours", _plain(zone.overlap), [zone.overlap_span], zone.note)
    start = start_date(text, today)
    if start:
        put("start_by", start[0].isoformat(), [start[1]], start[2])
    edu = education(text, cuts)
    if edu:
        value = {"min_degree": edu[0].value, "fields": edu[1]}
        put("education", value, [edu[2]])
    missing = [name for name in REQUIRED if name not in req]
    if not must:
        missing.append("must_have")
    return RequirementDraft(requirement=req, fields=fields, missing=missing, notes=notes)
