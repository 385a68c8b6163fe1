"""Free-text skill names -> taxonomy skills.

Resolution of one name, first hit wins:

1. exact: the name's lookup key is a skill's display name ("node js" is "Node.js");
2. alias: it is a skill's id or one of its aliases ("csharp", "C Sharp", "Postgres");
   (1 and 2 are also tried, in this order, on reduced forms of the name: without a parenthesis,
   without a trailing version ("Java 17", "php7", "Angular 2+"), without filler words
   ("Python programming", "Apache Kafka", "strong SQL skills"), and on "A/B" when every part
   names the same skill. A reduced form only counts when it is itself a known spelling, so
   "HTML5", "S3", "EC2" and "Web3" keep their digits: they are looked up whole first);
3. fuzzy: the best rapidfuzz match of the reduced name against every spelling, if it scores at
   least ``cutoff`` and beats the best spelling of any *other* skill by ``margin``;
4. unknown: the name stays its own skill, keyed ``"unknown:" + normalised text``.

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

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Literal, NamedTuple

import numpy as np
from rapidfuzz.distance import OSA
from rapidfuzz.process import cdist

from matcher.skills.taxonomy import (
    UNKNOWN_PREFIX,
    SpellingKind,
    Taxonomy,
    compact,
    load_taxonomy,
    normalise,
)

Method = Literal["exact", "alias", "fuzzy", "unknown"]

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

_VERSION = r"v?\d+(?:\.(?:\d+|x))*\+?"
_TRAILING_VERSION = re.compile(
    rf"^(?P<base>.*?[^\W\d_]|.*?\+\+|.*?#)[\s_-]*(?:version\s*)?{_VERSION}"
    rf"(?:\s*[/,&]\s*{_VERSION})*(?:\s*(?:lts|\.x|and above|and later|or later|or higher|or above))?$"
)
_PARENTHESIS = re.compile(r"\s*[(\[](?P<inner>[^()\[\]]*)[)\]]\s*")
_FILLER_PREFIX = re.compile(
    r"^(?:(?:advanced|basic|basics of|expert|expert in|strong|solid|good|proficient in|"
    r"proficiency in|experience with|experience in|knowledge of|familiarity with|hands on|"
    r"hands-on|working knowledge of|modern)\s+)+"
)
_VENDOR_PREFIX = re.compile(r"^(?:(?:apache|amazon|aws|microsoft|ms|google|gcp|hashicorp)\s+)+")
_FILLER_SUFFIX = re.compile(
    r"(?:\s+(?:programming|programming language|language|lang|framework|web framework|library|"
    r"lib|development|developer|dev|engineering|engineer|database|db|server|experience|skills?|"
    r"knowledge|basics|fundamentals|ecosystem|platform|stack|sdk|apis?|toolkit|scripting))+$"
)
_PARTS = re.compile(r"\s*[/|]\s*")


@dataclass(frozen=True)
class Resolution:
    """How one free-text name resolved."""

    input: str
    canonical: str | None
    name: str | None
    method: Method
    score: float

    @cached_property
    def key(self) -> str:
        """The skill key ranking compares: the taxonomy id, or ``unknown:<normalised text>``."""
        if self.canonical is not None:
            return self.canonical
        return UNKNOWN_PREFIX + normalise(self.input)

    def to_json(self) -> dict[str, object]:
        return {
            "input": self.input,
            "canonical": self.canonical,
            "name": self.name,
            "method": self.method,
            "score": self.score,
        }


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
        self._choices = list(self._spellings)
        skill_index = {sid: i for i, sid in enumerate(taxonomy.skills)}
        self._choice_skill = np.array(
            [skill_index[self._spellings[c][0]] for c in self._choices], dtype=np.int32
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
        for text in texts:
            hit = self._lookup(text)
            if hit is not None:
                skill_id, kind = hit
                out[text] = self._known(first_input[text], skill_id, kind, 100.0)
                continue
            query = compact(_fuzzy_form(text))
            if len(query) >= MIN_FUZZY_LENGTH:
                fuzzy_queries.setdefault(query, []).append(text)
            else:
                out[text] = _unknown(first_input[text])
        queries = list(fuzzy_queries)
        for start in range(0, len(queries), FUZZY_CHUNK):
            chunk = queries[start : start + FUZZY_CHUNK]
            for query, match in zip(chunk, self._fuzzy(chunk), strict=True):
                for text in fuzzy_queries[query]:
                    if match is None:
                        out[text] = _unknown(first_input[text])
                    else:
                        out[text] = self._known(first_input[text], match[0], "fuzzy", match[1])
        return out

    def _known(self, raw: str, skill_id: str, method: Method, score: float) -> Resolution:
        skill = self.taxonomy.skills[skill_id]
        return Resolution(raw, skill.id, skill.name, method, score)

    def _lookup(self, text: str) -> tuple[str, SpellingKind] | None:
        for variant in _variants(text):
            hit = self._spellings.get(compact(variant))
            if hit is not None:
                return hit
        parts = [p for p in _PARTS.split(text) if p]
        if len(parts) > 1:
            hits = [self._lookup(p) for p in parts]
            ids = {h[0] for h in hits if h is not None}
            if None not in hits and len(ids) == 1:
                return ids.pop(), "alias"
        return None

    def _fuzzy(self, queries: list[str]) -> list[tuple[str, float] | None]:
        """Best skill per query, or None when below the cutoff or not clearly ahead."""
        if not self._choices:
            return [None] * len(queries)
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
        runner_up = scores.max(axis=1) * 100.0
        eps = 1e-3
        ok = (best_score >= self.cutoff - eps) & (best_score - runner_up >= self.margin - eps)
        out: list[tuple[str, float] | None] = []
        for i, query in enumerate(queries):
            score = float(best_score[i])
            if not ok[i] or (score < SHORT_MATCH_SCORE and _one_substitution(query, self._choices[best[i]])):
                out.append(None)
            else:
                out.append((self._skill_ids[int(best_skill[i])], round(score, 1)))
        return out


def _one_substitution(a: str, b: str) -> bool:
    """Whether two strings differ in exactly one position (no insertion, deletion or swap)."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _unknown(raw: str) -> Resolution:
    return Resolution(raw, None, None, "unknown", 0.0)


