"""``talentmatch keys create|list|revoke`` against a test database, and the key working in the API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from matcher.settings import Settings
from tests.helpers import run_cli


def test_keys_create_list_revoke(cli_database: str, capsys: Any) -> None:
    code, key, err = run_cli(
        capsys, "keys", "create", "--role", "client", "--client", "acme", "--label", "ops"
    )
    assert code == 0, err
    key = key.strip()
    assert key.startswith("tm_") and "shown" not in key and "not shown again" in err
    prefix = key[:11]

    http = TestClient(create_app(Settings(database_url=cli_database)))
    me = http.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert me.json() == {"role": "client", "client": "acme", "key_prefix": prefix}

    code, listing, _ = run_cli(capsys, "keys", "list")
    assert code == 0 and prefix in listing and "acme" in listing and key not in listing

    code, out, _ = run_cli(capsys, "keys", "revoke", prefix)
    assert code == 0 and prefix in out
    assert http.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    code, listing, _ = run_cli(capsys, "keys", "list")
    assert prefix not in listing
    code, listing, _ = run_cli(capsys, "keys", "list", "--all")
    assert prefix in listing and "revoked" in listing


def test_keys_bad_input_is_one_line(cli_database: str, capsys: Any) -> None:
    code, _, err = run_cli(capsys, "keys", "create", "--role", "client")
    assert code == 1 and "error: a client key needs a client account" in err and "Traceback" not in err
    code, _, err = run_cli(capsys, "keys", "create", "--role", "admin", "--client", "acme")
    assert code == 1 and "not tied to a client" in err
    code, _, err = run_cli(capsys, "keys", "revoke", "tm_nosuchkey")
    assert code == 1 and "no API key" in err
    code, _, err = run_cli(capsys, "keys", "create", "--role", "emperor")
    assert code != 0
