"""The staffing loop end to end in headless Chromium: a recruiter presents 3 of 50, the client
sees exactly those 3 (page, API and CSV) and answers two of them, the recruiter sees both
answers on the board and in the timeline; rejected or merely shortlisted people never reach the
client. Also: no page scrolls sideways at 390 px, and the screenshots at 1366x768 and 390x844.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy.engine import Engine
from sqlmodel import select

from matcher.models import CandidatePersonal, ShortlistEntry
from matcher.services.accounts import service as accounts
from matcher.services.requirements import service as requirements
from matcher.services.requirements.service import RequirementBody
from tests.helpers import missing_id, session_on
from tests.ui.ui_harness import (
    SCREENSHOTS,
    UiWorld,
    loose_requirement,
    serve,
    ui_settings,
    ui_world,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DESKTOP: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def world(engine: Engine, db_url: str, tmp_path: Path) -> Iterator[UiWorld]:
    with ui_world(engine, ui_settings(db_url, tmp_path), candidates=220, requirements=4) as w:
        yield w


@pytest.fixture
def requirement(world: UiWorld) -> uuid.UUID:
    """A requirement of the client's that 50 or more candidates pass, matched."""
    with world.app.state.runtime.session_scope() as session:
        client = accounts.authenticate(session, world.keys["client"])
        body = RequirementBody.model_validate(loose_requirement("ui-loop-1"))
        created = requirements.create_requirement(session, client, body)
    world.wait_for_runs()
    return created.id


@pytest.fixture
def site(world: UiWorld) -> Iterator[str]:
    with serve(world.app) as url:
        yield url


def _page(browser: Browser, viewport: ViewportSize = DESKTOP) -> Page:
    page = browser.new_context(viewport=viewport).new_page()
    page.set_default_timeout(20_000)
    return page


def sign_in(page: Page, site: str, key: str) -> None:
    page.goto(site + "/")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/requirements$"))


