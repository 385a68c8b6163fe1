"""Reverse ranking benchmark: one candidate against many open requirements, the book's
vectorised answer side by side with scoring the requirements one by one.

    uv run python -m bench reverse [--requirements 10000] [--candidates 20] [--top 20]
                                   [--reference-candidates 3] [--seed 7] [--json]

Requirements and candidates come from the fixtures generator (every requirement set open),
each requirement with its track's default profile and the taxonomy's relations, as the
service holds them. The book is built once (as ``matcher.services.shortlists.placements`` keeps it per
process); then for each candidate ``rank_requirements`` answers the top N with explanations
(the vectorised estimate over all requirements plus the core's ``Scorer`` on the contenders).
The reference is what a caller without the book would do: for every requirement, a ``Scorer``
and its score of the candidate, then sort; it is timed on the first few candidates (it costs
seconds each) and its answers are compared with the book's: the run says whether they were
identical. Reported: build time, p50/p95 per candidate for both, the ratio of the p50s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any

from pydantic import TypeAdapter

from bench._machine import finished, line, machine
from fixtures.generator import ANCHOR_DATE, generate_candidates, generate_requirements
from matcher.core import default_profile, prepare_candidate, prepare_requirement, relations_for
from matcher.reverse import BookEntry, RequirementBook, rank_requirements, reference_rank_requirements
from matcher.schemas import CandidateIn, RequirementIn
from matcher.skills import default_resolver


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(requirements: int, candidates: int, top: int, reference_candidates: int, seed: int) -> dict[str, Any]:
    today = ANCHOR_DATE
    records = [{**r, "status": "open"} for r in generate_requirements(requirements, seed, anchor=today)]
    reqs = TypeAdapter(list[RequirementIn]).validate_python(records)
    people = TypeAdapter(list[CandidateIn]).validate_python(
        list(generate_candidates(candidates, seed, anchor=today))
    )
    resolver = default_resolver()
    names = [s.name for r in reqs for s in (*r.must_have, *r.nice_to_have)]
    names += [s.name for c in people for s in c.skills]
    resolutions = {r.input: r for r in resolver.resolve_many(list(dict.fromkeys(names)))}
    entries = []
    for r in reqs:
        req = prepare_requirement(r, resolutions)
        entries.append(
            BookEntry(
                r.external_id, req, default_profile(r.track), relations_for(req, resolver.taxonomy.related_to)
            )
        )
    profiles = [prepare_candidate(c, resolutions) for c in people]

    start = time.perf_counter()
    book = RequirementBook(entries)
    build = time.perf_counter() - start
    rank_requirements(profiles[0], book, today, top=top)  # warm: the contenders' scorers, caches

    fast: list[float] = []
    estimate: list[float] = []
    answers = []
    methods = set()
    for person in profiles:
        start = time.perf_counter()
        book.estimate(person, today)
        estimate.append(time.perf_counter() - start)
        start = time.perf_counter()
        answer = rank_requirements(person, book, today, top=top)
        fast.append(time.perf_counter() - start)
        answers.append(answer)
        methods.add(answer.method)

    slow: list[float] = []
    identical = True
    for person, answer in zip(profiles[:reference_candidates], answers, strict=False):
        start = time.perf_counter()
        reference = reference_rank_requirements(person, entries, today, top=top)
        slow.append(time.perf_counter() - start)
        identical &= reference.model_dump(exclude={"method"}) == answer.model_dump(exclude={"method"})

    fast_p50, slow_p50 = statistics.median(fast), statistics.median(slow)
    return {
        "requirements": requirements,
        "candidates": candidates,
        "top": top,
        "today": today.isoformat(),
        "build_s": round(build, 3),
        "book_ms": {
            "p50": _ms(fast_p50),
            "p95": _ms(_p(fast, 0.95)),
            "estimate_p50": _ms(statistics.median(estimate)),
        },
        "one_by_one_ms": {"p50": _ms(slow_p50), "p95": _ms(_p(slow, 0.95)), "candidates": len(slow)},
        "ratio_p50": round(slow_p50 / fast_p50, 1),
        "methods": sorted(methods),
        "results_identical": identical,
        "eligible_mean": round(statistics.mean(a.eligible for a in answers), 1),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench reverse", description=__doc__.split("\n")[0])
    parser.add_argument("--requirements", type=int, default=10_000)
    parser.add_argument("--candidates", type=int, default=20, help="candidates timed against the book")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--reference-candidates", type=int, default=3, help="of those, also timed one by one")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if min(args.requirements, args.candidates, args.top, args.reference_candidates) < 1:
        parser.error("every count must be at least 1")
    started = machine()
    report = run(args.requirements, args.candidates, args.top, args.reference_candidates, args.seed)
    report["machine"] = finished(started)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    b, s = report["book_ms"], report["one_by_one_ms"]
    print(
        f"one candidate vs {report['requirements']:,} open requirements, top {report['top']} "
        f"(book built in {report['build_s']} s)",
        file=sys.stdout,
    )
    print(
        f"  book (vectorised):  p50 {b['p50']:.1f} ms  p95 {b['p95']:.1f} ms"
        f"  (estimate alone p50 {b['estimate_p50']:.1f} ms)"
    )
    print(
        f"  one by one (core):  p50 {s['p50']:.1f} ms  p95 {s['p95']:.1f} ms  ({s['candidates']} candidates)"
    )
    print(
        f"  ratio p50: {report['ratio_p50']}x; results identical: {report['results_identical']}; "
        f"methods: {', '.join(report['methods'])}"
    )
    print(line(report["machine"]))
    return 0
