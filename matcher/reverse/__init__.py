"""Reverse ranking: one candidate against many requirements, best first.

``RequirementBook`` holds the requirements (each with its own weight profile and relation
credits) in columns and estimates a candidate's score against all of them at once;
``rank_requirements`` re-scores the contenders with the core's own ``Scorer``, so every score,
reason and exclusion it returns is the core's. ``reference_rank_requirements`` scores every
requirement one by one with the core: the same answer, slower.
"""

from matcher.reverse.book import BookEntry, Estimate, RequirementBook
from matcher.reverse.ranking import (
    RequirementMatch,
    ReverseRanking,
    rank_requirements,
    reference_rank_requirements,
)

__all__ = [
    "BookEntry",
    "Estimate",
    "RequirementBook",
    "RequirementMatch",
    "ReverseRanking",
    "rank_requirements",
    "reference_rank_requirements",
]
