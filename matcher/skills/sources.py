"""The public data the taxonomy is generated from, as plain entries, and the pure merge.

Three npm data packages list technologies with their other names:

- ``linguist-languages``: GitHub Linguist's languages (name, type, aliases); MIT;
- ``simple-icons``: brand icons (title, ``aliases.aka``, ``aliases.dup`` titles, ``aliases.old``);
  CC0-1.0;
- ``devicon``: developer icons (name, ``altnames``, tags); MIT.

``matcher.skills.regenerate`` installs pinned versions of them into a temporary folder and calls
``merge_taxonomy`` here; nothing in this module touches the network or the file system, so it is
tested offline on small committed inputs.

The merge keeps the hand-written document (``taxonomy_hand.json``: ids, display names,
categories, relations and aliases) and adds to it:

- the names and aliases of every source entry that *is* one of its skills (the entry's name is a
  spelling of the skill, or the skill's ``sources`` list names it), as aliases, unless that
  spelling is another skill's, or the name of another entry of a source that lists the skill
  too (that source keeps the two apart);
- ``elsewhere``: the names of source entries that are *not* skills of the taxonomy, so that the
  resolver can tell "a technology we do not list" (kept unresolved) from a typo of one we do.

Where a source keeps two things apart, so does the result: a hand-written alias that is the name
of another entry of a source listing the skill is dropped (it stays available through
``elsewhere`` or as a skill of its own, and a relation can still give partial credit).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from matcher.skills.taxonomy import lookup_key

SOURCES: dict[str, dict[str, str]] = {
    "linguist-languages": {"license": "MIT", "what": "GitHub Linguist languages and their aliases"},
    "simple-icons": {"license": "CC0-1.0", "what": "brand titles and their aliases"},
    "devicon": {"license": "MIT", "what": "developer icon names and alternative names"},
}


@dataclass(frozen=True)
class SourceEntry:
    """One entry of one source: its own name and the other names the source gives it."""

    source: str
    name: str
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return f"{self.source}:{self.name}"

    @property
    def variants(self) -> tuple[str, ...]:
        """The name, then the aliases, first spelling of each lookup key only."""
        seen: set[str] = set()
        out: list[str] = []
        for text in (self.name, *self.aliases):
            key = lookup_key(text)
            if key and key not in seen:
                seen.add(key)
                out.append(text)
        return tuple(out)


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def linguist_entries(raw: Iterable[Mapping[str, Any]]) -> list[SourceEntry]:
    """Entries from the list of linguist-languages' language objects (as ``dump.mjs`` writes)."""
    return [
        SourceEntry(
            "linguist-languages", str(x["name"]), tuple(_strings(x.get("aliases"))), (str(x.get("type", "")),)
        )
        for x in raw
    ]


def simple_icons_entries(raw: Iterable[Mapping[str, Any]]) -> list[SourceEntry]:
    """Entries from simple-icons' ``data/simple-icons.json``. Localised names (``aliases.loc``)
    are left out: they are other scripts, not other spellings."""
    out = []
    for x in raw:
        aliases = x.get("aliases") or {}
        names = _strings(aliases.get("aka"))
        names += [
            d["title"]
            for d in aliases.get("dup", ())
            if isinstance(d, dict) and isinstance(d.get("title"), str)
        ]
        names += _strings(aliases.get("old"))
        out.append(SourceEntry("simple-icons", str(x["title"]), tuple(names)))
    return out


def devicon_entries(raw: Iterable[Mapping[str, Any]]) -> list[SourceEntry]:
    """Entries from devicon's ``devicon.json``."""
    return [
        SourceEntry(
            "devicon", str(x["name"]), tuple(_strings(x.get("altnames"))), tuple(_strings(x.get("tags")))
        )
        for x in raw
    ]


def _skill_spellings(skill: Mapping[str, Any]) -> list[str]:
    return [skill["name"], skill["id"], *skill.get("aliases", ())]


#: Categories a Linguist language may be matched to by one of the skill's aliases ("Lean" the
#: theorem prover is not Lean the practice).
_LANGUAGE_LIKE = frozenset({"language", "format", "frontend", "database", "devops", "data"})


def entry_matches(doc: Mapping[str, Any], entries: Sequence[SourceEntry]) -> dict[str, list[SourceEntry]]:
    """Skill id -> the source entries that are that skill.

    An entry is a skill when the skill's ``sources`` names it (``"source:name"``), or else when the
    entry's *name* is a spelling of the skill. Its aliases alone never decide: a source's alias
    list is where look-alikes hide ("Rusthon" under Python). A source keeps its entries apart, so
    each skill takes at most one entry per source: the pinned one, else the one named like the
    skill, else the first by name; the others stay "elsewhere" ("ClojureScript" is not Clojure).
    """
    by_key: dict[str, str] = {}
    for skill in doc["skills"]:
        for text in _skill_spellings(skill):
            by_key.setdefault(lookup_key(text), skill["id"])
    exact: dict[str, str] = {}
    for skill in doc["skills"]:
        for text in (skill["name"], skill["id"]):
            exact.setdefault(lookup_key(text), skill["id"])
    pinned = {label: skill["id"] for skill in doc["skills"] for label in skill.get("sources", ())}
    kind = {skill["id"]: skill["category"] for skill in doc["skills"]}
    # (rank, label, entry) per (skill, source): pinned 0, by display name or id 1, by alias 2.
    candidates: dict[tuple[str, str], list[tuple[int, str, SourceEntry]]] = {}
    for entry in entries:
        key = lookup_key(entry.name)
        if entry.label in pinned:
            sid, rank = pinned[entry.label], 0
        elif key in exact:
            sid, rank = exact[key], 1
        elif key in by_key and (entry.source != "linguist-languages" or kind[by_key[key]] in _LANGUAGE_LIKE):
            sid, rank = by_key[key], 2
        else:
            continue
        candidates.setdefault((sid, entry.source), []).append((rank, entry.label, entry))
    out: dict[str, list[SourceEntry]] = {}
    for (sid, _), found in sorted(candidates.items()):
        found.sort(key=lambda t: t[:2])
        first = found[0][2]
        # Two icons of one technology ("nuxt" and "nuxtjs") are not two technologies.
        out.setdefault(sid, []).extend(
            e for _, _, e in found if e is first or bare_key(e.name) == bare_key(first.name)
        )
    return out


