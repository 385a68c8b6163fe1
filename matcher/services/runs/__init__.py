"""Match runs: re-match many requirements on workers, survive crashes, report progress.

A run is a ``MatchRun`` row plus one ``MatchRunRequirement`` row per requirement, written in the
caller's transaction; its chunks are handed to ``dispatch`` only after that transaction commits
(``matcher.dispatch``), so a worker never looks for a run that is not there. Progress is the
count of finished requirement rows; whichever worker finishes the last one (or anyone reading
the progress) marks the run finished. There is no chord and no result backend in the loop.

Delivery is at least once, so every step is idempotent and arbitrated by the database:

* A worker *claims* a requirement row before matching it (queued -> running, ``attempts`` + 1,
  ``claimed_by`` host:pid, ``claimed_at``). A duplicate delivery finds it running under a live
  claim, or already finished, and skips it.
* The shortlist and the row's success are written in one transaction, fenced on the claim: a
  worker that lost its claim (it was presumed dead and the row re-dispatched) writes nothing.
* Claims carry a heartbeat (``ClaimHeartbeat``): while a worker holds a claim it refreshes
  ``claimed_at`` every ``claim_timeout / 4``. A claim is abandoned when its ``claimed_at`` is
  older than ``claim_timeout`` (its worker stopped beating: dead), or at once when
  the claimer was a process on this host that no longer exists (a killed pool child whose task
  came back through ``reject_on_worker_lost``). A row claimed more than ``task_max_retries + 1``
  times is marked failed instead of being tried again: a requirement that keeps killing its
  worker ends, it does not loop.
* Messages can be lost (the embedded SQLite broker forgets the ones a killed worker had taken)
  or come back late (Redis restores unacked ones after ``visibility_timeout``): every worker
  sweeps for stalled runs (``recover_stalled_runs``) and re-dispatches the requirements that
  are claimed by a silent worker, or still queued while the run has been quiet for
  ``claim_timeout``. Late duplicates are skipped by the claims.

Modules: ``dispatch`` (after-commit hand-off), ``lifecycle`` (start, cancel), ``progress``,
``claims``, ``execution`` (a chunk on a worker), ``recovery`` (the sweep), ``triggers`` (runs
that writes start), ``views`` (what callers see, per ``Principal``). Each module's docstring
says whether its functions take the caller's session (and never commit) or an engine (and own
their transactions). This package re-exports the names callers use.
"""

from matcher.models.tables import MRR, REQ, RUN
from matcher.services.runs.claims import Claim, claim, heartbeat, worker_id
from matcher.services.runs.dispatch import Dispatch, chunked, rematch_pending
from matcher.services.runs.execution import ChunkReport, inline_dispatch, run_chunk, run_inline
from matcher.services.runs.lifecycle import cancel_run, open_requirement_ids, start_run
from matcher.services.runs.progress import (
    RequirementOutcome,
    RunProgress,
    get_progress,
    list_runs,
    outstanding,
    refresh_run,
    run_outcomes,
)
from matcher.services.runs.recovery import recover_stalled_runs

__all__ = [
    "MRR",
    "REQ",
    "RUN",
    "ChunkReport",
    "Claim",
    "Dispatch",
    "RequirementOutcome",
    "RunProgress",
    "cancel_run",
    "chunked",
    "claim",
    "get_progress",
    "heartbeat",
    "inline_dispatch",
    "list_runs",
    "open_requirement_ids",
    "outstanding",
    "recover_stalled_runs",
    "refresh_run",
    "rematch_pending",
    "run_chunk",
    "run_inline",
    "run_outcomes",
    "start_run",
    "worker_id",
]
