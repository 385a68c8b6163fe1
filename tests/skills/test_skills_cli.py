"""``talentmatch skills resolve`` and ``talentmatch skills list``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from matcher.cli import app

runner = CliRunner()


def test_resolve_json_shape() -> None:
    result = runner.invoke(app, ["skills", "resolve", "--json", "Postgres", "Pyhton", "xyzzy"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [set(row) for row in rows] == [{"input", "canonical", "name", "method", "score", "understood"}] * 3
    assert rows[0] == {
        "input": "Postgres",
        "canonical": "postgresql",
        "name": "PostgreSQL",
        "method": "alias",
        "score": 100.0,
        "understood": "Postgres -> PostgreSQL",
    }
    assert (rows[1]["canonical"], rows[1]["method"]) == ("python", "fuzzy")
    assert 80.0 <= rows[1]["score"] < 100.0
    assert rows[2] == {
        "input": "xyzzy",
        "canonical": None,
        "name": None,
        "method": "unknown",
        "score": 0.0,
        "understood": "unknown: kept as typed",
    }


def test_resolve_prints_a_table() -> None:
    result = runner.invoke(app, ["skills", "resolve", "k8s", "Java 17"])
    assert result.exit_code == 0, result.output
    assert "kubernetes" in result.stdout
    assert "Kubernetes" in result.stdout
    assert "java" in result.stdout
    assert "exact" in result.stdout


def test_resolve_needs_a_name() -> None:
    result = runner.invoke(app, ["skills", "resolve"])
    assert result.exit_code != 0


def test_list_one_category() -> None:
    result = runner.invoke(app, ["skills", "list", "--category", "queue"])
    assert result.exit_code == 0, result.output
    assert "rabbitmq" in result.stdout
    assert "postgresql" not in result.stdout


def test_list_rejects_an_unknown_category() -> None:
    result = runner.invoke(app, ["skills", "list", "--category", "nope"])
    assert result.exit_code == 1
    assert "unknown category 'nope'" in result.stderr
