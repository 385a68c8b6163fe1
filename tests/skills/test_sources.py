"""The taxonomy merge, offline, on small committed excerpts of the three source packages.

That ``python -m matcher.skills.regenerate --check`` reproduces the committed taxonomy.json byte
for byte needs npm and the registry, so it is a documented manual check (README, "Skill
taxonomy"); here the pure merge is tested on what it does with real entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from matcher.skills import Taxonomy, lookup_key
from matcher.skills.regenerate import PACKAGES
from matcher.skills.sources import (
    devicon_entries,
    linguist_entries,
    merge_taxonomy,
    render,
    simple_icons_entries,
)

DATA = Path(__file__).with_name("data") / "sources"


def _entries() -> list[Any]:
    def read(name: str) -> Any:
        return json.loads((DATA / name).read_text(encoding="utf-8"))

    return [
        *linguist_entries(read("linguist.json")),
        *simple_icons_entries(read("simple-icons.json")),
        *devicon_entries(read("devicon.json")),
    ]


def _hand() -> dict[str, Any]:
    def skill(sid: str, name: str, aliases: list[str], **extra: Any) -> dict[str, Any]:
        return {"id": sid, "name": name, "category": "language", "aliases": aliases, **extra}

    return {
        "version": "test",
        "attribution": "test",
        "semantics": {},
        "categories": {"language": "Languages"},
        "skills": [
            skill("python", "Python", ["py", "cython"]),
            skill("clojure", "Clojure", ["clojurescript"]),
            skill("scala", "Scala", []),
            skill("nuxt", "Nuxt", ["nuxt.js"]),
            skill("sass", "Sass", ["scss"], credit_towards={"python": 0.1}),
            skill("rust", "Rust", []),
        ],
    }


@pytest.fixture(scope="module")
def merged() -> dict[str, Any]:
    return merge_taxonomy(_hand(), _entries(), PACKAGES)


def _skill(doc: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in doc["skills"] if s["id"] == sid)


def test_source_aliases_join_their_skill(merged: dict[str, Any]) -> None:
    python = _skill(merged, "python")
    assert {"py3", "python3"} <= {a.casefold() for a in python["aliases"]}
    assert "linguist-languages:Python" in python["sources"]
    assert "rs" in _skill(merged, "rust")["aliases"]


def test_what_a_source_keeps_apart_stays_apart(merged: dict[str, Any]) -> None:
    # Linguist lists Cython and Python, devicon clojure and clojurescript, as distinct entries:
    # the hand-written aliases that merged them are dropped and the names are "elsewhere".
    assert "cython" not in _skill(merged, "python")["aliases"]
    assert "clojurescript" not in _skill(merged, "clojure")["aliases"]
    assert "scss" not in _skill(merged, "sass")["aliases"]
    assert merged["elsewhere"][lookup_key("Cython")] == "linguist-languages:Cython"
    assert merged["elsewhere"][lookup_key("Scalar")] == "simple-icons:Scalar"


def test_two_icons_of_one_technology_are_one_skill(merged: dict[str, Any]) -> None:
    assert "devicon:nuxtjs" in _skill(merged, "nuxt")["sources"]
    assert lookup_key("nuxtjs") not in merged["elsewhere"]


def test_relations_sources_and_versions_are_kept(merged: dict[str, Any]) -> None:
    assert _skill(merged, "sass")["credit_towards"] == {"python": 0.1}
    assert [(g["package"], g["version"], g["license"]) for g in merged["generated_from"]] == [
        ("devicon", "2.17.0", "MIT"),
        ("linguist-languages", "9.5.0", "MIT"),
        ("simple-icons", "16.37.0", "CC0-1.0"),
    ]


def test_render_is_deterministic_and_loads(merged: dict[str, Any]) -> None:
    text = render(merged)
    assert text == render(merge_taxonomy(_hand(), list(reversed(_entries())), PACKAGES))
    taxonomy = Taxonomy.from_dict(json.loads(text))
    assert taxonomy.elsewhere[lookup_key("Scalar")] == "simple-icons:Scalar"
