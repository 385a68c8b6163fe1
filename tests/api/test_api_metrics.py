"""Operations: ``/metrics`` for admin keys (request latency by route template, ranking, queue
depth), the request id on responses and in JSON log lines, and metrics summed over processes
through ``PROMETHEUS_MULTIPROC_DIR``."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from matcher.observability import logs
from matcher.observability.metrics import exposition
from tests.api.conftest import World


def _samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out.setdefault(s.name, []).append((s.labels, s.value))
    return out


def test_metrics_are_for_admin_keys_and_label_requests_by_route_template(world: World) -> None:
    rid = world.requirements["acme"]
    assert world.http.get(f"/api/v1/requirements/{rid}", headers=world.auth("acme")).status_code == 200
    assert world.http.get("/metrics").status_code == 401
    assert world.http.get("/metrics", headers=world.auth("recruiter")).status_code == 403
    assert world.http.get("/metrics", headers=world.auth("acme")).status_code == 403
    assert "/metrics" not in world.app.openapi()["paths"]  # operations' interface, not the product's
    r = world.http.get("/metrics", headers=world.auth("admin"))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    samples = _samples(r.text)
    counts = {
        (labels["method"], labels["route"], labels["status"])
        for labels, value in samples["talentmatch_http_request_duration_seconds_count"]
        if value > 0
    }
    assert ("GET", "/api/v1/requirements/{requirement_id}", "200") in counts
    assert not any(rid in route for _, route, _ in counts)  # templates, never raw paths
    # creating the requirements ranked them (inline re-match): rankings and the pool are counted
    assert sum(v for _, v in samples["talentmatch_ranking_duration_seconds_count"]) >= 2
    assert samples["talentmatch_pool_candidates"][0][1] > 0
    assert samples["talentmatch_queue_depth"] == [({}, 0.0)]
    assert samples["talentmatch_run_last_duration_seconds"][0][1] >= 0


def test_the_request_id_is_echoed_and_generated_when_absent_or_insane(world: World) -> None:
    given = world.http.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = world.http.get("/healthz", headers={"X-Request-ID": "no spaces; allowed\\"})
    assert len(made.headers["x-request-id"]) == 32
    assert made.headers["x-request-id"] != world.http.get("/healthz").headers["x-request-id"]


def test_json_log_lines_carry_the_request_and_run_ids(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    handler = logging.FileHandler(path)
    handler.addFilter(logs.ContextFilter())
    handler.setFormatter(logs.json_formatter())
    logger = logging.getLogger("talentmatch.test.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with logs.bound(logs.request_id, "req-1"), logs.bound(logs.run_id, "run-9"):
            logger.warning("inside %s", "both")
        logger.warning("outside")
    finally:
        logger.removeHandler(handler)
        handler.close()
    inside, outside = (json.loads(line) for line in path.read_text().splitlines())
    assert inside["message"] == "inside both"
    assert (inside["request_id"], inside["run_id"], inside["level"]) == ("req-1", "run-9", "WARNING")
    assert (outside["request_id"], outside["run_id"]) == (None, None)


_RECORD = """
from matcher.observability import metrics
metrics.observe_ranking(0.004, eligible=7, pool={pool})
"""


def test_metrics_of_several_processes_are_merged_through_the_multiprocess_folder(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for pool in (100, 250):
        subprocess.run([sys.executable, "-c", _RECORD.format(pool=pool)], env=env, check=True)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from matcher.observability.metrics import exposition; "
            "sys.stdout.write(exposition().decode())",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    samples = _samples(out)
    assert samples["talentmatch_ranking_duration_seconds_count"] == [({}, 2.0)]
    assert samples["talentmatch_pool_candidates"] == [({}, 250.0)]  # max over the processes
    assert "talentmatch_queue_depth" not in exposition().decode()  # no engine: no database figures
