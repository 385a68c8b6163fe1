"""What a run changed in one shortlist (who entered, left or moved, from which rank to which), as
the writer reports it and the run's row stores it (``to_json``/``from_json``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RankChange:
    """One candidate whose place in the top N a run changed; ``None`` is "not in the top N"."""

    candidate_id: uuid.UUID
    before: int | None
    after: int | None

    def to_json(self) -> dict[str, Any]:
        return {"candidate_id": str(self.candidate_id), "before": self.before, "after": self.after}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RankChange:
        return cls(uuid.UUID(data["candidate_id"]), data["before"], data["after"])


@dataclass(frozen=True)
class ShortlistChange:
    """What one run changed in one shortlist: who entered, left or moved, from which rank to which."""

    changes: tuple[RankChange, ...] = ()
    written: int = 0
    """Rows inserted or updated."""

    @property
    def entered(self) -> int:
        """Candidates now in the top N who were not before (new, or back from dropped/ineligible)."""
        return sum(1 for c in self.changes if c.before is None)

    @property
    def left(self) -> int:
        """Candidates who were in the top N and are not any more."""
        return sum(1 for c in self.changes if c.after is None)

    @property
    def moved(self) -> int:
        """Candidates in the top N before and after, at another rank."""
        return sum(1 for c in self.changes if c.before is not None and c.after is not None)

    def to_json(self) -> list[dict[str, Any]]:
        return [c.to_json() for c in self.changes]
