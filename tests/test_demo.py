"""``talentmatch demo``, the README's first command, end to end on the embedded default: it seeds,
re-matches through a real Celery worker, serves the API, and on SIGTERM stops and takes its
worker with it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

STARTUP_SECONDS = 180
DEMO = [sys.executable, "-m", "matcher.cli", "demo", "--candidates", "400", "--requirements", "4"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _processes_in(folder: Path) -> list[int]:
    """Live processes whose working directory is ``folder`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if Path(os.readlink(entry / "cwd")) == folder:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs Linux /proc")
def test_demo_seeds_matches_serves_and_stops_with_its_worker(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENTMATCH_")}
    out = tmp_path / "demo.out"
    with out.open("wb") as sink:
        demo = subprocess.Popen(
            [*DEMO, "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert demo.poll() is None, out.read_text()
            assert time.monotonic() < deadline, out.read_text()
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        text = out.read_text()
        assert re.search(r"succeeded: (\d+)/\1 requirements \(0 failed\)", text), text
        recruiter = re.search(r"recruiter (tm_\S+)", text)
        assert recruiter, text
        headers = {"Authorization": f"Bearer {recruiter.group(1)}"}
        open_reqs = httpx.get(f"{base}/api/v1/requirements", headers=headers, params={"status": "open"})
        assert open_reqs.status_code == 200
        first = open_reqs.json()["items"][0]["id"]
        shortlist = httpx.get(f"{base}/api/v1/requirements/{first}/shortlist", headers=headers).json()
        assert shortlist["items"], "the demo's re-match filled the shortlists"
        assert (tmp_path / "var" / "talentmatch.db").exists()
        assert len(_processes_in(tmp_path)) > 1, "the demo runs a worker beside the server"
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=60)
    deadline = time.monotonic() + 30
    while _processes_in(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.5)
    left = _processes_in(tmp_path)
    for pid in left:  # a failed run must not leak workers into the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert left == [], "the demo left its worker running"
