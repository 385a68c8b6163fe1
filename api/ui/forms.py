"""The requirement form: flat HTML fields to the import format and back, errors per field.

Field names are the import format's dotted paths (``title``, ``must_have.0.name``,
``education.min_degree``), the same paths ``FieldError.field`` and pydantic's errors use, so
an error of ``RequirementIn``'s validation lands next to the input it is about. Validation is
the API's: ``RequirementBody``; nothing is re-implemented here.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from pydantic import ValidationError

from matcher.errors import FieldError
from matcher.json_records import validation_errors
from matcher.schemas import CURRENCY_PER_USD, Degree, Seniority, Track
from matcher.services.requirements.service import RequirementBody, RequirementView
from matcher.skills import load_taxonomy

SKILL_LISTS = ("must_have", "nice_to_have")
#: Empty skill rows offered below the filled ones (the page's script can add more).
SPARE_ROWS = 2
SCALARS = (
    "external_id",
    "client",
    "title",
    "track",
    "seniority",
    "min_years_experience",
    "max_hourly_rate",
    "currency",
    "timezone",
    "min_overlap_hours",
    "start_by",
    "hours_per_week",
    "headcount",
)
#: Check boxes: present and "true" when ticked, absent otherwise.
FLAGS = ("must_have_is_hard", "track_is_hard")


@dataclass
class SkillRow:
    name: str = ""
    min_years: str = ""


@dataclass
class RequirementForm:
    """What the person typed (as text, so it is shown back unchanged) and the errors by field."""

    values: dict[str, str] = field(default_factory=dict)
    skills: dict[str, list[SkillRow]] = field(default_factory=lambda: {k: [] for k in SKILL_LISTS})
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    #: Typed skill name -> how it is understood ("Pyhton -> Python"), shown under each row.
    understood: dict[str, str] = field(default_factory=dict)

    def skill_names(self) -> list[str]:
        return [row.name for kind in SKILL_LISTS for row in self.skills[kind] if row.name]

    def rows(self, kind: str) -> list[SkillRow]:
        """The filled rows, then spare empty ones."""
        return [*self.skills[kind], *(SkillRow() for _ in range(SPARE_ROWS))]

    def add_errors(self, errors: Iterable[FieldError]) -> None:
        for err in errors:
            reason = err.reason.removeprefix("Value error, ")
            if err.field in self.known_fields():
                self.errors.setdefault(err.field, reason)
            else:
                self.general.append(f"{err.field}: {reason}")

    def known_fields(self) -> set[str]:
        names = {*SCALARS, *FLAGS, "education.min_degree", "education.fields", *SKILL_LISTS}
        for kind in SKILL_LISTS:
            for i in range(len(self.skills[kind])):
                names.update({f"{kind}.{i}", f"{kind}.{i}.name", f"{kind}.{i}.min_years"})
        return names


LABELS = {
    "external_id": "Your reference",
    "client": "Client account",
    "title": "Title",
    "track": "Track",
    "seniority": "Seniority",
    "min_years_experience": "Minimum years of experience",
    "max_hourly_rate": "Maximum hourly rate",
    "currency": "Currency",
    "timezone": "Your time zone",
    "min_overlap_hours": "Minimum overlap",
    "start_by": "Start by",
    "hours_per_week": "Hours per week",
    "headcount": "Headcount",
    "education.min_degree": "Minimum degree",
    "education.fields": "Accepted fields of study",
    "must_have": "Must-have skills",
    "nice_to_have": "Nice-to-have skills",
    "must_have_is_hard": "Only candidates with every must-have skill",
    "track_is_hard": "Only candidates vetted for this role",
}


def label_for(name: str) -> str:
    """The form's label of a field path, for the error summary."""
    parts = name.split(".")
    if parts[0] in SKILL_LISTS and len(parts) >= 2 and parts[1].isdigit():
        what = {"name": "", "min_years": ", min. years"}.get(parts[2] if len(parts) > 2 else "", "")
        return f"{LABELS[parts[0]]}: skill {int(parts[1]) + 1}{what}"
    return LABELS.get(name, name)


