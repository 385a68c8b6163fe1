"""Skills, with years where stated, from a plain-text CV: the job description's phrase matcher
and years rules applied to the CV's skills section (the whole text when it has none)."""

from __future__ import annotations

import re

from pydantic import BaseModel

from matcher.drafting.fields import Span, span
from matcher.drafting.phrases import find_skills, iter_lines
from matcher.drafting.sections import clauses
from matcher.drafting.years import years
from matcher.skills import SkillResolver

SKILLS_HEADING = re.compile(
    r"^\W*(?:(?:technical|core|key|it|tech)\s+)?(?:skills|skill set|competenc(?:e|ies)|technologies|"
    r"tech stack|stack|kenntnisse|fähigkeiten|expertise|tools)\b",
    re.IGNORECASE,
)
#: A line that starts another section of a CV.
OTHER_HEADING = re.compile(
    r"^\W*(?:experience|work experience|employment|education|projects|languages|certifications?|"
    r"summary|profile|interests|references|berufserfahrung|ausbildung|sprachen)\W*$",
    re.IGNORECASE,
)


class CvSkill(BaseModel):
    """A skill in the import format (``name``, ``years`` when stated) and where it was read."""

    name: str
    years: float | None = None
    spans: list[Span]


class CvSkills(BaseModel):
    skills: list[CvSkill]
    section: Span | None
    """The skills section read; None when the CV has none and the whole text was read."""


def _section(text: str) -> tuple[int, int] | None:
    start = None
    for offset, line in iter_lines(text):
        if start is None:
            if SKILLS_HEADING.match(line) and len(line.strip()) <= 60:
                start = offset
            continue
        if OTHER_HEADING.match(line.strip()):
            return start, offset
    return (start, len(text)) if start is not None else None


def skills_from_cv(text: str, resolver: SkillResolver | None = None) -> CvSkills:
    """The CV's skills in the order first named, each once, with the years stated for it."""
    bounds = _section(text)
    start, end = bounds if bounds else (0, len(text))
    part = text[start:end]
    mentions = find_skills(part, resolver)
    found = years(part, mentions, clauses(part))
    out: dict[str, CvSkill] = {}
    for i, m in enumerate(mentions):
        where = [span(text, start + m.start, start + m.end)]
        stated = found.per_mention.get(i)
        value = None
        if stated is not None:
            value = stated[0]
            where.append(span(text, start + stated[1].start, start + stated[1].end))
        known = out.get(m.key)
        if known is None:
            out[m.key] = CvSkill(name=m.name, years=value, spans=where)
        elif known.years is None and value is not None:
            out[m.key] = CvSkill(name=m.name, years=value, spans=[*known.spans, *where[1:]])
    section = span(text, start, end) if bounds else None
    return CvSkills(skills=list(out.values()), section=section)
