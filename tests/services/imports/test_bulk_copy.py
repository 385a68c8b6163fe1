"""Bulk writes give the same rows on both backends: PostgreSQL through COPY, SQLite through
``executemany``. Values COPY's text format must escape (tabs, newlines, backslashes, ``\\N``,
quotes, non-ASCII) and JSON columns go through imports, re-imports (the update path) and
shortlist writes and come back exactly as written."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from fixtures.generator import generate_candidates
from matcher.models import EntryState
from matcher.services.imports import exporting, importing
from matcher.services.matching import CAND, REQ
from matcher.services.shortlists.writer import EVENT, RankedEntry, load_entries, write_shortlist
from tests.helpers import example, jsonl

#: Text the import validators accept that COPY's text format must escape or quote.
PRINTABLE = ["back\\slash", "\\N", 'quote "q"', "Zoë Łukasz 李", "a,b{c}", "semi;colon", "x|y"]
#: And control characters, which only free text the matcher writes (reasons) can hold.
AWKWARD = [*PRINTABLE, "tab\there", "line\nbreak"]


def _awkward_candidates() -> list[dict[str, Any]]:
    records = list(generate_candidates(len(AWKWARD), seed=11))
    for record, text in zip(records, PRINTABLE * 2, strict=False):
        record["name"] = f"N {text}"
        record["headline"] = f"H {text}"
        record["skills"][0]["name"] = f"Skill {text}"
        record["languages"] = [text, "English"]
    return records


def _exported(session: Session) -> list[dict[str, Any]]:
    return sorted(exporting.iter_candidate_records(session), key=lambda r: r["external_id"])


def test_imports_and_reimports_keep_every_value_exactly(session: Session) -> None:
    records = _awkward_candidates()
    importing.import_candidates(session, importing.parse_candidates(jsonl(records)))
    session.commit()
    first = _exported(session)
    again_parsed = importing.parse_candidates(jsonl(first))
    assert sorted(again_parsed, key=lambda c: c.external_id) == sorted(
        importing.parse_candidates(jsonl(records)), key=lambda c: c.external_id
    )
    changed = [{**r, "headline": f"{r['headline']} (updated)", "hourly_rate": 99} for r in records]
    result = importing.import_candidates(session, importing.parse_candidates(jsonl(changed)))
    session.commit()
    assert (result.created, result.updated) == (0, len(records))
    again = _exported(session)
    assert [r["headline"] for r in again] == [f"{r['headline']} (updated)" for r in first]
    assert [r["name"] for r in again] == [r["name"] for r in first]
    assert [r["skills"] for r in again] == [r["skills"] for r in first]
    assert [r["languages"] for r in again] == [r["languages"] for r in first]
    by_id = {r["external_id"]: r for r in records}
    for r in again:
        assert r["name"] == by_id[r["external_id"]]["name"]
        assert r["languages"] == by_id[r["external_id"]]["languages"]
        assert r["skills"][0]["name"] == by_id[r["external_id"]]["skills"][0]["name"]
        assert r["hourly_rate"] == 99


def test_shortlist_writes_keep_reasons_components_and_events_exactly(session: Session) -> None:
    importing.import_candidates(session, importing.parse_candidates(jsonl(_awkward_candidates())))
    importing.import_requirements(session, importing.parse_requirements(jsonl([example("requirement")])))
    session.commit()
    rid = session.scalars(select(REQ.c.id)).one()
    ids = list(session.scalars(select(CAND.c.id).order_by(CAND.c.external_id)))

    def entries(offset: float) -> list[RankedEntry]:
        return [
            RankedEntry(
                candidate_id=cid,
                state=EntryState.active,
                rank=i,
                score=0.9 - i / 100 + offset,
                components={"rate": {"value": 0.5, "note": text}, "nested": [1, None, text]},
                reasons=[text, f"why {i}"],
            )
            for i, (cid, text) in enumerate(zip(ids, AWKWARD, strict=True), start=1)
        ]

    write_shortlist(session, rid, entries(0.0), run_id=None, weight_profile_id=None)
    session.commit()
    write_shortlist(session, rid, entries(0.001), run_id=None, weight_profile_id=None)  # the upsert path
    session.commit()
    stored = load_entries(session, rid)
    for update in entries(0.001):
        got = stored[update.candidate_id]
        assert (got.rank, got.score, got.components, got.reasons) == (
            update.rank,
            update.score,
            update.components,
            update.reasons,
        )
    scores = session.execute(
        select(EVENT.c.candidate_id, EVENT.c.score_before, EVENT.c.score_after).where(
            EVENT.c.requirement_id == rid, EVENT.c.kind == "score"
        )
    ).all()
    firsts = {(s.candidate_id, s.score_after) for s in scores if s.score_before is None}
    assert firsts == {(u.candidate_id, u.score) for u in entries(0.0)}
