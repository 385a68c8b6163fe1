"""Signed-in web UI sessions, held on the server so that signing out ends them everywhere.

The session cookie is signed, but a signature cannot be taken back: a cookie copied before
sign-out would stay valid until it expires. So a signed-in session is also a row, keyed by
the SHA-256 of the cookie's random nonce (the nonce itself is never stored); signing out
deletes the row, and a cookie whose row is gone, expired or of another key is no session.
Revoking the API key deletes its sessions too (``ON DELETE CASCADE`` on removal; a revoked key
is refused on every request anyway).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from sqlalchemy import delete, select
from sqlmodel import Session

from matcher.models import UiSessionRecord, utcnow
from matcher.models.tables import UI_SESSION as UI


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def open_session(session: Session, nonce: str, key_id: uuid.UUID, *, max_age_seconds: int) -> None:
    """Record a signed-in session (and forget the expired ones of any key)."""
    now = utcnow()
    session.execute(delete(UI).where(UI.c.expires_at < now))
    session.add(
        UiSessionRecord(
            token_hash=_hash(nonce),
            key_id=key_id,
            created_at=now,
            expires_at=now + dt.timedelta(seconds=max_age_seconds),
        )
    )
    session.flush()


def is_open(session: Session, nonce: str, key_id: uuid.UUID) -> bool:
    """Whether the cookie's session is still open on the server for that key."""
    expires = session.execute(
        select(UI.c.expires_at).where(UI.c.token_hash == _hash(nonce), UI.c.key_id == key_id)
    ).scalar_one_or_none()
    if expires is None:
        return False
    expires = expires if expires.tzinfo else expires.replace(tzinfo=dt.UTC)
    return bool(expires > utcnow())


def close_session(session: Session, nonce: str) -> None:
    """Sign out: the session ends for every copy of its cookie."""
    session.execute(delete(UI).where(UI.c.token_hash == _hash(nonce)))
