"""The composition root hands a door the parts it builds once; the API keeps the one it got."""

from __future__ import annotations

import pytest
import typer
from sqlalchemy import create_engine

from api.app import create_app
from matcher.bootstrap import Runtime, bootstrap
from matcher.dispatch import dispatcher
from matcher.services.matching import default_ranker
from matcher.services.pool_cache import process_pool_cache
from matcher.settings import Settings
from tests.helpers import run_cli


def test_bootstrap_builds_from_the_given_settings_and_keeps_a_given_engine() -> None:
    settings = Settings(database_url="sqlite://", shortlist_size=7)
    engine = create_engine("sqlite://")
    runtime = bootstrap(settings, engine=engine)
    assert runtime.settings is settings
    assert runtime.engine is engine
    assert runtime.ranker is default_ranker()
    assert runtime.dispatcher is dispatcher
    assert runtime.pool_cache is process_pool_cache()
    assert bootstrap(settings).engine is bootstrap(settings).engine, "one engine per database URL"


def test_the_api_serves_with_the_runtime_it_was_built_with() -> None:
    settings = Settings(database_url="sqlite://")
    engine = create_engine("sqlite://")
    app = create_app(settings, engine)
    assert app.state.runtime.engine is engine is app.state.engine
    assert app.state.runtime.settings is settings is app.state.settings


def test_the_cli_builds_one_runtime_when_its_command_asks_for_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import matcher.cli
    from matcher.cli.app import app

    built: list[Runtime] = []
    seen: list[Runtime] = []

    def recording_bootstrap() -> Runtime:
        built.append(bootstrap(Settings(database_url="sqlite://"), engine=create_engine("sqlite://")))
        return built[-1]

    @app.command("probe-runtime", hidden=True)
    def probe_runtime(ctx: typer.Context) -> None:
        seen.extend([ctx.obj(), ctx.obj()])

    monkeypatch.setattr(matcher.cli, "bootstrap", recording_bootstrap)
    try:
        assert run_cli(capsys, "version")[0] == 0
        assert built == [], "a command that needs no runtime builds none"
        assert run_cli(capsys, "probe-runtime")[0] == 0
    finally:
        app.registered_commands.pop()
    assert len(built) == 1 and seen == built * 2
    assert type(dispatcher.sender).__name__ == "_CelerySenderOnDemand"
