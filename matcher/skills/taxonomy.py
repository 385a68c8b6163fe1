"""The skill taxonomy: canonical skills, their spellings, and the partial credit between them.

The data is ``taxonomy.json`` beside this module, versioned with the code. Each skill has an id
(a lowercase slug), a display name, a category, aliases (other spellings, abbreviations, common
misspellings) and ``credit_towards``: ``{other_id: weight}``, the credit a candidate who has this
skill earns towards a requirement for ``other_id``. Credit is directional (Django earns 0.6
towards Python, Python only 0.2 towards Django) and always strictly between 0 and 1, so only the
skill itself ever gives full credit.

Two spellings are the same when their ``lookup_key`` is: case, spaces, dots, hyphens, slashes and
underscores do not count ("Node.js" = "nodejs" = "node js"), while ``+`` and ``#`` do ("C", "C++"
and "C#" stay apart). Loading validates that no lookup key is claimed by two skills.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from matcher.errors import FieldError, TalentmatchError

DEFAULT_PATH = Path(__file__).with_name("taxonomy.json")
UNKNOWN_PREFIX = "unknown:"

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_TRADEMARKS = re.compile(r"[®™©]")
# Typographic dashes and apostrophes as people paste them from documents.
_DASHES = str.maketrans(
    {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"}
    | {c: "'" for c in "\u2018\u2019\u201a\u201b\u2032`\u00b4"}
)
_SPACES = re.compile(r"\s+")
# Decoration at the ends: bullets, quotes, list punctuation. A leading dot survives when a letter
# follows (".NET"), trailing "+" and "#" always survive ("C++", "C#"), brackets are left alone.
_LEADING = re.compile(r"^(?:[^\w.(\[]|\.(?![^\W\d_]))+")
_TRAILING = re.compile(r"[^\w+#)\]]+$")
_WRAPPED = re.compile(r"^[(\[](?P<inner>[^()\[\]]*)[)\]]$")
_IGNORED_IN_KEY = re.compile(r"[\s.\-_/'\"]+")


class InvalidTaxonomy(TalentmatchError):
    """The taxonomy file is malformed or inconsistent."""

    title = "Invalid skill taxonomy"
    type_slug = "invalid-taxonomy"


def normalise(name: str) -> str:
    """Canonical text of a free-text skill name: Unicode-normalised, case-folded, single-spaced,
    without decoration at the ends. Versions and punctuation inside the name are kept; it is the
    text an unknown skill is keyed by."""
    text = unicodedata.normalize("NFKC", _TRADEMARKS.sub("", name)).casefold().translate(_DASHES)
    text = _SPACES.sub(" ", text).strip()
    text = _TRAILING.sub("", _LEADING.sub("", text))
    wrapped = _WRAPPED.match(text)
    if wrapped:
        text = wrapped.group("inner").strip()
    return text


def compact(normalised: str) -> str:
    """The lookup key of already normalised text (see ``lookup_key``)."""
    return _IGNORED_IN_KEY.sub("", normalised)


def lookup_key(name: str) -> str:
    """The key two spellings must share to be the same name: ``normalise`` without spaces, dots,
    hyphens, underscores, slashes and quotes."""
    return compact(normalise(name))


@dataclass(frozen=True)
class Skill:
    id: str
    name: str
    category: str
    aliases: tuple[str, ...]


SpellingKind = Literal["exact", "alias"]


class Taxonomy:
    """Validated, immutable taxonomy. Construct through ``load_taxonomy`` or ``from_dict``."""

    def __init__(
        self,
        version: str,
        skills: Iterable[Skill],
        credit_towards: Mapping[str, Mapping[str, float]],
        *,
        categories: Mapping[str, str] | None = None,
        attribution: str = "",
        elsewhere: Mapping[str, str] | None = None,
    ) -> None:
        skill_list = list(skills)
        self.version = version
        self.attribution = attribution
        self.categories: Mapping[str, str] = MappingProxyType(dict(categories or {}))
        errors: list[FieldError] = []
        if not version.strip():
            errors.append(FieldError("version", "must not be empty"))
        by_id: dict[str, Skill] = {}
        for skill in skill_list:
            if skill.id in by_id:
                errors.append(FieldError(f"skills.{skill.id}", "duplicate id"))
            by_id[skill.id] = skill
        self.skills: Mapping[str, Skill] = MappingProxyType(by_id)
        spellings, spelling_errors = _spellings(skill_list, set(self.categories))
        errors.extend(spelling_errors)
        self._spellings: Mapping[str, tuple[str, SpellingKind]] = MappingProxyType(spellings)
        #: Lookup key -> "source:name" of technologies the source data lists but the taxonomy
        #: does not: the resolver keeps them unresolved instead of fuzzing them onto a skill.
        self.elsewhere: Mapping[str, str] = MappingProxyType(
            {lookup_key(k): v for k, v in (elsewhere or {}).items() if lookup_key(k) not in spellings}
        )
        credit, credit_errors = _invert_credit(credit_towards, by_id)
        errors.extend(credit_errors)
        self._credit = credit
        if errors:
            raise InvalidTaxonomy(f"skill taxonomy has {len(errors)} problem(s)", errors)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Taxonomy:
        """Build from the parsed JSON document; shape errors raise ``InvalidTaxonomy``."""
        try:
            skills = [
                Skill(
                    id=_text(raw["id"]),
                    name=_text(raw["name"]),
                    category=_text(raw["category"]),
                    aliases=tuple(_text(a) for a in raw.get("aliases", ())),
                )
                for raw in data["skills"]
            ]
            credit = {
                _text(raw["id"]): {
                    _text(k): _weight(w) for k, w in dict(raw.get("credit_towards", {})).items()
                }
                for raw in data["skills"]
            }
            return cls(
                _text(data["version"]),
                skills,
                credit,
                categories={_text(k): _text(v) for k, v in dict(data.get("categories", {})).items()},
                attribution=_text(data.get("attribution", "")),
                elsewhere={_text(k): _text(v) for k, v in dict(data.get("elsewhere", {})).items()},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidTaxonomy(f"malformed skill taxonomy: {exc!r}") from exc

    @property
    def spellings(self) -> Mapping[str, tuple[str, SpellingKind]]:
        """Lookup key of every name, id and alias -> (skill id, "exact" for the name, else
        "alias")."""
        return self._spellings

    def credit(self, required_key: str, candidate_key: str) -> float:
        """Credit a candidate skill earns towards a required one: 1.0 for the same key, the
        relation weight for a related skill, else 0.0. Unknown keys only ever match themselves."""
        if required_key == candidate_key:
            return 1.0
        return self._credit.get(required_key, {}).get(candidate_key, 0.0)

    def related_to(self, required_key: str) -> Mapping[str, float]:
        """``{candidate_key: weight}`` of the other skills that earn credit towards this one."""
        return self._credit.get(required_key, _EMPTY)

    def display_name(self, key: str) -> str:
        """The display name of a taxonomy key; the normalised text of an unknown key."""
        skill = self.skills.get(key)
        if skill is not None:
            return skill.name
        return key.removeprefix(UNKNOWN_PREFIX)

    def in_category(self, category: str) -> list[Skill]:
        """Skills of one category, in file order."""
        return [s for s in self.skills.values() if s.category == category]


_EMPTY: Mapping[str, float] = MappingProxyType({})


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _weight(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _spellings(
    skills: list[Skill], categories: set[str]
) -> tuple[dict[str, tuple[str, SpellingKind]], list[FieldError]]:
    errors: list[FieldError] = []
    table: dict[str, tuple[str, SpellingKind]] = {}
    for skill in skills:
        where = f"skills.{skill.id}"
        if not _SLUG.fullmatch(skill.id):
            errors.append(FieldError(where, "id must be a lowercase slug (a-z, 0-9, hyphens)"))
        if not skill.name.strip():
            errors.append(FieldError(where, "name must not be empty"))
        if categories and skill.category not in categories:
            errors.append(FieldError(where, f"unknown category {skill.category!r}"))
        # The display name is the one exact spelling; the id counts as an alias ("csharp").
        own: list[tuple[str, str, SpellingKind]] = [(skill.name, "name", "exact")]
        own.append((skill.id, "id", "alias"))
        own.extend((alias, "alias", "alias") for alias in skill.aliases)
        for text, what, kind in own:
            key = lookup_key(text)
            if not key:
                errors.append(FieldError(where, f"{what} {text!r} has no letters or digits"))
                continue
            claimed = table.get(key)
            if claimed is None:
                table[key] = (skill.id, kind)
            elif claimed[0] != skill.id:
                errors.append(FieldError(where, f"{what} {text!r} is already a spelling of {claimed[0]!r}"))
    return table, errors


def _invert_credit(
    credit_towards: Mapping[str, Mapping[str, float]], skills: Mapping[str, Skill]
) -> tuple[dict[str, Mapping[str, float]], list[FieldError]]:
    """``{has: {required: w}}`` as written -> ``{required: {has: w}}`` as ranking asks for it."""
    errors: list[FieldError] = []
    by_required: dict[str, dict[str, float]] = {}
    for has, targets in credit_towards.items():
        where = f"skills.{has}.credit_towards"
        if has not in skills:
            errors.append(FieldError(where, "relation from an unknown skill"))
            continue
        for required, weight in targets.items():
            if required not in skills:
                errors.append(FieldError(where, f"relation to unknown skill {required!r}"))
            elif required == has:
                errors.append(FieldError(where, "a skill cannot relate to itself"))
            elif not 0.0 < weight < 1.0:
                errors.append(FieldError(where, f"weight {weight} for {required!r} not in (0, 1)"))
            else:
                by_required.setdefault(required, {})[has] = weight
    frozen: dict[str, Mapping[str, float]] = {
        req: MappingProxyType(dict(sorted(m.items()))) for req, m in by_required.items()
    }
    return frozen, errors


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load and validate a taxonomy file; the shipped default is loaded once and cached."""
    if path is None:
        return _default_taxonomy()
    return _load(path)


@lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    return _load(DEFAULT_PATH)


def _load(path: Path) -> Taxonomy:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidTaxonomy(f"cannot read skill taxonomy {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidTaxonomy(f"skill taxonomy {path} is not a JSON object")
    return Taxonomy.from_dict(data)
