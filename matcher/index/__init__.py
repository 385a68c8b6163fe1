"""Vectorised in-memory candidate index: the reference ranking over a whole pool at once.

``CandidateIndex.rank`` has the contract of ``matcher.core.rank``; ``index_ranker`` plugs it
into ``matcher.services.matching``; ``build_index_from_db`` and ``build_index_from_jsonl``
build one in a single streaming pass.
"""

from matcher.index.index import CandidateIndex, PoolScores
from matcher.index.loading import build_index_from_db, build_index_from_jsonl
from matcher.index.ranker import index_ranker, pool_index

__all__ = [
    "CandidateIndex",
    "PoolScores",
    "build_index_from_db",
    "build_index_from_jsonl",
    "index_ranker",
    "pool_index",
]
