"""Fitting benchmark: a weight profile fitted to 100k logged decisions, time and memory, beside
the same fit on a tenth of them.

    uv run python -m bench fitting [--decisions 100000] [--per-requirement 25] [--bootstrap 100]
                                   [--seed 7] [--json]

The decisions are simulated (``fixtures.decisions``: a hidden weighting plus noise, 25 decided
candidates per requirement). Both sizes run in one process, one after the other, through the
core's ``fit_profile`` exactly as ``talentmatch weights fit`` calls it (time-ordered split, the
pair sample capped at ``MAX_PAIRS``, bootstrap intervals, held-out evaluation). Reported: wall
time and peak traced memory (``tracemalloc``: Python and NumPy allocations) per size, the time
of one solve without the bootstrap, the correlation of the fitted and hidden weights, and the
ratios of the big run to the small one.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import tracemalloc
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from fixtures.decisions import hidden_profile, simulate_observations
from matcher.core.fit_data import MAX_PAIRS, Data, profile_vector, theta_of
from matcher.core.fitting import fit_profile, fit_theta
from matcher.core.profiles import default_profile
from matcher.schemas import Track


def _measure(decisions: int, per_requirement: int, bootstrap: int, seed: int) -> dict[str, Any]:
    current = default_profile(Track.engineer)
    hidden = hidden_profile(current)
    requirements = max(1, decisions // per_requirement)
    observations = simulate_observations(
        theta_of(hidden), requirements=requirements, per_requirement=per_requirement, noise=4.0, seed=seed
    )
    start = time.perf_counter()
    with threadpool_limits(limits=1):  # as fit_profile runs it
        _, _, pairs = fit_theta(Data.of(observations), current, np.random.default_rng(seed))
    one_solve = time.perf_counter() - start
    tracemalloc.start()
    start = time.perf_counter()
    fit = fit_profile(observations, current, seed=seed, bootstrap=bootstrap)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    corr = float(np.corrcoef(profile_vector(fit.proposed), profile_vector(hidden))[0, 1])
    return {
        "decisions": len(observations),
        "requirements": requirements,
        "pairs_used": fit.pairs,
        "single_solve_s": round(one_solve, 3),
        "single_solve_pairs": pairs,
        "fit_s": round(seconds, 3),
        "peak_mib": round(peak / 2**20, 1),
        "correlation": round(corr, 4),
        "beats_current": fit.evaluation.beats_current,
    }


def run(decisions: int, per_requirement: int, bootstrap: int, seed: int) -> dict[str, Any]:
    small = _measure(max(per_requirement * 20, decisions // 10), per_requirement, bootstrap, seed)
    big = _measure(decisions, per_requirement, bootstrap, seed)
    return {
        "python": platform.python_version(),
        "bootstrap": bootstrap,
        "max_pairs": MAX_PAIRS,
        "small": small,
        "big": big,
        "time_ratio": round(big["fit_s"] / small["fit_s"], 2),
        "memory_ratio": round(big["peak_mib"] / max(small["peak_mib"], 0.1), 2),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench fitting", description=__doc__.split("\n")[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--per-requirement", type=int, default=25)
    parser.add_argument("--bootstrap", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.decisions < args.per_requirement * 20 or args.per_requirement < 2 or args.bootstrap < 0:
        print("error: need --decisions >= 20 x --per-requirement, --per-requirement >= 2", file=sys.stderr)
        return 2
    report = run(args.decisions, args.per_requirement, args.bootstrap, args.seed)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for size in ("small", "big"):
        r = report[size]
        print(
            f"{r['decisions']:>7} decisions ({r['requirements']} requirements, {r['pairs_used']} pairs): "
            f"fit with {report['bootstrap']} bootstraps {r['fit_s']:.2f} s, peak {r['peak_mib']:.1f} MiB; "
            f"one solve {r['single_solve_s']:.2f} s; weights correlation {r['correlation']:.3f}"
        )
    print(f"big / small: time ratio {report['time_ratio']}x, memory ratio {report['memory_ratio']}x")
    return 0
