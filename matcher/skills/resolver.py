"""Free-text skill names -> taxonomy skills.

Resolution of one name, first hit wins:

1. exact: the name's lookup key is a skill's display name ("node js" is "Node.js");
2. alias: it is a skill's id or one of its aliases ("csharp", "C Sharp", "Postgres");
   (1 and 2 are also tried, in this order, on reduced forms of the name: without a parenthesis,
   without a trailing version ("Java 17", "php7", "Angular 2+"), without filler words
   ("Python programming", "Apache Kafka", "strong SQL skills"), and on "A/B" when every part
   names the same skill. A reduced form only counts when it is itself a known spelling, so
   "HTML5", "S3", "EC2" and "Web3" keep their digits: they are looked up whole first);
   Reduced forms also read separators as spaces and drop glued filler suffixes ("rust-language",
   "mysql_database", "kotlinlang", "feathersjs");
3. elsewhere: the name is a technology the source data lists but the taxonomy does not
   (``Taxonomy.elsewhere``: "Cython", "Scalar", "ClojureScript"): unknown, never fuzzed onto a
   look-alike skill, and reported as such (``note``) so the taxonomy can grow;
4. combined: "A/B", "A, B", "A & B", "A + B", "A (B)" whose parts name different skills resolve
   to all of them (``parts``, method ``combined``): a CV entry "Java/J2EE" is both;
5. fuzzy: the best rapidfuzz match of the reduced name against every spelling (and every
   ``elsewhere`` name), if it scores at least ``cutoff`` and beats the best spelling of any
   *other* skill by ``margin``; a best match that is an ``elsewhere`` name, or one without that
   margin, stays unknown with a note naming the contenders;
6. unknown: the name stays its own skill, keyed ``"unknown:" + normalised text``.

The fuzzy scorer is OSA (optimal string alignment: Levenshtein plus adjacent transpositions),
normalised by the longer string, on lookup keys. A transposed or dropped letter is one edit
("Pyhton", "Kuberentes", "Postgress", "Djnago"), while look-alikes are several edits apart
relative to their length ("Redis"/"Redux" 60, "Java"/"JavaScript" 40, "SQL"/"MySQL" 60,
"Vue"/"Vuex" 75, "React"/"React Native" 45). With the default cutoff of 80 a name needs at
least five characters for one edit, ten for two; the normalisation doubles as a length-ratio
guard (a spelling 25% longer or shorter than the name can never reach 80). In names of up to six
characters one substituted letter is not accepted as a typo (see ``SHORT_MATCH_SCORE``).

Fuzzy matching runs in bulk: ``resolve_many`` sends every distinct, uncached name that needs it
through ``rapidfuzz.process.cdist`` (one call for up to ``FUZZY_CHUNK`` names), and every result is
cached by normalised text, so ranking never runs fuzzy matching itself.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Literal, NamedTuple

import numpy as np
from rapidfuzz.distance import OSA
from rapidfuzz.process import cdist

from matcher.skills.forms import PARENTHESIS, fuzzy_form, reduced_forms, split_parts
from matcher.skills.taxonomy import (
    UNKNOWN_PREFIX,
    SpellingKind,
    Taxonomy,
    compact,
    load_taxonomy,
    normalise,
)

Method = Literal["exact", "alias", "fuzzy", "combined", "unknown"]

DEFAULT_CUTOFF = 80.0
DEFAULT_MARGIN = 5.0
DEFAULT_CACHE_SIZE = 100_000
#: Names per cdist call: bounds the score matrix (names x spellings, float32) to about 50 MB.
FUZZY_CHUNK = 4096
#: Shorter lookup keys are never fuzzy-matched: too little text to tell a typo from another word.
MIN_FUZZY_LENGTH = 4
#: Below this score (one edit in a name of at most six characters) a single substituted letter is
#: not taken as a typo: it too often makes another word ("Flash"/"Flask", "Sprint"/"Spring",
#: "Scale"/"Scala"). Swapped, missing or doubled letters ("Kafak", "Djano", "Reddis") still are.
SHORT_MATCH_SCORE = 85.0


@dataclass(frozen=True)
class Resolution:
    """How one free-text name resolved."""

    input: str
    canonical: str | None
    name: str | None
    method: Method
    score: float
    #: A combined entry's skills, in order (the first is ``canonical``); empty otherwise.
    parts: tuple[Resolution, ...] = ()
    #: Why an unknown name stayed unknown, for whoever grows the taxonomy.
    note: str = ""

    @cached_property
    def key(self) -> str:
        """The skill key ranking compares: the taxonomy id, or ``unknown:<normalised text>``."""
        if self.canonical is not None:
            return self.canonical
        return UNKNOWN_PREFIX + normalise(self.input)

    def entries(self) -> tuple[Resolution, ...]:
        """The skills a candidate listing this name has: each part of a combined entry, else
        the resolution itself."""
        return self.parts or (self,)

    @property
    def understood(self) -> str:
        """How the name was understood, in a few words ("Pyhton -> Python", "unknown: kept as
        typed")."""
        if self.canonical is None:
            return "unknown: kept as typed" + (f" ({self.note})" if self.note else "")
        names = " + ".join(p.name or "" for p in self.entries())
        return names if normalise(self.input) == normalise(names) else f"{self.input} -> {names}"

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "input": self.input,
            "canonical": self.canonical,
            "name": self.name,
            "method": self.method,
            "score": self.score,
            "understood": self.understood,
        }
        if self.parts:
            out["parts"] = [{"canonical": p.canonical, "name": p.name} for p in self.parts]
        if self.note:
            out["note"] = self.note
        return out


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    size: int
    maxsize: int
    fuzzy_batches: int


