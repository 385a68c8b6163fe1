"""Skill mentions in running text: a phrase matcher over the taxonomy's spellings.

Every run of up to ``MAX_WORDS`` words is looked up by the taxonomy's ``lookup_key`` (the key
the resolver's exact and alias lookup uses, so "Node.js", "nodejs" and "node js" are one name),
longest first, left to right, without overlaps; a hit is then resolved by the skill resolver
itself, so the mention names the same canonical skill an import of that text would. No fuzzy
matching here: in prose it would turn ordinary words into skills.

Taxonomy names that are also everyday English words ("Go", "REST", "Spring", "Make") are taken
only when written with a capital letter, as the name is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from matcher.skills import SkillResolver, default_resolver
from matcher.skills.taxonomy import lookup_key

MAX_WORDS = 5
#: A word of a skill name: letters and digits, inner dots and hyphens ("Node.js", "scikit-learn"),
#: a leading dot (".NET") and trailing ``+`` / ``#`` ("C++", "C#").
WORD = re.compile(r"(?<![\w.])\.?[A-Za-z0-9][A-Za-z0-9]*(?:[.\-][A-Za-z0-9]+)*[+#]*")
#: What may stand between two words of one name: spaces, a slash, a dot or a hyphen.
JOINER = re.compile(r"[ \t/.\-]{0,2}")
#: Names that are everyday words too: taken only when the text capitalises them.
EVERYDAY = frozenset((
    "go", "rest", "express", "spring", "swift", "make", "less", "c", "r", "d", "shell", "play",
    "rails", "ant", "chef", "puppet", "salt", "storm", "hive", "pig", "beam", "rabbit", "lean",
    "elastic", "spark", "flask", "helm", "windows", "excel", "oracle", "celery", "jest", "mocha",
    "chai", "access", "word", "teams", "slack", "notion", "sketch", "scale", "dart", "crystal",
    "elixir", "julia", "ruby", "pascal", "prolog", "logo", "scheme", "racket", "basic", "assembly",
    "ada", "io", "solid",
))  # fmt: skip
#: Of those, the ones that are acronyms ("SOLID", "REST"): taken only in capitals.
ACRONYMS = frozenset(("solid", "rest", "io", "d"))
#: Words that name the job, not a skill asked of the candidate.
NOT_ASKED = frozenset(
    lookup_key(w) for w in ("backend", "back end", "frontend", "front end", "full stack", "fullstack")
)


#: Skills of the taxonomy that name the kind of work the job is, not a skill asked for.
NOT_ASKED_SKILLS = frozenset(
    ("backend-development", "frontend-development", "mobile-development", "web-development")
)


@dataclass(frozen=True)
class Mention:
    """One skill named in the text: ``start``/``end`` index the text as given."""

    start: int
    end: int
    text: str
    key: str
    name: str


def _words(text: str) -> list[re.Match[str]]:
    return list(WORD.finditer(text))


def _joined(text: str, words: list[re.Match[str]], i: int, j: int) -> bool:
    """Words i..j (inclusive) are one run: only joiners between them, on one line."""
    for k in range(i, j):
        gap = text[words[k].end() : words[k + 1].start()]
        if not JOINER.fullmatch(gap):
            return False
        if "/" in gap and max(len(words[k].group()), len(words[k + 1].group())) > 3:
            return False  # "Python/Django" is two skills; "CI/CD", "PL/SQL" are one
    return True


def find_skills(text: str, resolver: SkillResolver | None = None) -> list[Mention]:
    """Every skill mention in ``text``, in order of appearance."""
    resolver = resolver or default_resolver()
    spellings = resolver.taxonomy.spellings
    words = _words(text)
    hits: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        found = None
        for j in range(min(len(words), i + MAX_WORDS) - 1, i - 1, -1):
            if j > i and not _joined(text, words, i, j):
                continue
            surface = text[words[i].start() : words[j].end()]
            key = lookup_key(surface)
            if key in spellings and key not in NOT_ASKED and _cased(surface, key, j == i):
                found = (i, j)
                break
        if found is None:
            i += 1
            continue
        hits.append(found)
        i = found[1] + 1
    surfaces = [text[words[i].start() : words[j].end()] for i, j in hits]
    resolved = resolver.resolve_many(surfaces)
    out = []
    for (i, j), surface, res in zip(hits, surfaces, resolved, strict=True):
        if res.canonical is None or res.canonical in NOT_ASKED_SKILLS:
            continue
        out.append(Mention(words[i].start(), words[j].end(), surface, res.canonical, res.name or surface))
    return out


def _cased(surface: str, key: str, single: bool) -> bool:
    if not single or key not in EVERYDAY:
        return True
    if key in ACRONYMS:
        return surface.isupper()
    return not surface.islower()


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """Each line with the offset it starts at."""
    offset = 0
    for line in text.splitlines(keepends=True):
        yield offset, line.rstrip("\r\n")
        offset += len(line)
