"""In headless Chromium: the recruiter's "best open requirements" panel with its one-click
"add to this shortlist", and the client's requirement form filled from a job description
(nothing saved until the client posts it). Screenshots of both go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func
from sqlmodel import select

from matcher.core.pipeline import Stage
from matcher.models import Candidate, EventKind, PipelineEvent, Requirement, ShortlistEntry
from matcher.services.shortlists import placements
from tests.helpers import session_on
from tests.ui.test_ui_browser import page, shot, sign_in, site, world  # noqa: F401
from tests.ui.ui_harness import UiWorld

pytestmark = [pytest.mark.browser, pytest.mark.slow]

JOB_DESCRIPTION = """# Senior Backend Developer, logistics APIs

**What you'll do**
- Implement REST APIs for our mobile and front-end teams
- Integrate carrier and warehouse systems; clean, maintainable code

**Requirements**
- 5+ years of Python
- At least three years with PostgreSQL
- Docker

**Nice to have**
- Apache Kafka

Rate: $60-75/h · CET ± 3 h · start: 1 March 2030 · 40 h/week
Bachelor's degree in Computer Science or a related field.
"""


def _candidate_with_an_open_place(w: UiWorld) -> tuple[uuid.UUID, uuid.UUID]:
    """The candidate eligible for the most open requirements, and one of them whose shortlist
    does not hold them (when every such shortlist does, the entry is removed first: the state a
    candidate outside a full top N is in)."""
    cache = placements.BookCache()
    with session_on(w.engine) as s:
        best = None
        for cid in s.exec(select(Candidate.id).order_by(Candidate.external_id)).all():
            found = placements.candidate_matches(s, cid, top=10, cache=cache)
            if best is None or len(found.items) > len(best.items):
                best = found
        assert best is not None and len(best.items) >= 2, "no candidate fits two open requirements"
        free = next((m for m in best.items if m.shortlist is None), None)
        if free is None:
            free = best.items[-1]
            entry = s.exec(
                select(ShortlistEntry).where(
                    ShortlistEntry.requirement_id == free.requirement_id,
                    ShortlistEntry.candidate_id == best.candidate_id,
                )
            ).one()
            s.delete(entry)
            s.commit()
        return best.candidate_id, free.requirement_id


def test_recruiter_adds_a_candidate_from_the_best_requirements(
    page: Page,  # noqa: F811
    site: str,  # noqa: F811
    world: UiWorld,  # noqa: F811
) -> None:
    world.wait_for_runs()
    cid, rid = _candidate_with_an_open_place(world)
    sign_in(page, site, world.keys["recruiter"])
    page.goto(f"{site}/candidates/{cid}")
    panel = page.locator("#best")
    expect(panel.get_by_role("heading", name="Best open requirements")).to_be_visible()
    rows = panel.locator("tbody tr")
    assert rows.count() >= 2
    scores = [float(t) for t in panel.locator("tbody td.num:nth-child(4)").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)
    panel.scroll_into_view_if_needed()
    shot(page, "candidate_best_requirements.png", full_page=True)

    row = rows.filter(has=page.locator(f'a[href="/requirements/{rid}"]'))
    row.get_by_role("button", name="Add to this shortlist").click()
    expect(page).to_have_url(re.compile(rf"/candidates/{cid}\?added={rid}#best$"))
    expect(page.locator("#best .alert-ok")).to_have_text("Added to the shortlist.")
    expect(
        page.locator("#best tbody tr").filter(has=page.locator(f'a[href="/requirements/{rid}"]'))
    ).to_contain_text("Shortlisted")
    with session_on(world.engine) as s:
        entry = s.exec(
            select(ShortlistEntry).where(
                ShortlistEntry.requirement_id == rid, ShortlistEntry.candidate_id == cid
            )
        ).one()
        moves = s.exec(
            select(PipelineEvent.from_stage, PipelineEvent.to_stage).where(
                PipelineEvent.requirement_id == rid,
                PipelineEvent.candidate_id == cid,
                PipelineEvent.kind == EventKind.stage,
            )
        ).all()
    assert entry.stage == Stage.shortlisted
    assert [tuple(m) for m in moves] == [("new", "shortlisted")]
    shot(page, "candidate_best_requirements_added.png")


def test_client_fills_the_form_from_a_job_description(
    page: Page,  # noqa: F811
    site: str,  # noqa: F811
    world: UiWorld,  # noqa: F811
) -> None:
    with session_on(world.engine) as s:
        before = s.exec(select(func.count()).select_from(Requirement)).one()
    sign_in(page, site, world.keys["client"])
    page.goto(f"{site}/requirements/new")
    page.get_by_label("Paste the job description").fill(JOB_DESCRIPTION)
    page.get_by_role("button", name="Fill the form from it").click()

    expect(page.get_by_label("Title")).to_have_value("Senior Backend Developer, logistics APIs")
    expect(page.get_by_label("Track")).to_have_value("developer")
    expect(page.get_by_label("Seniority")).to_have_value("senior")
    expect(page.locator("#f-must_have-0-name")).to_have_value("Python")
    expect(page.locator("#f-must_have-0-min_years")).to_have_value("5")
    expect(page.locator("#f-must_have-1-name")).to_have_value("PostgreSQL")
    expect(page.locator("#f-must_have-1-min_years")).to_have_value("3")
    expect(page.locator("#f-nice_to_have-0-name")).to_have_value("Apache Kafka")
    expect(page.get_by_label("Maximum hourly rate")).to_have_value("75")
    expect(page.get_by_label("Your time zone")).to_have_value("Europe/Berlin")
    expect(page.get_by_label("Minimum overlap (hours a day)")).to_have_value("5")
    expect(page.get_by_label("Start by")).to_have_value("2030-03-01")
    expect(page.get_by_label("Accepted fields of study")).to_have_value("computer science")
    expect(page.locator(".draft-sources")).to_contain_text("5+ years")
    expect(page.get_by_label("Paste the job description")).to_have_value(JOB_DESCRIPTION)
    shot(page, "requirement_form_from_description.png", full_page=True)
    with session_on(world.engine) as s:
        assert s.exec(select(func.count()).select_from(Requirement)).one() == before  # nothing saved

    page.get_by_role("button", name="Post requirement").click()
    expect(page).to_have_url(re.compile(r"/requirements/[0-9a-f-]{36}"))
    with session_on(world.engine) as s:
        assert s.exec(select(func.count()).select_from(Requirement)).one() == before + 1


def test_an_empty_description_is_an_error_next_to_the_field(
    page: Page,  # noqa: F811
    site: str,  # noqa: F811
    world: UiWorld,  # noqa: F811
) -> None:
    sign_in(page, site, world.keys["client"])
    page.goto(f"{site}/requirements/new")
    page.get_by_role("button", name="Fill the form from it").click()
    expect(page.locator("#e-job_description")).to_have_text("paste a job description")
