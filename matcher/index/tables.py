"""Dictionary encoding shared by every segment of one index.

Low-cardinality values (time zones, currencies, fields of study, vetting scores, skill years and
last-used years, skill references) are stored once in an append-only table and referenced by a
small integer code. Per requirement, a core function is then evaluated once per *distinct* value
and the result gathered by code: exact by construction, and cheap because the tables are small.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from matcher.core.types import SkillRef

T = TypeVar("T", bound=Hashable)

#: Stands in for -0.0 as a dictionary key: 0.0 == -0.0, but they print differently.
_NEGATIVE_ZERO = ("-0.0",)


def code_dtype(max_code: int) -> np.dtype[np.unsignedinteger]:
    """The narrowest unsigned type that holds codes 0..max_code."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if max_code <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    return np.dtype(np.uint64)


class Interner(Generic[T]):
    """Distinct values in first-seen order; ``code(value)`` is the value's index."""

    __slots__ = ("_codes", "values")

    def __init__(self, reserved: Sequence[T] = ()) -> None:
        self.values: list[T] = []
        self._codes: dict[object, int] = {}
        for value in reserved:
            self.code(value)

    def _key(self, value: T) -> object:
        return value

    def code(self, value: T) -> int:
        key = self._key(value)
        found = self._codes.get(key)
        if found is None:
            found = len(self.values)
            self._codes[key] = found
            self.values.append(value)
        return found

    def get(self, value: T) -> int | None:
        return self._codes.get(self._key(value))

    def __len__(self) -> int:
        return len(self.values)

    def nbytes(self) -> int:
        """Rough size of the table (values, dictionary), for the memory report."""
        return 100 * len(self.values)


class FloatInterner(Interner[float]):
    """Floats by value, keeping -0.0 apart from 0.0 (they format differently)."""

    __slots__ = ()

    def _key(self, value: float) -> object:
        if value or math.copysign(1.0, value) > 0:
            return value
        return _NEGATIVE_ZERO

    def code(self, value: float) -> int:
        return super().code(float(value))

    def array(self) -> npt.NDArray[np.float64]:
        return np.array(self.values, dtype=np.float64)


class ValueCache:
    """``func(value)`` for every value of a growing table, computed once per value.

    ``values(table)`` returns an array aligned with the table; entries added to the table since
    the last call are computed and appended, the rest are reused.
    """

    __slots__ = ("_cache", "_func")

    def __init__(self, func: Callable[[object], float]) -> None:
        self._func = func
        self._cache: npt.NDArray[np.float64] = np.empty(0, dtype=np.float64)

    def values(self, table: Sequence[object]) -> npt.NDArray[np.float64]:
        have = len(self._cache)
        if have < len(table):
            new = np.array([self._func(v) for v in table[have:]], dtype=np.float64)
            self._cache = np.concatenate([self._cache, new])
        return self._cache


class IntFunctionTable:
    """``func(n)`` for integers, memoised as a dense array over the range asked for so far."""

    __slots__ = ("_func", "_lo", "_values")

    def __init__(self, func: Callable[[int], float]) -> None:
        self._func = func
        self._lo = 0
        self._values: npt.NDArray[np.float64] = np.empty(0, dtype=np.float64)

    def _extend(self, lo: int, hi: int) -> None:
        cur_lo, cur_hi = self._lo, self._lo + len(self._values)
        if not len(self._values):
            cur_lo = cur_hi = lo
        new_lo, new_hi = min(lo, cur_lo), max(hi, cur_hi)
        before = [self._func(n) for n in range(new_lo, cur_lo)]
        after = [self._func(n) for n in range(cur_hi, new_hi)]
        self._values = np.concatenate(
            [np.array(before, dtype=np.float64), self._values, np.array(after, dtype=np.float64)]
        )
        self._lo = new_lo

    def __call__(self, n: npt.NDArray[np.integer]) -> npt.NDArray[np.float64]:
        if not len(n):
            return np.empty(0, dtype=np.float64)
        lo, hi = int(n.min()), int(n.max()) + 1
        if not len(self._values) or lo < self._lo or hi > self._lo + len(self._values):
            self._extend(lo, hi)
        return np.take(self._values, n - self._lo)


class Tables:
    """Every dictionary of one index. Codes never change once given, so segments built at
    different times share them."""

    __slots__ = (
        "_pair_fast",
        "currencies",
        "fields",
        "keys",
        "last_used",
        "pair_last_used",
        "pair_years",
        "pairs",
        "ref_key",
        "refs",
        "scores",
        "timezones",
        "years",
    )

    def __init__(self) -> None:
        self.timezones: Interner[str] = Interner()
        self.currencies: Interner[str] = Interner()
        #: Code 0 is "no field of study".
        self.fields: Interner[str | None] = Interner([None])
        #: Vetting score values; a candidate stores ``code + 1``, 0 meaning "not assessed".
        self.scores = FloatInterner()
        self.years = FloatInterner()
        self.last_used: Interner[int | None] = Interner()
        #: (years code, last-used code) of a candidate skill: what a skill entry stores.
        self.pairs: Interner[tuple[int, int]] = Interner()
        self.pair_years: list[int] = []
        self.pair_last_used: list[int] = []
        #: Canonical skill keys: the columns of the skill matrix.
        self.keys: Interner[str] = Interner()
        #: Skills as written and resolved (for explanations), and the column of each.
        self.refs: Interner[SkillRef] = Interner()
        self.ref_key: list[int] = []
        self._pair_fast: dict[tuple[float, int | None], int] = {}

    def pair(self, years: float, last_used: int | None) -> int:
        """The code of a skill's (years, last used); a plain dictionary hit for the common case
        (zero years take the slow path, which keeps -0.0 apart)."""
        if years:
            found = self._pair_fast.get((years, last_used))
            if found is not None:
                return found
        y, lu = self.years.code(years), self.last_used.code(last_used)
        before = len(self.pairs)
        code = self.pairs.code((y, lu))
        if code == before:
            self.pair_years.append(y)
            self.pair_last_used.append(lu)
        if years:
            self._pair_fast[(years, last_used)] = code
        return code

    def ref(self, skill: SkillRef) -> int:
        found = self.refs.get(skill)
        if found is not None:
            return found
        code = self.refs.code(skill)
        self.ref_key.append(self.keys.code(skill.key))
        return code

    def nbytes(self) -> int:
        sizes = (
            self.timezones.nbytes(),
            self.currencies.nbytes(),
            self.fields.nbytes(),
            self.scores.nbytes(),
            self.years.nbytes(),
            self.last_used.nbytes(),
            self.pairs.nbytes(),
            self.keys.nbytes(),
            self.refs.nbytes(),
        )
        return sum(sizes) + 16 * (len(self.pair_years) + len(self.ref_key))
