"""Fixtures of the re-matching tests (tests/services and tests/tasks load them from their
conftest.py): pinned settings, and a database seeded from the generator."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.engine import Engine

from matcher.settings import get_settings
from tests.rematch_support import Seeded, seed
from tests.suite_clock import TODAY

#: Environment of every test here: matching on the suite's "today", small shortlists, and
#: no automatic re-matching unless a test turns it on.
PINNED = {
    "TALENTMATCH_TODAY": TODAY.isoformat(),
    "TALENTMATCH_SHORTLIST_SIZE": "10",
    "TALENTMATCH_AUTO_REMATCH": "false",
    "TALENTMATCH_REMATCH_CHUNK_SIZE": "4",
}

SetEnv = Callable[..., None]


@pytest.fixture(autouse=True)
def pinned_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[SetEnv]:
    """Pin the settings; the yielded ``set_env(NAME=value, ...)`` changes more of them."""

    def set_env(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"TALENTMATCH_{name.upper()}", value)
        get_settings.cache_clear()

    for name, value in PINNED.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield set_env
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def seeded(engine: Engine) -> Seeded:
    """300 candidates and 10 requirements in the test database."""
    return seed(engine, 300, 10)
