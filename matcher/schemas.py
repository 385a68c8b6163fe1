"""The JSON import/export format (``shared/formats/README.md``) as strict pydantic models.

Unknown fields are errors (``extra="forbid"``). These models are what the importer, the API and
the fixtures generator speak; the matching core gets plain data derived from them.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StrictBool, field_validator

# Text must be what it shows. Refused: control characters (an ANSI escape sequence starts with
# one; tab and line breaks only in several-line text), the bidirectional embeddings, overrides
# and isolates (a title that reads one way and is another), and, in a line, text with nothing
# visible (only spaces or zero-width characters). The same rules are the OpenAPI ``pattern``
# of such fields (plain character ranges, which JSON Schema, Python and Rust regexes all read)
# and the validators below, which name the offending character.
_CONTROL = "\\x00-\\x1f\\x7f-\\x9f"
_BIDI = "\\u202a-\\u202e\\u2066-\\u2069"
_BLANK = (
    " \\u00a0\\u00ad\\u034f\\u061c\\u115f\\u1160\\u1680\\u17b4\\u17b5\\u180e\\u2000-\\u200f"
    "\\u2028\\u2029\\u202f\\u205f-\\u2064\\u206a-\\u206f\\u3000\\u3164\\ufe00-\\ufe0f\\ufeff\\uffa0"
)
LINE_PATTERN = f"^([^{_CONTROL}{_BIDI}]*[^{_CONTROL}{_BIDI}{_BLANK}][^{_CONTROL}{_BIDI}]*)?$"
_PARAGRAPH_BAD = f"\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{_BIDI}"
PARAGRAPHS_PATTERN = f"^[^{_PARAGRAPH_BAD}]*$"
EXTERNAL_ID_PATTERN = f"^[^{_CONTROL}{_BIDI}{_BLANK}]([^{_CONTROL}{_BIDI}]*[^{_CONTROL}{_BIDI}{_BLANK}])?$"
_BAD_IN_LINE = re.compile(f"[{_CONTROL}{_BIDI}]")
_BAD_IN_PARAGRAPHS = re.compile(f"[{_PARAGRAPH_BAD}]")
_VISIBLE = re.compile(f"[^{_CONTROL}{_BIDI}{_BLANK}]")


def plain_text(value: str, *, multiline: bool = False) -> str:
    """``value`` if it is what it shows (see above); ValueError naming the character if not."""
    bad = (_BAD_IN_PARAGRAPHS if multiline else _BAD_IN_LINE).search(value)
    if bad:
        ch = bad.group()
        kind = "bidirectional control" if "\u202a" <= ch <= "\u2069" else "control character"
        raise ValueError(
            f"must not contain the {kind} U+{ord(ch):04X} (e.g. an ANSI escape or text reversal)"
        )
    if value and not multiline and not _VISIBLE.search(value):
        raise ValueError("must contain visible characters, not only spaces or zero-width characters")
    return value


def plain_multiline_text(value: str) -> str:
    return plain_text(value, multiline=True)


#: One line of text as people read it.
Line = Annotated[str, AfterValidator(plain_text), Field(json_schema_extra={"pattern": LINE_PATTERN})]
#: Text of several lines (notes): tabs and line breaks allowed, nothing else hidden.
Paragraphs = Annotated[
    str, AfterValidator(plain_multiline_text), Field(json_schema_extra={"pattern": PARAGRAPHS_PATTERN})
]


def _external_id(value: str) -> str:
    plain_text(value)
    if not re.fullmatch(EXTERNAL_ID_PATTERN, value):
        raise ValueError("must not start or end with a space or an invisible character")
    return value


ExternalId = Annotated[
    str,
    AfterValidator(_external_id),
    Field(min_length=1, max_length=64, json_schema_extra={"pattern": EXTERNAL_ID_PATTERN}),
]
SkillName = Annotated[Line, Field(min_length=1, max_length=100)]

#: The horizon of every date in the format. Far enough either way for any real vetting,
#: availability or start date, and near enough that date arithmetic around it (the day before
#: and after, in any time zone) stays inside what ``datetime`` can represent.
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)
HorizonDate = Annotated[
    dt.date,
    Field(
        ge=FIRST_DATE,
        le=LAST_DATE,
        description=f"A date from {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}.",
        json_schema_extra={
            "formatMinimum": FIRST_DATE.isoformat(),
            "formatMaximum": LAST_DATE.isoformat(),
        },
    ),
]
#: Money per hour, in the record's currency: at least one unit (a subnormal 1e-320 is no rate).
MIN_RATE = 1.0
MAX_RATE = 10_000.0
HourlyRate = Annotated[float, Field(ge=MIN_RATE, le=MAX_RATE)]


class Track(StrEnum):
    engineer = "engineer"
    developer = "developer"


class Seniority(StrEnum):
    junior = "junior"
    mid = "mid"
    senior = "senior"
    lead = "lead"
    principal = "principal"


SENIORITY_LEVEL: dict[Seniority, int] = {s: i for i, s in enumerate(Seniority)}


class VettingStatus(StrEnum):
    passed = "passed"
    pending = "pending"
    failed = "failed"


class Degree(StrEnum):
    none = "none"
    associate = "associate"
    bachelor = "bachelor"
    master = "master"
    phd = "phd"


DEGREE_LEVEL: dict[Degree, int] = {d: i for i, d in enumerate(Degree)}


class RequirementStatus(StrEnum):
    open = "open"
    paused = "paused"
    filled = "filled"
    closed = "closed"


class Dimension(StrEnum):
    """Vetting dimensions, each scored 0-5."""

    system_design = "system_design"
    architecture = "architecture"
    security = "security"
    data_modeling = "data_modeling"
    performance = "performance"
    api_implementation = "api_implementation"
    integration = "integration"
    code_quality = "code_quality"
    testing = "testing"
    delivery = "delivery"
    communication = "communication"


#: Units of each currency per 1 USD, for budget checks across currencies. A small fixed table:
#: a staffing firm re-states budgets periodically, it does not trade currencies.
CURRENCY_PER_USD: dict[str, float] = {
    "USD": 1.0,
    "EUR": 0.92,
    "GBP": 0.79,
    "CHF": 0.88,
    "CAD": 1.37,
    "AUD": 1.52,
    "INR": 83.5,
    "PLN": 3.95,
    "UAH": 41.0,
    "BRL": 5.6,
    "MXN": 18.0,
    "SGD": 1.35,
    "JPY": 150.0,
    "SEK": 10.5,
}


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=1024)
def _known_zone(value: str) -> bool:
    """Whether ``value`` names a loadable zone; cached, as zoneinfo keeps only a few loaded and
    a bulk import would read the same zone files from disk again and again."""
    if value not in _zones():
        return False
    ZoneInfo(value)
    return True


def _check_timezone(value: str) -> str:
    if not _known_zone(value):
        raise ValueError(f"unknown IANA time zone {value!r}")
    return value


def _check_currency(value: str) -> str:
    code = value.upper()
    if code not in CURRENCY_PER_USD:
        raise ValueError(f"unsupported currency {value!r}; one of {', '.join(sorted(CURRENCY_PER_USD))}")
    return code


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class CandidateSkillIn(Strict):
    name: SkillName
    years: float = Field(default=0, ge=0, le=60)
    last_used: int | None = Field(default=None, ge=1970, le=2100)


class VettingIn(Strict):
    status: VettingStatus
    vetted_on: HorizonDate | None = None
    scores: dict[Dimension, float] = Field(default_factory=dict)

    @field_validator("scores")
    @classmethod
    def _scores_in_range(cls, v: dict[Dimension, float]) -> dict[Dimension, float]:
        for dim, score in v.items():
            if not 0 <= score <= 5:
                raise ValueError(f"{dim.value} must be between 0 and 5, got {score}")
        return v


class EducationIn(Strict):
    degree: Degree = Degree.none
    field: Line | None = Field(default=None, max_length=100)


class CandidateIn(Strict):
    external_id: ExternalId
    name: Line = Field(min_length=1, max_length=200)
    email: EmailStr
    track: Track
    headline: Line | None = Field(default=None, max_length=200)
    seniority: Seniority
    years_experience: float = Field(ge=0, le=60)
    skills: list[CandidateSkillIn] = Field(default_factory=list, max_length=200)
    vetting: VettingIn
    hourly_rate: HourlyRate
    currency: str = "USD"
    timezone: str
    available_from: HorizonDate
    hours_per_week: int = Field(default=40, ge=1, le=60)
    education: EducationIn = Field(default_factory=EducationIn)
    languages: list[Annotated[Line, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=20
    )

    _tz = field_validator("timezone")(_check_timezone)
    _cur = field_validator("currency")(_check_currency)


class RequirementSkillIn(Strict):
    name: SkillName
    min_years: float = Field(default=0, ge=0, le=60)


class RequirementEducationIn(Strict):
    min_degree: Degree = Degree.none
    fields: list[Annotated[Line, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=30
    )


class RequirementIn(Strict):
    external_id: ExternalId
    client: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: Line = Field(min_length=1, max_length=200)
    track: Track
    seniority: Seniority
    min_years_experience: float = Field(default=0, ge=0, le=60)
    must_have: list[RequirementSkillIn] = Field(default_factory=list, max_length=50)
    nice_to_have: list[RequirementSkillIn] = Field(default_factory=list, max_length=50)
    max_hourly_rate: HourlyRate
    currency: str = "USD"
    timezone: str
    min_overlap_hours: float = Field(default=0, ge=0, le=8)
    start_by: HorizonDate
    hours_per_week: int = Field(default=40, ge=1, le=60)
    education: RequirementEducationIn | None = None
    headcount: int = Field(default=1, ge=1, le=1000)
    status: RequirementStatus = RequirementStatus.open
    must_have_is_hard: StrictBool = Field(
        default=False,
        description="talentmatch's extension of the shared format: true excludes a candidate who "
        "lacks a must-have skill (an exclusion with its reason) instead of lowering the score.",
    )
    track_is_hard: StrictBool = Field(
        default=False,
        description="talentmatch's extension of the shared format: true excludes a candidate vetted "
        "on the other track instead of ranking them lower (a scored, explained penalty).",
    )

    _tz = field_validator("timezone")(_check_timezone)
    _cur = field_validator("currency")(_check_currency)


def dump(model: BaseModel) -> dict[str, Any]:
    """JSON-ready dict in the import format, without unset optional noise."""
    return model.model_dump(mode="json", exclude_none=True)
