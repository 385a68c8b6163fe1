"""A requirement drafted from a job description (plain text or Markdown), rule by rule.

Nothing is guessed without saying so: every field of the draft carries the spans of text it was
read from, and a note when the value is converted (a yearly salary to an hourly budget, "CET
± 3 h" to an overlap, "ASAP" to a date). Fields the text does not give are listed as missing
for the client to fill in. Skills come from the taxonomy's phrase matcher
(``phrases.find_skills``); must-have or nice-to-have follows the section a skill is in
("Requirements", "Nice to have", ...) unless its sentence says otherwise ("... is a plus").
The track follows the seed definitions: designing the system (architecture, security, storage,
speed, stability, reusable libraries, test automation) is the engineer's; carrying plans out
(APIs and web services for front-end and mobile teams, integration, clean maintainable code,
cross-platform work) is the developer's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from matcher.drafting.fields import Extracted, Span, span
from matcher.drafting.logistics import education, hours_per_week, start_date
from matcher.drafting.money import budget
from matcher.drafting.phrases import Mention, find_skills
from matcher.drafting.roles import seniority_of, title_of, track_of
from matcher.drafting.sections import Clause, clauses, kind_of
from matcher.drafting.years import YearsFound, plain, years
from matcher.drafting.zones import timezone
from matcher.skills import SkillResolver


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
        kind = kind_of(text, clause, m.start)
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

    title = title_of(text)
    if title:
        put("title", title[0], [title[1]])
    track = track_of(text, title)
    if track:
        put("track", track[0].value, track[1], track[2])
    seniority = seniority_of(text, title)
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
        put("max_hourly_rate", plain(money.rate), [money.where], money.note)
        put("currency", money.currency, [money.where])
    zone = timezone(text)
    if zone:
        put("timezone", zone.timezone, [zone.zone_span])
        if zone.overlap is not None and zone.overlap_span is not None:
            put("min_overlap_hours", plain(zone.overlap), [zone.overlap_span], zone.note)
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
