"""Each worker process builds its runtime through the composition root, with an engine of its own."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

import tasks.worker
from matcher.bootstrap import bootstrap
from tasks.dispatch import celery_sender


def test_a_forked_pool_process_builds_its_own_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    inherited = bootstrap(engine=create_engine("sqlite://"))
    monkeypatch.setattr(tasks.worker, "_runtime", inherited)
    tasks.worker._init_process()
    runtime = tasks.worker.worker_runtime()
    assert runtime is not inherited
    assert runtime.engine is not inherited.engine, "a connection is never shared across a fork"
    assert runtime.pool_cache is inherited.pool_cache, "the pool its parent warmed is kept"
    assert runtime.dispatcher is not inherited.dispatcher
    assert runtime.dispatcher.sender is celery_sender


def test_a_process_without_a_pool_builds_its_runtime_on_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tasks.worker, "_runtime", None)
    runtime = tasks.worker.worker_runtime()
    assert tasks.worker.worker_runtime() is runtime
    assert runtime.engine.url.render_as_string(hide_password=False) == runtime.settings.database_url
