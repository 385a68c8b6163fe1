"""The audit log: who changed what."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from matcher.models import AuditEntry


def record(
    session: Session,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Add an audit entry to the caller's transaction."""
    session.add(
        AuditEntry(
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            details=details or {},
        )
    )
