"""Who a caller is: the roles of API keys and UI sessions.

Its own module (no database imports) so that the CLI can offer the choices without loading
SQLAlchemy; ``matcher.models`` re-exports it.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    client = "client"
    recruiter = "recruiter"
    admin = "admin"
