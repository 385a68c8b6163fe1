"""The ranking benchmark runs end to end on a tiny pool and reports every figure (the figures
themselves are not asserted: they are measurements, not requirements of a test run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import ranking


def test_ranking_benchmark_reports_both_engines_as_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(ranking, "OUT", tmp_path)
    argv = ["--sizes", "300,120", "--requirements", "4", "--top", "5"]
    assert ranking.main([*argv, "--reference-sample", "80", "--reference-requirements", "2", "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    sizes = report["sizes"]
    assert [s["candidates"] for s in sizes] == [300, 120]
    for s in sizes:
        assert s["sample_results_identical"] is True
        assert s["build_s"] > 0 and s["bytes_per_candidate"] > 0
        for run in ("first", "rerank"):
            assert 0 < s["index_ms"][run]["p50"] <= s["index_ms"][run]["p95"]
            assert s["index_ms"][run]["select_p50"] > 0
            assert s["index_ms"][run]["explain_p50"] > 0
        assert 0 < s["reference_ms"]["p50"] <= s["reference_ms"]["p95"]
        assert s["ratio_p50"] == pytest.approx(s["reference_ms"]["p50"] / s["index_ms"]["first"]["p50"])
        assert s["reference_sample"] == 80
        assert 0 < s["scan_ms"]["p50"] <= s["scan_ms"]["p95"]
        assert s["scan_ms"]["results_median"] > 0
        assert "index<=1x scan" in s["targets"]
    assert report["machine"]["cores"] and report["machine"]["load_average_end"]
    stem = f"candidates-s7-{ranking._fingerprint(7)}"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{stem}-120.jsonl", f"{stem}-300.jsonl"]
    # The smaller pool was cut from the cached larger one, not generated again.
    head = (tmp_path / f"{stem}-300.jsonl").read_text().splitlines()[:120]
    assert head == (tmp_path / f"{stem}-120.jsonl").read_text().splitlines()
    assert "cutting 120 candidates" in captured.err


def test_ranking_benchmark_table_names_the_targets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(ranking, "OUT", tmp_path)
    assert ranking.main(["--sizes", "150", "--requirements", "3", "--reference-sample", "50"]) == 0
    out = capsys.readouterr().out
    assert "index p50" in out and "reference p50" in out and "ratio>=300" in out
    assert "extrapolated" in out and "identical" in out


def test_bad_sizes_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        ranking.main(["--sizes", "ten"])
    assert caught.value.code == 2
    assert "--sizes" in capsys.readouterr().err
