"""A shortlist page as the API sends it: the entries' stored JSON (``fragments``) joined into
the page, and an entity tag for conditional reads.

The page is selected with the same filters, order (``keyset``) and owner check as
``service.get_shortlist``, by one statement built once per shape (``rows.page_statement``, the
client's count of candidates under review included), and reads one stored fragment per entry
(a client's, ``client_json``; staff, ``staff_json``) instead of thirty columns, and nothing is
validated or serialised per entry.
An entry whose fragment is missing or of another version is built from its rows by the same
code that writes fragments (``items.entry_json``); the bytes are those ``get_shortlist``'s page
serialises to, either way.

The entity tag is a hash of the caller's view (staff, or which client) and the body: it changes
whenever a byte of the page does, and a client's tag never matches a staff page or another
client's.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import select as sa_select
from sqlmodel import Session

from matcher.core.pipeline import Stage
from matcher.errors import NotFound, ValidationFailed
from matcher.models.tables import ENTRY
from matcher.services.accounts.service import Principal
from matcher.services.cursors import check_limit
from matcher.services.requirements.service import owned_requirement
from matcher.services.shortlists import keyset
from matcher.services.shortlists.fragments import version
from matcher.services.shortlists.items import entry_json
from matcher.services.shortlists.rows import next_cursor, page_statement, shortlist_query, under_review_count
from matcher.services.shortlists.views import ClientShortlistPage, StaffShortlistPage, StateFilter

_CLIENT_PAGE = TypeAdapter(ClientShortlistPage)
_STAFF_PAGE = TypeAdapter(StaffShortlistPage)
_NO_ITEMS = b'"items":[]'


@dataclass(frozen=True)
class PageBody:
    """A page's JSON and its entity tag (a quoted strong tag)."""

    body: bytes
    etag: str

    def matches(self, if_none_match: str | None) -> bool:
        """Whether an ``If-None-Match`` header names this page (weak comparison, as RFC 9110
        asks of it; ``*`` names any). Anything else, malformed included, does not."""
        if not if_none_match:
            return False
        tags = (t.strip() for t in if_none_match.split(","))
        return any(t == "*" or t.removeprefix("W/") == self.etag for t in tags)


def under_review(session: Session, requirement_id: uuid.UUID) -> int:
    """Candidates the recruiter is still reviewing for the requirement (a client sees the count)."""
    return session.scalar(sa_select(under_review_count(requirement_id))) or 0


def page_body(
    session: Session,
    principal: Principal,
    requirement_id: uuid.UUID,
    state: StateFilter,
    stage: Stage | None,
    cursor: str | None,
    limit: int,
) -> PageBody:
    """One page in the caller's view, as JSON, with its entity tag. As ``get_shortlist``: one
    query, whose rows carry the requirement's owner, checked before anything is made of them;
    an empty page looks the requirement up, so another client's requirement is a 404."""
    if not session.in_transaction():
        # A page is one statement: read it outside a transaction, without the round trips of
        # BEGIN and COMMIT (the request's session does nothing else).
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    staff = principal.is_staff
    try:
        params: dict[str, Any] = {"requirement_id": requirement_id, "page_limit": check_limit(limit) + 1}
        if cursor:
            params |= keyset.decode(cursor, staff)
    except ValidationFailed:
        owned_requirement(session, principal, requirement_id)  # a 404 comes first, as ever
        raise
    rows = session.execute(page_statement(staff, state, stage, bool(cursor)), params).all()
    if not rows:
        owned_requirement(session, principal, requirement_id)
    elif not principal.can_see_client(rows[0].owner_id):
        raise NotFound(f"no requirement {requirement_id}")
    entries = b",".join(_fragments(session, staff, rows[:limit]))
    following = next_cursor(rows, staff, limit)
    if staff:
        shell = _STAFF_PAGE.dump_json(
            StaffShortlistPage(requirement_id=requirement_id, items=[], next_cursor=following)
        )
    else:
        more = rows[0].more_under_review if rows else under_review(session, requirement_id)
        shell = _CLIENT_PAGE.dump_json(
            ClientShortlistPage(
                requirement_id=requirement_id, items=[], more_under_review=more, next_cursor=following
            )
        )
    body = shell.replace(_NO_ITEMS, b'"items":[' + entries + b"]", 1)
    return PageBody(body, _etag(principal, body))


def _fragments(session: Session, staff: bool, rows: Sequence[Any]) -> list[bytes]:
    """Each row's stored fragment; entries without a current one built from their rows."""
    current = version()
    missing = [r.entry_id for r in rows if r.fragment is None or r.json_version != current]
    built: dict[uuid.UUID, bytes] = {}
    if missing:
        live = session.execute(
            shortlist_query(session, staff)
            .add_columns(ENTRY.c.id.label("entry_id"))
            .where(ENTRY.c.id.in_(missing))
        ).all()
        built = dict(zip([r.entry_id for r in live], entry_json(session, staff, live), strict=True))
    return [built[r.entry_id] if r.entry_id in built else r.fragment.encode() for r in rows]


def _etag(principal: Principal, body: bytes) -> str:
    view = b"staff" if principal.is_staff else b"client:" + str(principal.client_id).encode()
    return '"' + hashlib.sha256(view + b"\n" + body).hexdigest()[:32] + '"'
