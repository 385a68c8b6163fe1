"""All configuration in one place, read from ``TALENTMATCH_*`` environment variables (or ``.env``).

With nothing configured, talentmatch runs embedded: a SQLite database and a SQLite-backed
Celery broker and result store under ``./var/``, so a new user needs no server.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

VAR_DIR = Path("var")
#: Anyone can read this in the source: a server that signs cookies with it can be signed into.
DEFAULT_SESSION_SECRET = "change-me-in-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TALENTMATCH_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{VAR_DIR / 'talentmatch.db'}",
        description="SQLAlchemy URL of the main database (SQLite file or postgresql+psycopg://).",
    )
    broker_url: str = Field(
        default=f"sqla+sqlite:///{VAR_DIR / 'broker.db'}",
        description="Celery broker URL; embedded default is a SQLite file via kombu's SQLAlchemy transport.",
    )
    result_backend: str = Field(
        default=f"db+sqlite:///{VAR_DIR / 'results.db'}",
        description="Celery result backend URL.",
    )
    shortlist_size: int = Field(default=50, ge=1, le=1000, description="Entries kept per requirement.")
    rematch_schedule: str = Field(
        default="0 2 * * *", description="Crontab (m h dom mon dow) of the scheduled full re-match."
    )
    rematch_chunk_size: int = Field(default=25, ge=1, description="Requirements per re-match task.")
    task_max_retries: int = Field(default=5, ge=0, description="Retries of a re-match task.")
    visibility_timeout: int = Field(
        default=3600, ge=60, description="Seconds before an unacked task is redelivered (Redis)."
    )
    claim_timeout: float = Field(
        default=15,
        gt=0,
        description="Seconds without a heartbeat after which a worker's claim on a requirement is "
        "abandoned and re-dispatched (claims beat every claim_timeout / 4 while the work runs).",
    )
    recovery_interval: float = Field(
        default=10, gt=0, description="Seconds between each worker's sweeps for stalled match runs."
    )
    auto_rematch: bool = Field(
        default=True, description="Re-match on candidate/requirement/profile changes (off for bulk loads)."
    )
    task_delay_seconds: float = Field(
        default=0.0,
        ge=0,
        description="Test hook: sleep this long per requirement in a re-match, so tests can kill a "
        "worker mid-run. Leave at 0.",
    )
    task_gate_dir: Path | None = Field(
        default=None,
        description="Test hook: before matching each requirement a worker takes one token file from "
        "this folder, waiting while there is none, so a test stops a worker at an exact point of a "
        "run. Leave unset.",
    )
    index_snapshot_dir: Path | None = Field(
        default=None,
        description="Folder of the shared candidate index snapshot (memory-mapped files): worker "
        "processes of a host map it instead of each building the index from the database. Unset: "
        "every process builds its own.",
    )
    index_snapshot_rewrite_fraction: float = Field(
        default=0.02,
        gt=0,
        le=1,
        description="Candidates changed since the snapshot, as a share of the pool, beyond which the "
        "snapshot is rewritten in the background.",
    )
    index_snapshot_margin_seconds: float = Field(
        default=300,
        ge=0,
        description="How far before the snapshot's watermark changes are re-read (a transaction that "
        "committed late carries an older updated_at).",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="'json': one JSON object per log line, with the request id and run id (API, workers).",
    )
    worker_metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Port on which a worker's main process serves the Prometheus metrics of its "
        "processes (PROMETHEUS_MULTIPROC_DIR must be set); unset: not served.",
    )
    worker_metrics_host: str = Field(default="0.0.0.0", description="Bind address of worker_metrics_port.")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    max_body_bytes: int = Field(default=20 * 1024 * 1024, description="Largest accepted request body.")
    max_import_records: int = Field(default=100_000, description="Most records in one API import.")
    session_secret: str = Field(
        default=DEFAULT_SESSION_SECRET,
        description="Secret that signs UI session cookies and CSRF tokens; the server refuses the "
        "default outside dev_mode.",
    )
    dev_mode: bool = Field(
        default=False,
        description="Development mode (the demo and the tests): the default session secret is "
        "accepted. Never in production.",
    )
    rate_limit: str = Field(
        default="10/second;300/minute",
        description="Requests each API key may make (the limits library's notation, ';' between "
        "limits); empty turns rate limiting off.",
    )
    rate_limit_storage: str | None = Field(
        default=None,
        description="Where the counts live (limits storage URL): default the broker's Redis when "
        "the broker is Redis (shared by every API process), else this process's memory.",
    )
    secure_cookies: bool = Field(default=False, description="Mark UI cookies Secure (HTTPS only).")
    today: dt.date | None = Field(
        default=None,
        description="Pin 'today' (YYYY-MM-DD) for scoring and demo data; default is the clock's UTC date.",
    )


class InsecureSettings(Exception):
    """The settings are not fit to serve outside development (one readable line)."""


def check_servable(settings: Settings) -> None:
    """Refuse to serve with the well-known default session secret unless in ``dev_mode``: a
    cookie forged with it would open any key's session."""
    if settings.session_secret == DEFAULT_SESSION_SECRET and not settings.dev_mode:
        raise InsecureSettings(
            "TALENTMATCH_SESSION_SECRET is the default; set it to a long random value "
            "(or TALENTMATCH_DEV_MODE=true for development only)"
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
