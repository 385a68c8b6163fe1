"""API keys and the principal behind a request.

A key looks like ``tm_k3x9q2ab_<secret>``: ``tm_`` and eight random characters form the visible
prefix (stored, unique, shown in listings so a key can be recognised and revoked), the secret
is 256 random bits. Only the SHA-256 of the whole key is stored; because the key is random and
long, a plain hash is as good as a slow password hash here, and it keeps every request cheap.
The comparison is constant-time, and an unknown prefix costs the same comparison as a known one.

``authenticate`` is the one door: the API resolves ``Authorization: Bearer`` with it and the
web UI resolves its session's key the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import re
import secrets
import string
import threading
import time
import uuid
from dataclasses import dataclass

from pydantic import BaseModel, computed_field
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from matcher.errors import Conflict, Forbidden, NotFound, Unauthenticated, ValidationFailed
from matcher.models import ApiKey, Client, Role, utcnow
from matcher.services.audit import record
from matcher.services.cursors import UtcDateTime
from matcher.services.imports.importing import get_or_create_client

KEY_TAG = "tm_"
PREFIX_CHARS = 8
PREFIX_LEN = len(KEY_TAG) + PREFIX_CHARS
_ALPHABET = string.ascii_lowercase + string.digits
#: ``last_used_at`` is written at most this often per key and process.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
_DUMMY_HASH = hashlib.sha256(b"no such key").hexdigest()
_PREFIX = re.compile(f"{KEY_TAG}[{_ALPHABET}]{{{PREFIX_CHARS}}}")


#: The key id of an operator at the host's console (no key: see ``Principal.console``).
_CONSOLE_KEY = uuid.UUID(int=0)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's role and, for a client key, its client account; or an operator
    at the host's console (``console``: the CLI, the demo), who holds no key and is an admin."""

    key_id: uuid.UUID
    prefix: str
    role: Role
    client_id: uuid.UUID | None = None
    client_slug: str | None = None
    operator: str | None = None

    @classmethod
    def console(cls, operator: str = "cli") -> Principal:
        """An operator with shell access to the host (and so to the database): an admin, named
        ``operator`` in the audit log."""
        return cls(key_id=_CONSOLE_KEY, prefix=operator, role=Role.admin, operator=operator)

    @property
    def actor(self) -> str:
        """How the audit log and runs name this caller (never personal data)."""
        return self.operator or f"{self.role.value}:{self.prefix}"

    @property
    def is_client(self) -> bool:
        return self.role is Role.client

    @property
    def is_staff(self) -> bool:
        """Recruiters and admins: they see every client's objects and personal data."""
        return self.role in (Role.recruiter, Role.admin)

    def require(self, *roles: Role) -> None:
        """Raise Forbidden unless the caller has one of ``roles`` (admin always passes)."""
        if self.role is not Role.admin and self.role not in roles:
            allowed = " or ".join(r.value for r in Role if r in roles or r is Role.admin)
            raise Forbidden(f"this needs a key with role {allowed}; yours is a {self.role.value} key")

    def can_see_client(self, client_id: uuid.UUID) -> bool:
        """Object-level check: staff see every client's objects, a client only its own."""
        return self.is_staff or client_id == self.client_id


class KeyInfo(BaseModel):
    """A key as listed: never its secret or its hash."""

    id: uuid.UUID
    prefix: str
    role: Role
    client: str | None
    label: str
    created_at: UtcDateTime
    revoked_at: UtcDateTime | None
    last_used_at: UtcDateTime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class NewKey:
    """A freshly created key: ``secret`` is the full key, shown once and never stored."""

    info: KeyInfo
    secret: str


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _new_raw_key() -> tuple[str, str]:
    prefix = KEY_TAG + "".join(secrets.choice(_ALPHABET) for _ in range(PREFIX_CHARS))
    return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"


def _info(key: ApiKey, client_slug: str | None) -> KeyInfo:
    return KeyInfo(
        id=key.id,
        prefix=key.prefix,
        role=Role(key.role),
        client=client_slug,
        label=key.label,
        created_at=key.created_at,
        revoked_at=key.revoked_at,
        last_used_at=key.last_used_at,
    )


def create_key(
    session: Session, principal: Principal, role: Role, *, client: str | None = None, label: str = ""
) -> NewKey:
    """Create a key of ``role`` (admins only); a client key belongs to the ``client`` account
    (created if new)."""
    principal.require(Role.admin)
    actor = principal.actor
    if role is Role.client and not client:
        raise ValidationFailed("a client key needs a client account (--client SLUG)")
    if role is not Role.client and client:
        raise ValidationFailed(f"a {role.value} key is not tied to a client; drop the client")
    client_row = get_or_create_client(session, client) if client else None
    prefix, raw = _new_raw_key()
    while session.exec(select(ApiKey.id).where(ApiKey.prefix == prefix)).first() is not None:
        prefix, raw = _new_raw_key()
    key = ApiKey(
        prefix=prefix,
        key_hash=hash_key(raw),
        role=role,
        client_id=client_row.id if client_row else None,
        label=label,
    )
    session.add(key)
    session.flush()
    record(session, actor, "api_key.create", "api_key", str(key.id), {"prefix": prefix, "role": role.value})
    return NewKey(info=_info(key, client_row.slug if client_row else None), secret=raw)