class SkillResolver:
    """Resolves free-text skill names against one taxonomy, caching by normalised text.

    Thread-safe: the cache is guarded by a lock; fuzzy matching runs outside it.
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        *,
        cutoff: float = DEFAULT_CUTOFF,
        margin: float = DEFAULT_MARGIN,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        if not 0.0 < cutoff <= 100.0 or margin < 0.0 or cache_size < 1:
            raise ValueError("cutoff must be in (0, 100], margin >= 0 and cache_size >= 1")
        self.taxonomy = taxonomy
        self.cutoff = cutoff
        self.margin = margin
        self._spellings = taxonomy.spellings
        self._elsewhere = taxonomy.elsewhere
        self._choices = [*self._spellings, *self._elsewhere]
        skill_index = {sid: i for i, sid in enumerate(taxonomy.skills)}
        # Every elsewhere name counts as a skill of its own (indices after the taxonomy's).
        self._choice_skill = np.array(
            [skill_index[self._spellings[c][0]] for c in self._spellings]
            + list(range(len(skill_index), len(skill_index) + len(self._elsewhere))),
            dtype=np.int32,
        )
        self._skill_ids = list(taxonomy.skills)
        self._cache: OrderedDict[str, Resolution] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0
        self._fuzzy_batches = 0

    def resolve(self, name: str) -> Resolution:
        return self.resolve_many([name])[0]

    def resolve_many(self, names: Iterable[str]) -> list[Resolution]:
        """Resolutions in input order. Each distinct uncached name is resolved once; those that
        need fuzzy matching go through ``cdist`` together."""
        raw = list(names)
        texts = [normalise(n) for n in raw]
        found: dict[str, Resolution] = {}
        with self._lock:
            for text in dict.fromkeys(texts):
                cached = self._cache.get(text)
                if cached is not None:
                    self._cache.move_to_end(text)
                    found[text] = cached
            self._hits += sum(1 for t in texts if t in found)
            self._misses += sum(1 for t in texts if t not in found)
        first_input = {t: n for n, t in reversed(list(zip(raw, texts, strict=True)))}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            fresh = self._resolve_uncached(missing, first_input)
            found.update(fresh)
            with self._lock:
                for text, resolution in fresh.items():
                    self._cache[text] = resolution
                    self._cache.move_to_end(text)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        out: list[Resolution] = []
        for name, text in zip(raw, texts, strict=True):
            res = found[text]
            out.append(res if res.input == name else replace(res, input=name))
        return out

    def cache_info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(
                self._hits, self._misses, len(self._cache), self._cache_size, self._fuzzy_batches
            )

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()
            self._hits = self._misses = self._fuzzy_batches = 0

    # -- internals -----------------------------------------------------------------------------

    def _resolve_uncached(self, texts: list[str], first_input: dict[str, str]) -> dict[str, Resolution]:
        out: dict[str, Resolution] = {}
        fuzzy_queries: dict[str, list[str]] = {}
        combined: dict[str, list[str]] = {}
        whole: dict[str, Resolution] = {}
        for text in texts:
            raw = first_input[text]
            # The name as written, then its reduced forms; at each step a taxonomy spelling,
            # then a technology the taxonomy does not list ("JSON5" is not JSON 5).
            found: Resolution | None = None
            # "Java (Spring)" is both: with a parenthesis, reduced forms are left to the parts.
            reduced = [] if PARENTHESIS.search(text) else list(reduced_forms(text))[1:]
            for forms in ([text], reduced):
                hit = self._lookup(forms)
                if hit is not None and hit[1] == "alias" and len(split_parts(text)) > 1:
                    # "Python/Django" is both, even if someone once wrote it as Django's alias:
                    # the alias only stands when the parts are not two known skills ("TCP/IP").
                    whole[text] = self._known(raw, hit[0], hit[1], 100.0)
                    break
                if hit is not None:
                    found = self._known(raw, hit[0], hit[1], 100.0)
                    break
                label = self._known_elsewhere(forms)
                if label is not None:
                    found = _unknown(raw, f"{label} is not in the taxonomy")
                    break
            if found is not None:
                out[text] = found
                continue
            parts = split_parts(text)
            if len(parts) > 1:
                combined[text] = parts
                continue
            query = compact(fuzzy_form(text))
            if len(query) >= MIN_FUZZY_LENGTH:
                fuzzy_queries.setdefault(query, []).append(text)
            else:
                out[text] = _unknown(raw)
        queries = list(fuzzy_queries)
        for start in range(0, len(queries), FUZZY_CHUNK):
            chunk = queries[start : start + FUZZY_CHUNK]
            for query, (match, note) in zip(chunk, self._fuzzy(chunk), strict=True):
                for text in fuzzy_queries[query]:
                    if match is None:
                        out[text] = _unknown(first_input[text], note)
                    else:
                        out[text] = self._known(first_input[text], match[0], "fuzzy", match[1])
        if combined:
            part_texts = list(dict.fromkeys(p for parts in combined.values() for p in parts))
            resolved = dict(zip(part_texts, self.resolve_many(part_texts), strict=True))
            for text, parts in combined.items():
                result = self._combine(first_input[text], [resolved[p] for p in parts])
                out[text] = result if result.parts or text not in whole else whole[text]
        return out

    def _combine(self, raw: str, parts: list[Resolution]) -> Resolution:
        """One name from the resolutions of its parts: the known skills, each once, in order.
        Unknown parts are dropped when some part is known (mostly qualifiers: "Python (5 years)")."""
        known: dict[str, Resolution] = {}
        for part in parts:
            for entry in part.entries():
                if entry.canonical is not None and entry.canonical not in known:
                    known[entry.canonical] = entry
        if not known:
            return _unknown(raw, "; ".join(p.note for p in parts if p.note))
        if len(known) == 1:
            only = next(iter(known.values()))
            method: Method = "alias" if only.method in ("exact", "alias") else only.method
            return Resolution(raw, only.canonical, only.name, method, only.score)
        members = tuple(Resolution(raw, r.canonical, r.name, "combined", r.score) for r in known.values())
        first = members[0]
        return Resolution(
            raw, first.canonical, first.name, "combined", min(r.score for r in members), members
        )

    def _known(self, raw: str, skill_id: str, method: Method, score: float) -> Resolution:
        skill = self.taxonomy.skills[skill_id]
        return Resolution(raw, skill.id, skill.name, method, score)

    def _lookup(self, forms: Iterable[str]) -> tuple[str, SpellingKind] | None:
        for form in forms:
            hit = self._spellings.get(compact(form))
            if hit is not None:
                return hit
        return None

    def _known_elsewhere(self, forms: Iterable[str]) -> str | None:
        """The source entry one of the forms is, when the taxonomy lacks it."""
        for form in forms:
            label = self._elsewhere.get(compact(form))
            if label is not None:
                return label
        return None

    def _fuzzy(self, queries: list[str]) -> list[tuple[tuple[str, float] | None, str]]:
        """Best skill per query, or None (with a note) when below the cutoff, not clearly ahead of
        the runner-up, or closest to a technology the taxonomy does not list."""
        if not self._choices:
            return [(None, "")] * len(queries)
        with self._lock:
            self._fuzzy_batches += 1
        floor = max(self.cutoff - self.margin, 0.0) / 100.0
        scores = cdist(
            queries,
            self._choices,
            scorer=OSA.normalized_similarity,
            score_cutoff=floor,
            dtype=np.float32,
            workers=-1,
        )
        rows = np.arange(len(queries))
        best = scores.argmax(axis=1)
        best_score = scores[rows, best] * 100.0
        best_skill = self._choice_skill[best]
        # Blank out every spelling of the winning skill; what is left is the best other skill.
        scores[self._choice_skill[np.newaxis, :] == best_skill[:, np.newaxis]] = 0.0
        second = scores.argmax(axis=1)
        runner_up = scores[rows, second] * 100.0
        eps = 1e-3
        n_skills = len(self._skill_ids)
        out: list[tuple[tuple[str, float] | None, str]] = []
        for i, query in enumerate(queries):
            score = float(best_score[i])
            if score < self.cutoff - eps:
                out.append((None, ""))
                continue
            skill = int(best_skill[i])
            if skill >= n_skills:
                label = self._elsewhere[self._choices[best[i]]]
                out.append((None, f"closest to {label} ({score:.0f}), which is not in the taxonomy"))
            elif score - float(runner_up[i]) < self.margin - eps:
                other = int(self._choice_skill[second[i]])
                rival = (
                    self._skill_ids[other] if other < n_skills else self._elsewhere[self._choices[second[i]]]
                )
                out.append(
                    (
                        None,
                        f"ambiguous: {self._skill_ids[skill]} {score:.0f} "
                        f"vs {rival} {float(runner_up[i]):.0f}",
                    )
                )
            elif score < SHORT_MATCH_SCORE and _one_substitution(query, self._choices[best[i]]):
                out.append((None, f"one letter from {self._skill_ids[skill]}: another word, not a typo"))
            else:
                out.append(((self._skill_ids[skill], round(score, 1)), ""))
        return out


def _one_substitution(a: str, b: str) -> bool:
    """Whether two strings differ in exactly one position (no insertion, deletion or swap)."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _unknown(raw: str, note: str = "") -> Resolution:
    return Resolution(raw, None, None, "unknown", 0.0, note=note)


@lru_cache(maxsize=1)
def default_resolver() -> SkillResolver:
    """The resolver over the shipped taxonomy, shared by the process (its cache with it)."""
    return SkillResolver(load_taxonomy())
