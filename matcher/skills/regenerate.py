"""Regenerate ``taxonomy.json`` from the hand-written ``taxonomy_hand.json`` and pinned public data.

Run from the repository root (needs ``npm`` and ``node`` and the npm registry; nothing here is
needed at run time)::

    python -m matcher.skills.regenerate            # rewrite matcher/skills/taxonomy.json
    python -m matcher.skills.regenerate --check    # exit 1 unless the committed file is reproduced
    python -m matcher.skills.regenerate --heldout tests/skills/data/heldout_variants.json

The packages are installed with ``npm install --ignore-scripts`` into a temporary folder that is
deleted afterwards; ``PACKAGES`` pins their versions, so a run from scratch reproduces the
committed file byte for byte. The merge itself is ``matcher.skills.sources.merge_taxonomy``.

``--heldout`` writes the test set the resolver is measured on (``tests/skills/test_heldout.py``):
real variants from the same packages, grouped by source entry, and look-alike pairs of distinct
entries of one source. It is extracted once and committed; it is not an input of the merge.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matcher.skills.sources import (
    SourceEntry,
    bare_key,
    devicon_entries,
    entry_matches,
    linguist_entries,
    merge_taxonomy,
    render,
    simple_icons_entries,
)
from matcher.skills.taxonomy import lookup_key

PACKAGES = {"linguist-languages": "9.5.0", "simple-icons": "16.37.0", "devicon": "2.17.0"}
HERE = Path(__file__).parent
HAND = HERE / "taxonomy_hand.json"
OUTPUT = HERE / "taxonomy.json"

# linguist-languages ships ES modules only; node prints the fields we read as JSON.
_DUMP_LINGUIST = """
import * as l from 'linguist-languages';
const out = Object.values(l).map(x => ({name: x.name, type: x.type, aliases: x.aliases || []}));
process.stdout.write(JSON.stringify(out));
"""


def fetch_entries(workdir: Path) -> list[SourceEntry]:
    """Install the pinned packages into ``workdir`` and read their entries."""
    specs = [f"{name}@{version}" for name, version in PACKAGES.items()]
    subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(workdir),
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--no-save",
            *specs,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    modules = workdir / "node_modules"
    script = workdir / "dump.mjs"
    script.write_text(_DUMP_LINGUIST, encoding="utf-8")
    dumped = subprocess.run(["node", str(script)], check=True, capture_output=True, cwd=workdir).stdout
    linguist = json.loads(dumped)
    icons = json.loads((modules / "simple-icons" / "data" / "simple-icons.json").read_text(encoding="utf-8"))
    devicon = json.loads((modules / "devicon" / "devicon.json").read_text(encoding="utf-8"))
    return [*linguist_entries(linguist), *simple_icons_entries(icons), *devicon_entries(devicon)]


def generate(entries: Sequence[SourceEntry]) -> str:
    hand = json.loads(HAND.read_text(encoding="utf-8"))
    return render(merge_taxonomy(hand, entries, PACKAGES))


#: Look-alike pairs: names of two entries of one source at least this similar (rapidfuzz OSA,
#: normalised, on lookup keys), or one a prefix of the other of at least this many characters.
LOOKALIKE_SIMILARITY = 0.6
LOOKALIKE_PREFIX = 4


def heldout(entries: Sequence[SourceEntry]) -> dict[str, Any]:
    """The held-out test set (module docstring). Groups: entries that are a skill of the
    hand-written taxonomy, with at least two distinct spellings. Pairs: each group's entry with
    every other entry of its source whose name looks alike."""
    from rapidfuzz.distance import OSA

    hand = json.loads(HAND.read_text(encoding="utf-8"))
    matched = {e.label: e for es in entry_matches(hand, entries).values() for e in es}
    groups = [
        {"entry": e.label, "variants": list(e.variants)}
        for e in sorted(matched.values(), key=lambda e: e.label)
        if len(e.variants) >= 2
    ]
    by_source: dict[str, list[SourceEntry]] = {}
    for e in entries:
        by_source.setdefault(e.source, []).append(e)
    pairs: set[tuple[str, str]] = set()
    names: dict[str, str] = {}
    for label, e in matched.items():
        a = lookup_key(e.name)
        for other in by_source[e.source]:
            b = lookup_key(other.name)
            if other.label == label or not b or bare_key(a) == bare_key(b):
                continue
            short, long_ = sorted((a, b), key=len)
            alike = OSA.normalized_similarity(a, b) >= LOOKALIKE_SIMILARITY or (
                len(short) >= LOOKALIKE_PREFIX and long_.startswith(short)
            )
            if alike:
                pairs.add(tuple(sorted((label, other.label))))  # type: ignore[arg-type]
                names[label], names[other.label] = e.name, other.name
    return {
        "about": (
            "Held-out skill variants for tests/skills/test_heldout.py, extracted by "
            "`python -m matcher.skills.regenerate --heldout` from the npm packages below: each group "
            "is one source entry (its name and the aliases the source lists), each pair two distinct "
            "entries of one source with look-alike names. Not written by hand."
        ),
        "packages": PACKAGES,
        "groups": groups,
        "lookalike_pairs": [[a, names[a], b, names[b]] for a, b in sorted(pairs)],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file, write nothing")
    parser.add_argument("--heldout", type=Path, help="write the held-out test set to this file instead")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="talentmatch-taxonomy-") as tmp:
        entries = fetch_entries(Path(tmp))
    if args.heldout is not None:
        args.heldout.write_text(
            json.dumps(heldout(entries), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        return 0
    text = generate(entries)
    if args.check:
        same = OUTPUT.read_text(encoding="utf-8") == text
        print(f"{OUTPUT}: {'reproduced byte for byte' if same else 'DIFFERS from the regenerated text'}")
        return 0 if same else 1
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
