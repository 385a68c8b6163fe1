"""Admin pages: learning from decisions and the impact-ratio audit.

``/admin/decisions`` shows, per track, how many decisions are logged, the audit of the current
profile (CSV at ``/admin/audit.csv``) and, on request, a fit: the proposed weights beside the
current ones with their intervals, the held-out evaluation and its verdict, how each open top 10
would move, and the audit under the proposal; publishing it is a POST. Thin: the same services as
the API (``matcher.services.decisions``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.ui.context import AdminUi, Csrf, Form, UIRoute
from matcher.errors import Conflict, ValidationFailed
from matcher.schemas import Track
from matcher.services.decisions import audit, fitting, log

router = APIRouter(route_class=UIRoute, include_in_schema=False)


@router.get("/admin/decisions")
def decisions_page(
    ui: AdminUi,
    track: Track = Track.engineer,
    fit: bool = False,
    seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> Response:
    context: dict[str, Any] = {
        "tracks": list(Track),
        "track": track,
        "seed": seed,
        "counts": log.count_decisions(ui.db),
        "audit_current": audit.reports_for(ui.db, ui.me, track)[0],
        "report": None,
        "refusal": None,
    }
    if fit:
        try:
            context["report"] = fitting.fit_for(ui.db, ui.me, track, seed)
        except Conflict as exc:
            context["refusal"] = exc.detail
    return ui.render("decisions.html", **context)


@router.post("/admin/decisions/publish", dependencies=[Csrf])
def publish(ui: AdminUi, form: Form) -> Response:
    try:
        track = Track(str(form.get("track") or ""))
        seed = int(str(form.get("seed") or "0"))
    except ValueError:
        raise ValidationFailed("choose a track (engineer or developer) and a whole-number seed") from None
    if not 0 <= seed < 2**31:
        raise ValidationFailed("the seed is a whole number from 0 to 2147483647")
    force = form.get("force") == "1"
    published = fitting.publish_for(ui.db, ui.me, track, seed=seed, force=force)
    return ui.redirect(f"/admin/profiles?published={published.name}-v{published.version}")


@router.get("/admin/audit.csv")
def audit_csv(
    ui: AdminUi, track: Track | None = None, profile: Annotated[str | None, Query(max_length=80)] = None
) -> Response:
    """The aggregate audit as CSV (the only export self-identification ever reaches, as counts)."""
    text = audit.to_csv(audit.reports_for(ui.db, ui.me, track, profile))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="impact-ratios.csv"'},
    )
