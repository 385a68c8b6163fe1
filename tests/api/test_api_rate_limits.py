"""Per-key rate limits: past its share a key gets 429 with Retry-After, and other keys are not
affected; the counts are shared through Redis in production (issue 16, item 8)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.app import create_app
from tests.api.conftest import make_keys, make_settings
from tests.conftest import REDIS_ENV, need_server

V1 = "/api/v1"


def _client(db_url: str, tmp_path: Path, engine: Engine, **settings: str) -> TestClient:
    return TestClient(
        create_app(make_settings(db_url, tmp_path, **settings), engine), raise_server_exceptions=False
    )


def test_a_key_past_its_limit_gets_429_and_others_do_not(db_url: str, tmp_path: Path, engine: Engine) -> None:
    keys = make_keys(engine)
    http = _client(db_url, tmp_path, engine, rate_limit="5/minute;100/hour")
    a, b = ({"Authorization": f"Bearer {keys[k]}"} for k in ("acme", "globex"))
    assert [http.get(f"{V1}/me", headers=a).status_code for _ in range(5)] == [200] * 5
    refused = http.get(f"{V1}/me", headers=a)
    assert refused.status_code == 429, refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["type"].endswith("rate-limited") and "5 per 1 minute" in refused.json()["detail"]
    assert http.get(f"{V1}/requirements", headers=a).status_code == 429  # every route of that key
    assert http.get(f"{V1}/me", headers=b).status_code == 200  # another key has its own share
    assert http.get("/healthz").status_code == 200  # probes are not keyed


def test_an_empty_limit_turns_limiting_off(db_url: str, tmp_path: Path, engine: Engine) -> None:
    keys = make_keys(engine)
    http = _client(db_url, tmp_path, engine, rate_limit="")
    a = {"Authorization": f"Bearer {keys['acme']}"}
    assert {http.get(f"{V1}/me", headers=a).status_code for _ in range(30)} == {200}


def test_api_processes_share_the_counts_in_redis(db_url: str, tmp_path: Path, engine: Engine) -> None:
    redis_url = need_server(REDIS_ENV, "Redis")
    keys = make_keys(engine)  # new keys: their counts start at zero
    one, two = (
        _client(db_url, tmp_path, engine, rate_limit="4/minute", rate_limit_storage=redis_url)
        for _ in range(2)
    )
    a = {"Authorization": f"Bearer {keys['acme']}"}
    assert [one.get(f"{V1}/me", headers=a).status_code for _ in range(2)] == [200, 200]
    assert [two.get(f"{V1}/me", headers=a).status_code for _ in range(2)] == [200, 200]
    assert one.get(f"{V1}/me", headers=a).status_code == 429
    assert two.get(f"{V1}/me", headers=a).status_code == 429