def _strip_version(text: str) -> str:
    match = _TRAILING_VERSION.match(text)
    return match.group("base").strip() if match else text


def _strip_fillers(text: str, *, vendors: bool) -> str:
    text = _FILLER_SUFFIX.sub("", _FILLER_PREFIX.sub("", text))
    if vendors:
        text = _VENDOR_PREFIX.sub("", text)
    return text.strip()


def _variants(text: str) -> Iterator[str]:
    """The name, then reduced forms of it, most faithful first (see the module docstring)."""
    bases = [text]
    if _PARENTHESIS.search(text):
        bases.append(_PARENTHESIS.sub(" ", text).strip())
        bases.extend(m.group("inner").strip() for m in _PARENTHESIS.finditer(text))
    seen: set[str] = set()
    for base in bases:
        for form in (
            base,
            _strip_version(base),
            _strip_fillers(base, vendors=True),
            _strip_version(_strip_fillers(base, vendors=True)),
            _strip_fillers(_strip_version(base), vendors=True),
        ):
            if form and form not in seen:
                seen.add(form)
                yield form


def _fuzzy_form(text: str) -> str:
    """What fuzzy matching compares: the name without parentheses, filler words and version.
    Vendor prefixes stay: they are part of many display names ("Apache Kafka")."""
    outer = _PARENTHESIS.sub(" ", text).strip() or text
    return _strip_version(_strip_fillers(outer, vendors=False))


@lru_cache(maxsize=1)
def default_resolver() -> SkillResolver:
    """The resolver over the shipped taxonomy, shared by the process (its cache with it)."""
    return SkillResolver(load_taxonomy())
