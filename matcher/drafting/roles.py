"""Title, seniority and track. The track follows the seed definitions: designing the system
(architecture, security, storage, speed, stability, reusable libraries, test automation) is the
engineer's; carrying plans out (APIs and web services for front-end and mobile teams,
integration, clean maintainable code, cross-platform work) is the developer's."""

from __future__ import annotations

import re

from matcher.drafting.fields import Span, span
from matcher.drafting.phrases import iter_lines
from matcher.drafting.sections import MARKUP
from matcher.schemas import Seniority, Track

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


def title_of(text: str) -> tuple[str, Span] | None:
    for offset, line in iter_lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        cleaned = _TITLE_PREFIX.sub("", MARKUP.sub("", stripped))
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


def seniority_of(text: str, title: tuple[str, Span] | None) -> tuple[Seniority, Span] | None:
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


def track_of(text: str, title: tuple[str, Span] | None) -> tuple[Track, list[Span], str] | None:
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