def list_keys(session: Session, principal: Principal, *, include_revoked: bool = True) -> list[KeyInfo]:
    """Every key (admins only), never a secret."""
    principal.require(Role.admin)
    query = (
        select(ApiKey, Client.slug)
        .join(Client, col(Client.id) == col(ApiKey.client_id), isouter=True)
        .order_by(col(ApiKey.created_at), col(ApiKey.prefix))
    )
    if not include_revoked:
        query = query.where(col(ApiKey.revoked_at).is_(None))
    return [_info(key, slug) for key, slug in session.exec(query).all()]


def _find_key(session: Session, ident: str) -> ApiKey:
    """A key by its id (UUID) or its visible prefix."""
    try:
        key = session.get(ApiKey, uuid.UUID(ident))
    except ValueError:
        key = session.exec(select(ApiKey).where(ApiKey.prefix == ident)).first()
    if key is None:
        raise NotFound(f"no API key {ident!r}")
    return key


def get_key(session: Session, principal: Principal, ident: str) -> KeyInfo:
    """A key by id or prefix (admins only)."""
    principal.require(Role.admin)
    key = _find_key(session, ident)
    client = session.get(Client, key.client_id) if key.client_id else None
    return _info(key, client.slug if client else None)


def revoke_key(session: Session, principal: Principal, ident: str) -> KeyInfo:
    """Revoke a key by id or prefix (admins only); it stops working at once. Revoking twice is a
    conflict."""
    principal.require(Role.admin)
    actor = principal.actor
    key = _find_key(session, ident)
    if key.revoked_at is not None:
        raise Conflict(f"API key {key.prefix} was already revoked")
    key.revoked_at = utcnow()
    session.add(key)
    session.flush()
    record(session, actor, "api_key.revoke", "api_key", str(key.id), {"prefix": key.prefix})
    client = session.get(Client, key.client_id) if key.client_id else None
    return _info(key, client.slug if client else None)


def bearer_key(authorization: str | None) -> str:
    """The key of an ``Authorization: Bearer <key>`` header value."""
    if not authorization:
        raise Unauthenticated("missing API key: send 'Authorization: Bearer <key>'")
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthenticated("malformed Authorization header: expected 'Bearer <key>'")
    return value.strip()


def authenticate(session: Session, raw_key: str) -> Principal:
    """The principal of a raw API key; Unauthenticated for an unknown, malformed or revoked key.

    One error message for every failure, so a caller cannot probe which prefixes exist. Reads
    only: record the use with ``record_key_use`` when ``key_use_due`` says so, once the request's
    transaction is over (writing it inside the request would turn every read into a write that
    holds the key's row lock until the request ends).
    """
    denied = Unauthenticated("invalid or revoked API key")
    prefix = raw_key[:PREFIX_LEN]
    row = (
        session.exec(
            select(ApiKey, Client.slug)
            .join(Client, col(Client.id) == col(ApiKey.client_id), isouter=True)
            .where(ApiKey.prefix == prefix)
        ).first()
        if _PREFIX.fullmatch(prefix)
        else None
    )
    expected = row[0].key_hash if row else _DUMMY_HASH
    matches = hmac.compare_digest(hash_key(raw_key), expected)
    if row is None or not matches:
        raise denied
    key, slug = row
    if key.revoked_at is not None:
        raise denied
    return Principal(
        key_id=key.id, prefix=key.prefix, role=Role(key.role), client_id=key.client_id, client_slug=slug
    )


def principal_for_key_id(session: Session, key_id: uuid.UUID) -> Principal:
    """The principal of a stored key, for a UI session that holds the key's id (never the key).

    The key is looked up on every request, so revoking it ends its sessions at once.
    """
    row = session.exec(
        select(ApiKey, Client.slug)
        .join(Client, col(Client.id) == col(ApiKey.client_id), isouter=True)
        .where(ApiKey.id == key_id)
    ).first()
    if row is None or row[0].revoked_at is not None:
        raise Unauthenticated("your session's API key is no longer valid; sign in again")
    key, slug = row
    return Principal(
        key_id=key.id, prefix=key.prefix, role=Role(key.role), client_id=key.client_id, client_slug=slug
    )


_last_noted: dict[uuid.UUID, float] = {}
_noted_lock = threading.Lock()


def key_use_due(key_id: uuid.UUID) -> bool:
    """Whether a use of the key should be written now: true at most once per
    ``LAST_USED_RESOLUTION`` per key and process (a true answer claims the slot). No I/O."""
    now = time.monotonic()
    with _noted_lock:
        if now - _last_noted.get(key_id, -math.inf) < LAST_USED_RESOLUTION.total_seconds():
            return False
        _last_noted[key_id] = now
    return True


def record_key_use(engine: Engine, key_id: uuid.UUID) -> None:
    """Write the key's ``last_used_at`` in a short transaction of its own; a no-op if any
    process wrote it within the last ``LAST_USED_RESOLUTION``."""
    at = utcnow()
    with Session(engine) as session:
        session.execute(
            update(ApiKey)
            .where(
                col(ApiKey.id) == key_id,
                col(ApiKey.last_used_at).is_(None) | (col(ApiKey.last_used_at) < at - LAST_USED_RESOLUTION),
            )
            .values(last_used_at=at)
        )
        session.commit()
