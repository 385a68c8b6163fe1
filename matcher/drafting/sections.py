"""Where a job description asks for what: its clauses, the section each is in ("Requirements",
"Nice to have", the duties), and the cues in a sentence ("... is a plus", "required")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from matcher.drafting.phrases import iter_lines

Kind = Literal["must", "nice", "skip"]


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
MARKUP = re.compile(r"^[\s#>*_\-•·+]*|[\s*_:#]*$")
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
    text = MARKUP.sub("", stripped)
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


def kind_of(text: str, clause: Clause, at: int) -> Kind:
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