def bare_key(name: str) -> str:
    """A name's lookup key without a ``js`` or ``lang`` suffix: "Nuxt" and "NuxtJS", or "Vite"
    and "vitejs", are one technology under two icons."""
    key = lookup_key(name)
    return re.sub(r"(?:js|lang)$", "", key) or key


def merge_taxonomy(
    hand: Mapping[str, Any], entries: Sequence[SourceEntry], versions: Mapping[str, str]
) -> dict[str, Any]:
    """The generated taxonomy document: ``hand`` enriched from ``entries`` (module docstring)."""
    matches = entry_matches(hand, entries)
    matched_labels = {e.label for es in matches.values() for e in es}
    # Names of entries that are something else: a spelling equal to one of these is not an alias.
    name_owner: dict[str, set[str]] = {}
    for entry in entries:
        name_owner.setdefault(lookup_key(entry.name), set()).add(entry.label)
    claimed: dict[str, str] = {}
    for skill in hand["skills"]:
        for text in _skill_spellings(skill):
            claimed.setdefault(lookup_key(text), skill["id"])

    def foreign(key: str, sid: str) -> bool:
        """The key is the name of another entry of a source that also lists this skill: that
        source keeps the two apart. (A source that lists only one of them says nothing.)"""
        own = matches.get(sid, ())
        own_labels = {e.label for e in own}
        own_sources = {e.source for e in own}
        return any(label.split(":", 1)[0] in own_sources for label in name_owner.get(key, set()) - own_labels)

    skills_out = []
    for skill in hand["skills"]:
        sid = skill["id"]
        own_keys = {lookup_key(skill["name"]), lookup_key(sid)}
        aliases: list[str] = []
        seen = set(own_keys)
        for alias in skill.get("aliases", ()):
            key = lookup_key(alias)
            if key in seen or (foreign(key, sid) and not skill.get("keep_aliases")):
                continue
            seen.add(key)
            aliases.append(alias)
        for entry in sorted(matches.get(sid, ()), key=lambda e: e.label):
            for text in entry.variants:
                key = lookup_key(text)
                if key in seen or claimed.get(key, sid) != sid or foreign(key, sid):
                    continue
                seen.add(key)
                aliases.append(text)
        skills_out.append(_merged_skill(skill, aliases, matches.get(sid, ())))
    doc: dict[str, Any] = {
        "version": hand["version"],
        "attribution": hand["attribution"],
        "generated_from": [
            {"package": name, "version": versions[name], **SOURCES[name]} for name in sorted(SOURCES)
        ],
        "semantics": hand["semantics"],
        "categories": hand["categories"],
        "skills": skills_out,
        "elsewhere": _elsewhere(entries, matched_labels, skills_out),
    }
    return doc


def _merged_skill(
    skill: Mapping[str, Any], aliases: list[str], matched: Sequence[SourceEntry]
) -> dict[str, Any]:
    """One skill of the generated document: the hand-written fields, the merged aliases, the
    source entries it was matched to."""
    out = {"id": skill["id"], "name": skill["name"], "category": skill["category"], "aliases": aliases}
    sources = sorted(e.label for e in matched)
    if sources:
        out["sources"] = sources
    if skill.get("credit_towards"):
        out["credit_towards"] = dict(sorted(skill["credit_towards"].items()))
    return out


def _elsewhere(
    entries: Sequence[SourceEntry], matched_labels: set[str], skills_out: Sequence[Mapping[str, Any]]
) -> dict[str, str]:
    """Lookup key -> label of the unmatched source entries, for every spelling no skill has."""
    spelled = {lookup_key(t) for s in skills_out for t in (s["name"], s["id"], *s["aliases"])}
    elsewhere: dict[str, str] = {}
    for entry in sorted(entries, key=lambda e: e.label):
        if entry.label in matched_labels:
            continue
        for text in entry.variants:
            key = lookup_key(text)
            if key and key not in spelled and key not in elsewhere:
                elsewhere[key] = entry.label
    return dict(sorted(elsewhere.items()))


def render(doc: Mapping[str, Any]) -> str:
    """The file text: one skill per line (diffs stay readable), keys in a fixed order."""
    head = {k: v for k, v in doc.items() if k not in ("skills", "elsewhere")}
    lines = ["{"]
    for key, value in head.items():
        lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},")
    lines.append('  "skills": [')
    skills = doc["skills"]
    for i, skill in enumerate(skills):
        comma = "," if i < len(skills) - 1 else ""
        lines.append(f"    {json.dumps(skill, ensure_ascii=False)}{comma}")
    lines.append("  ],")
    lines.append('  "elsewhere": {')
    elsewhere = list(doc.get("elsewhere", {}).items())
    for i, (key, label) in enumerate(elsewhere):
        comma = "," if i < len(elsewhere) - 1 else ""
        lines.append(
            f"    {json.dumps(key, ensure_ascii=False)}: {json.dumps(label, ensure_ascii=False)}{comma}"
        )
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"
