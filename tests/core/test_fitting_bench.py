"""The fitting benchmark runs end to end on a small log and reports every figure (the figures
are measurements, not asserted; their consistency is)."""

from __future__ import annotations

import json

import pytest

from bench import fitting


def test_fitting_benchmark_reports_both_sizes(capsys: pytest.CaptureFixture[str]) -> None:
    assert fitting.main(["--decisions", "2000", "--per-requirement", "10", "--bootstrap", "2", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["small"]["decisions"] == 200 and report["big"]["decisions"] == 2000
    for size in ("small", "big"):
        r = report[size]
        assert r["fit_s"] > 0 and r["peak_mib"] > 0 and 0 < r["pairs_used"] <= report["max_pairs"]
    assert report["time_ratio"] == pytest.approx(report["big"]["fit_s"] / report["small"]["fit_s"], rel=0.05)
    assert fitting.main(["--decisions", "10", "--per-requirement", "10"]) == 2