def blank(today: dt.date) -> RequirementForm:
    """A new form with sensible defaults (a start 30 days after ``today``) and a fresh reference."""
    start = today + dt.timedelta(days=30)
    return RequirementForm(
        values={
            "external_id": f"req-{today.strftime('%Y%m%d')}-{secrets.token_hex(2)}",
            "track": Track.engineer.value,
            "seniority": Seniority.senior.value,
            "currency": "USD",
            "timezone": "Europe/Berlin",
            "start_by": start.isoformat(),
            "hours_per_week": "40",
            "headcount": "1",
            "min_overlap_hours": "3",
            "education.min_degree": Degree.none.value,
        }
    )


def from_view(view: RequirementView) -> RequirementForm:
    """The form of a stored requirement, to edit it."""
    record = view.model_dump(mode="json")
    out = RequirementForm()
    for name in SCALARS:
        value = record.get(name)
        out.values[name] = "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
    out.values["must_have_is_hard"] = "true" if record.get("must_have_is_hard") else ""
    education = record.get("education") or {}
    out.values["education.min_degree"] = education.get("min_degree") or Degree.none.value
    out.values["education.fields"] = ", ".join(education.get("fields") or [])
    for kind in SKILL_LISTS:
        out.skills[kind] = [
            SkillRow(s["name"], f"{s['min_years']:g}" if s.get("min_years") else "")
            for s in record.get(kind) or []
        ]
    return out


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def read_form(form: Mapping[str, Any]) -> RequirementForm:
    """The typed values; skill rows left empty are dropped and the rest renumbered."""
    out = RequirementForm()
    for name in (*SCALARS, *FLAGS, "education.min_degree", "education.fields"):
        out.values[name] = _text(form, name)
    for kind in SKILL_LISTS:
        indexes = sorted(
            {int(k.split(".")[1]) for k in form if k.startswith(f"{kind}.") and k.split(".")[1].isdigit()}
        )
        for i in indexes:
            row = SkillRow(_text(form, f"{kind}.{i}.name"), _text(form, f"{kind}.{i}.min_years"))
            if row.name or row.min_years:
                out.skills[kind].append(row)
    return out


def to_record(f: RequirementForm, *, client: str | None) -> dict[str, Any]:
    """The import-format record of the form: empty optional fields are left out, so the
    format's defaults apply and a missing required field is reported as missing."""
    record: dict[str, Any] = {k: v for k, v in f.values.items() if v and k in SCALARS}
    if client is not None:
        record["client"] = client
    record.update({flag: f.values.get(flag) == "true" for flag in FLAGS})
    for kind in SKILL_LISTS:
        record[kind] = [
            {"name": row.name, **({"min_years": row.min_years} if row.min_years else {})}
            for row in f.skills[kind]
        ]
    degree = f.values.get("education.min_degree", "")
    fields = [part.strip() for part in f.values.get("education.fields", "").split(",") if part.strip()]
    if (degree and degree != Degree.none.value) or fields:
        record["education"] = {"min_degree": degree or Degree.none.value, "fields": fields}
    return record


def validate(f: RequirementForm, *, client: str | None) -> RequirementBody | None:
    """The requirement, or None with ``f.errors`` filled from the API's validation."""
    try:
        return RequirementBody.model_validate(to_record(f, client=client))
    except ValidationError as exc:
        f.add_errors(validation_errors(exc, None))
        return None


@dataclass(frozen=True)
class Choices:
    """Option lists of the form: skills from the taxonomy, zones, currencies, enums."""

    skills: list[str]
    timezones: list[str]
    currencies: list[str]
    tracks: list[str]
    seniorities: list[str]
    degrees: list[str]


@lru_cache(maxsize=1)
def choices() -> Choices:
    taxonomy = load_taxonomy()
    return Choices(
        skills=sorted({s.name for s in taxonomy.skills.values()}, key=str.casefold),
        timezones=sorted(
            z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
        ),
        currencies=sorted(CURRENCY_PER_USD),
        tracks=[t.value for t in Track],
        seniorities=[s.value for s in Seniority],
        degrees=[d.value for d in Degree],
    )
