"""The reverse ranking benchmark runs end to end on a tiny book and reports every figure (the
figures are measurements, not asserted; that both engines agree is)."""

from __future__ import annotations

import json

import pytest

from bench import reverse


def test_reverse_benchmark_reports_both_engines(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        reverse.main(["--requirements", "60", "--candidates", "4", "--reference-candidates", "2", "--json"])
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["results_identical"] is True
    assert report["methods"] == ["vectorised"]
    assert 0 < report["book_ms"]["p50"] <= report["book_ms"]["p95"]
    assert 0 < report["one_by_one_ms"]["p50"] <= report["one_by_one_ms"]["p95"]
    assert report["one_by_one_ms"]["candidates"] == 2
    assert report["ratio_p50"] == pytest.approx(
        report["one_by_one_ms"]["p50"] / report["book_ms"]["p50"], rel=0.01, abs=0.1
    )
    assert reverse.main(["--requirements", "20", "--candidates", "2", "--reference-candidates", "1"]) == 0
    assert "ratio p50" in capsys.readouterr().out
