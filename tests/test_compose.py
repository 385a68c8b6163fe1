"""compose.yaml stays well-formed (Docker cannot run here): services, health checks, one image."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_has_the_stack_with_health_checks() -> None:
    spec = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = spec["services"]
    assert {"postgres", "redis", "api", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "api", "worker", "beat"):
        assert "healthcheck" in services[name], name
    for name in ("api", "worker", "beat"):
        assert services[name]["build"] == "."
        env = services[name]["environment"]
        assert env["TALENTMATCH_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["TALENTMATCH_BROKER_URL"].startswith("redis://")
    assert (ROOT / "Dockerfile").exists()


def test_workers_share_one_index_snapshot_volume() -> None:
    spec = yaml.safe_load((ROOT / "compose.yaml").read_text())
    worker = spec["services"]["worker"]
    folder = worker["environment"]["TALENTMATCH_INDEX_SNAPSHOT_DIR"]
    assert worker["environment"]["TALENTMATCH_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert f"index-snapshot:{folder}" in worker["volumes"]
    assert "index-snapshot" in spec["volumes"]


def test_compose_commands_are_cli_commands() -> None:
    from typer.main import get_command

    from matcher.cli import app

    cli = get_command(app)
    spec = yaml.safe_load((ROOT / "compose.yaml").read_text())
    for name, service in spec["services"].items():
        command = service.get("command")
        if command and command[0] == "talentmatch":
            assert command[1] in cli.commands, f"{name}: talentmatch {command[1]} does not exist"  # type: ignore[attr-defined]
