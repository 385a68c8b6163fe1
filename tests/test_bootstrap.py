"""The composition root hands a door the parts it builds once; the API keeps the one it got."""

from __future__ import annotations

import importlib

import pytest
import typer
from sqlalchemy import create_engine

from api.app import create_app
from matcher.bootstrap import Runtime, bootstrap
from matcher.dispatch import DispatchUnavailable, enqueue
from matcher.index import index_ranker
from matcher.runtime import NoRuntime, runtime_of
from matcher.services.candidate_pool import PoolCache
from matcher.settings import Settings
from tests.helpers import run_cli


def test_bootstrap_builds_from_the_given_settings_and_keeps_a_given_engine() -> None:
    settings = Settings(database_url="sqlite://", shortlist_size=7)
    engine = create_engine("sqlite://")
    runtime = bootstrap(settings, engine=engine)
    assert runtime.settings is settings
    assert runtime.engine is engine
    assert runtime.ranker is index_ranker
    assert isinstance(runtime.pool_cache, PoolCache)
    assert bootstrap(settings).engine is bootstrap(settings).engine, "one engine per database URL"
    kept = PoolCache()
    assert bootstrap(settings, engine=engine, pool_cache=kept).pool_cache is kept


def test_each_runtime_has_its_own_dispatcher_and_pool_cache() -> None:
    settings = Settings(database_url="sqlite://")
    one, two = bootstrap(settings), bootstrap(settings)
    assert one.dispatcher is not two.dispatcher
    assert one.pool_cache is not two.pool_cache
    one.dispatcher.register(lambda task, args: None)
    with pytest.raises(DispatchUnavailable):
        _ = two.dispatcher.sender  # a sender registered on one runtime never leaks into another


def test_a_session_carries_the_runtime_that_opened_it_and_its_dispatcher() -> None:
    runtime = bootstrap(Settings(database_url="sqlite://"), engine=create_engine("sqlite://"))
    sent: list[tuple[str, list[object]]] = []
    runtime.dispatcher.register(lambda task, args: sent.append((task, args)))
    with runtime.session() as session:
        assert runtime_of(session) is runtime
        enqueue(session, "talentmatch.probe", [1])
        session.commit()
    assert sent == [("talentmatch.probe", [1])]


def test_a_service_refuses_a_session_no_runtime_opened() -> None:
    from sqlmodel import Session

    with Session(create_engine("sqlite://")) as session, pytest.raises(NoRuntime):
        runtime_of(session)


def test_the_api_serves_with_the_runtime_it_was_built_with() -> None:
    settings = Settings(database_url="sqlite://")
    engine = create_engine("sqlite://")
    app = create_app(settings, engine)
    assert app.state.runtime.engine is engine is app.state.engine
    assert app.state.runtime.settings is settings is app.state.settings
    assert type(app.state.runtime.dispatcher.sender).__name__ == "CelerySender"


def test_the_cli_builds_one_runtime_when_its_command_asks_for_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from matcher.cli.app import app

    cli_app = importlib.import_module("matcher.cli.app")  # the module (``matcher.cli.app`` is the Typer app)

    built: list[Runtime] = []
    seen: list[Runtime] = []

    def recording_bootstrap(settings: Settings) -> Runtime:
        built.append(bootstrap(Settings(database_url="sqlite://"), engine=create_engine("sqlite://")))
        return built[-1]

    @app.command("probe-runtime", hidden=True)
    def probe_runtime(ctx: typer.Context) -> None:
        seen.extend([ctx.obj(), ctx.obj()])

    monkeypatch.setattr(cli_app, "bootstrap", recording_bootstrap)
    try:
        assert run_cli(capsys, "version")[0] == 0
        assert built == [], "a command that needs no runtime builds none"
        assert run_cli(capsys, "probe-runtime")[0] == 0
    finally:
        app.registered_commands.pop()
    assert len(built) == 1 and seen == built * 2
    assert type(built[0].dispatcher.sender).__name__ == "_CelerySenderOnDemand"
