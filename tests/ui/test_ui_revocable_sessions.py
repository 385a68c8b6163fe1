"""UI sessions end on the server, and the default secret is refused outside development
(issue 16, item 6)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.engine import Engine
from sqlmodel import select

from api.app import create_app
from api.ui.session import COOKIE
from matcher.models import ApiKey, Role
from matcher.settings import DEFAULT_SESSION_SECRET, InsecureSettings, Settings, get_settings
from tests.helpers import run_cli, session_on
from tests.ui.test_ui_session import browser, sign_in, token_of
from tests.ui.ui_harness import UiWorld, ui_settings, ui_world


@pytest.fixture
def world(engine: Engine, db_url: str, tmp_path: Path) -> Iterator[UiWorld]:
    with ui_world(engine, ui_settings(db_url, tmp_path), candidates=30, requirements=3) as w:
        yield w


def test_sign_out_ends_every_copy_of_the_cookie(world: UiWorld) -> None:
    http, token = sign_in(world, "recruiter")
    copied = http.cookies[COOKIE]
    thief = browser(world)
    thief.cookies.set(COOKIE, copied)
    assert thief.get("/requirements").status_code == 200  # the copy works while the session is open
    assert http.post("/sign-out", data={"csrf_token": token}).status_code == 303
    r = thief.get("/requirements")
    assert r.status_code == 303 and r.headers["location"].startswith("/?next=")
    # signing in again is a new session; the old copy stays dead
    http, _ = sign_in(world, "recruiter")
    assert http.get("/requirements").status_code == 200
    assert thief.get("/requirements").status_code == 303


def test_a_cookie_forged_with_a_known_secret_opens_nothing(world: UiWorld) -> None:
    """Even with the signing secret, a cookie is only a session the server opened."""
    with session_on(world.engine) as s:
        admin_key = s.exec(select(ApiKey).where(ApiKey.role == Role.admin)).first()
    assert admin_key is not None
    forged = URLSafeTimedSerializer(world.settings.session_secret, salt="talentmatch.ui.session").dumps(
        {"n": "guessed-nonce", "k": str(admin_key.id)}
    )
    http = browser(world)
    http.cookies.set(COOKIE, forged)
    assert http.get("/admin/profiles").status_code == 303
    assert token_of(http.get("/").text)  # just a visitor again


def test_the_server_refuses_the_default_secret_outside_dev_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with pytest.raises(InsecureSettings, match="TALENTMATCH_SESSION_SECRET"):
        create_app(Settings(database_url=url, session_secret=DEFAULT_SESSION_SECRET, dev_mode=False))
    create_app(Settings(database_url=url, session_secret="a-long-random-production-secret", dev_mode=False))
    create_app(Settings(database_url=url, session_secret=DEFAULT_SESSION_SECRET, dev_mode=True))

    monkeypatch.setenv("TALENTMATCH_DEV_MODE", "false")
    monkeypatch.delenv("TALENTMATCH_SESSION_SECRET", raising=False)
    get_settings.cache_clear()
    try:
        code, _, err = run_cli(capsys, "serve")
    finally:
        get_settings.cache_clear()
    assert code == 1
    assert (
        err.strip().startswith("error: TALENTMATCH_SESSION_SECRET is the default") and "\n" not in err.strip()
    )


def test_an_api_client_is_unaffected_by_ui_sessions(world: UiWorld) -> None:
    http = TestClient(world.app)
    assert (
        http.get("/api/v1/me", headers={"Authorization": f"Bearer {world.keys['recruiter']}"}).status_code
        == 200
    )