def shots(browser: Browser, site: str, key: str, path: str, name: str, show: str | None = None) -> None:
    """``name``-1366.png and ``name``-390.png of ``path``, signed in with ``key``, scrolled to
    the element ``show`` selects."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for viewport, suffix in ((DESKTOP, "1366"), (PHONE, "390")):
        page = _page(browser, viewport)
        sign_in(page, site, key)
        page.goto(site + path)
        if show is not None:
            page.locator(show).first.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{suffix}.png"), full_page=False)
        page.context.close()


def _entries(world: UiWorld, rid: uuid.UUID) -> dict[uuid.UUID, ShortlistEntry]:
    with session_on(world.engine) as s:
        return {
            e.candidate_id: e
            for e in s.exec(select(ShortlistEntry).where(ShortlistEntry.requirement_id == rid))
        }


def _personal(world: UiWorld, rid: uuid.UUID) -> list[str]:
    with session_on(world.engine) as s:
        rows = s.exec(
            select(CandidatePersonal.name, CandidatePersonal.email)
            .join(ShortlistEntry, ShortlistEntry.candidate_id == CandidatePersonal.candidate_id)  # type: ignore[arg-type]
            .where(ShortlistEntry.requirement_id == rid)
        ).all()
    return [v for pair in rows for v in pair]


def test_recruiter_presents_three_of_fifty_and_the_client_answers(
    browser: Browser, site: str, world: UiWorld, requirement: uuid.UUID
) -> None:
    rid = requirement
    recruiter = _page(browser)
    sign_in(recruiter, site, world.keys["recruiter"])
    recruiter.goto(f"{site}/requirements/{rid}")
    cards = recruiter.locator("li.card")
    expect(cards).to_have_count(50)
    ids = [c.get_attribute("data-candidate") or "" for c in cards.all()]
    chosen, rejected, shortlisted = ids[:3], ids[3], ids[4]

    for cid, stage in ((rejected, "rejected"), (shortlisted, "shortlisted")):
        card = recruiter.locator(f"#c-{cid}")
        card.get_by_label("Stage").select_option(stage)
        card.get_by_role("button", name="Save").click()
        expect(recruiter.locator(f"#c-{cid} [data-saved]")).to_have_text("Saved")
    for n, cid in enumerate(chosen):
        card = recruiter.locator(f"#c-{cid}")
        if n == 0:
            card.get_by_label("Note for the client (optional)").fill(
                "Led two Django migrations to PostgreSQL."
            )
        card.get_by_role("button", name="Present to client").click()
        expect(recruiter.locator(f"#c-{cid} .pipeline-line .badge")).to_have_text("Presented")

    entries = _entries(world, rid)
    handle = {cid: entries[uuid.UUID(cid)].handle for cid in ids}
    shown = [handle[cid] for cid in chosen]
    hidden = [handle[cid] for cid in ids[3:]]
    assert [entries[uuid.UUID(c)].stage for c in (rejected, shortlisted)] == ["rejected", "shortlisted"]

    # the client: exactly the three, in the page, the API and the CSV
    client = _page(browser)
    sign_in(client, site, world.keys["client"])
    client.goto(f"{site}/requirements/{rid}")
    expect(client.locator("li.card")).to_have_count(3)
    assert sorted(c.get_attribute("data-candidate") or "" for c in client.locator("li.card").all()) == sorted(
        shown
    )
    expect(client.locator("[data-under-review]")).to_contain_text("1 more candidate under review")
    expect(client.locator(f"#c-{shown[0]} .note-for-client")).to_have_text(
        "Led two Django migrations to PostgreSQL."
    )
    api = httpx.get(
        f"{site}/api/v1/requirements/{rid}/shortlist",
        params={"state": "all", "limit": 200},
        headers={"Authorization": f"Bearer {world.keys['client']}"},
    )
    assert sorted(i["handle"] for i in api.json()["items"]) == sorted(shown)
    exported = client.request.get(f"{site}/requirements/{rid}/export.csv")
    assert exported.status == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text())))
    assert sorted(r["handle"] for r in rows) == sorted(shown)
    personal = _personal(world, rid)
    for text in (client.content(), api.text, exported.text()):
        assert [h for h in hidden if h in text] == [], "an unpresented candidate reached the client"
        assert [p for p in personal if p in text] == [], "personal data reached the client"
        for word in ("Rejected", "rejected", "Shortlisted", "shortlisted", "reviewing"):
            assert word not in text, word
        assert not any(cid in text for cid in ids)
    shots(browser, site, world.keys["client"], f"/requirements/{rid}", "client_view", "[data-under-review]")

    # the client answers: interested in the first, declines the second with a reason
    client.locator(f"#c-{shown[0]}").get_by_role("button", name="Interested").click()
    expect(client.locator(f"#c-{shown[0]} [data-stage]")).to_have_text("Client interested")
    second = client.locator(f"#c-{shown[1]}")
    second.get_by_label("Reason").select_option("rate")
    second.get_by_label("Comment (optional)").fill("Above what we can pay this quarter")
    second.get_by_role("button", name="Decline").click()
    expect(client.locator(f"#c-{shown[1]} [data-stage]")).to_have_text("Declined by client")
    expect(client.locator(f"#c-{shown[1]}")).to_contain_text("Rate too high")

    # the recruiter sees both on the board and in the timeline
    recruiter.goto(f"{site}/requirements/{rid}/board")
    expect(recruiter.locator(f"#col-client_interested + ul #b-{chosen[0]}")).to_be_visible()
    declined = recruiter.locator(f"#col-declined_by_client + ul #b-{chosen[1]}")
    expect(declined).to_contain_text("Rate too high")
    expect(recruiter.locator(f"#col-presented + ul #b-{chosen[2]}")).to_be_visible()
    expect(recruiter.locator(f"#col-rejected + ul #b-{rejected}")).to_be_visible()
    shots(browser, site, world.keys["recruiter"], f"/requirements/{rid}/board", "board")

    # moving a card with the keyboard: focus its menu, choose, press Enter on Move
    card = recruiter.locator(f"#b-{chosen[0]}")
    card.get_by_label(re.compile("^Move .* to$")).focus()
    recruiter.keyboard.press("End")  # the menu's last choice (withdrawn)
    card.get_by_role("button", name="Move").focus()
    recruiter.keyboard.press("Enter")
    expect(recruiter.locator(f"#col-withdrawn + ul #b-{chosen[0]}")).to_be_visible()

    recruiter.goto(f"{site}/requirements/{rid}/timeline/{chosen[1]}")
    timeline = recruiter.locator("ol.timeline")
    expect(timeline).to_contain_text("presented to the client")
    expect(timeline).to_contain_text("client answer: Declined by client (Rate too high)")
    expect(timeline).to_contain_text("Above what we can pay this quarter")
    expect(timeline).to_contain_text("entered the shortlist")
    shots(browser, site, world.keys["recruiter"], f"/requirements/{rid}/timeline/{chosen[1]}", "timeline")

    recruiter.goto(f"{site}/attention?requirement_id={rid}")
    expect(recruiter.locator('[data-kind="client_answer"]')).to_have_count(1)  # the other was acted on
    recruiter.context.close()
    client.context.close()


def test_no_page_scrolls_sideways_at_390_px(
    browser: Browser, site: str, world: UiWorld, requirement: uuid.UUID
) -> None:
    rid = requirement
    entries = _entries(world, rid)
    cid = next(c for c, e in entries.items() if e.rank == 1)
    staff_paths = [
        "/requirements",
        "/requirements/new",
        f"/requirements/{rid}",
        f"/requirements/{rid}/board",
        f"/requirements/{rid}/timeline/{cid}",
        f"/requirements/{rid}/changes",
        f"/candidates/{cid}",
        "/attention",
        "/admin/profiles",
        "/no/such/page",
        f"/requirements/{missing_id()}",
    ]
    client_paths = ["/requirements", f"/requirements/{rid}", "/requirements/new"]
    checked = []
    for key, paths in ((world.keys["admin"], staff_paths), (world.keys["client"], client_paths)):
        page = _page(browser, PHONE)
        page.goto(site + "/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        sign_in(page, site, key)
        for path in paths:
            page.goto(site + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            checked.append((path, width))
        page.context.close()
    wide = [(path, width) for path, width in checked if width > 390]
    assert wide == [], f"pages wider than 390 px: {wide}"


def test_compact_list_compare_and_an_empty_shortlist_explained(
    browser: Browser, site: str, world: UiWorld, requirement: uuid.UUID
) -> None:
    rid = requirement
    page = _page(browser)
    sign_in(page, site, world.keys["recruiter"])
    page.goto(f"{site}/requirements/{rid}/list")
    rows = page.locator("table.compact-list tbody tr")
    expect(rows).to_have_count(50)
    expect(rows.first.locator(".chip-required").first).to_be_visible()
    shots(browser, site, world.keys["recruiter"], f"/requirements/{rid}/list", "compact_list")
    for n in (0, 1, 4):
        rows.nth(n).get_by_role("checkbox").check()
    page.get_by_role("button", name="Compare selected").click()
    expect(page.get_by_role("heading", name="Compare 3 candidates")).to_be_visible()
    expect(page.locator("table.compare-table thead th")).to_have_count(4)
    shots(browser, site, world.keys["recruiter"], page.url.removeprefix(site), "compare")

    with world.app.state.runtime.session_scope() as session:
        client = accounts.authenticate(session, world.keys["client"])
        impossible = loose_requirement(
            "ui-nobody",
            max_hourly_rate=5,
            start_by="2020-01-06",
            must_have=[{"name": "COBOL"}],
            must_have_is_hard=True,
        )
        created = requirements.create_requirement(session, client, RequirementBody.model_validate(impossible))
    world.wait_for_runs()
    page.goto(f"{site}/requirements/{created.id}")
    panel = page.locator("[data-diagnosis]")
    expect(panel.get_by_role("heading")).to_have_text("Why nobody is on this shortlist")
    expect(panel).to_contain_text("rate above budget 5 USD/h")
    expect(panel).to_contain_text("missing must-have COBOL")
    expect(panel).to_contain_text("is in the past")
    shots(
        browser,
        site,
        world.keys["client"],
        f"/requirements/{created.id}",
        "empty_diagnosis",
        "[data-diagnosis]",
    )
    page.context.close()
