"""Run a batch on a Dask distributed cluster: the same validations and the same job function as
the local process pool, so results, manifest and index are the same as a local run.

    dask scheduler                                   # on one machine: tcp://HOST:8786
    dask worker tcp://HOST:8786 --nworkers 4 --nthreads 1   # on each machine (dyad installed,
                                                             # `dyad` kernel registered)
    dyad batch --period 2026Q3 --scheduler tcp://HOST:8786 \\
        --data-dir /shared/clients --reports-dir /shared/reports

Requirements: every worker sees the data, reports and cache folders at the same paths (NFS, SMB,
a cluster file system) and runs the same dyad version. The orchestrator (the machine running
`dyad batch`) only plans the jobs, answers unchanged ones from the report cache, and writes the
manifest and the index; validation (one task per practice) and every notebook run on the
workers. dask is an optional extra: `pip install "dyad[cluster]"`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


class SchedulerError(RuntimeError):
    """The Dask scheduler cannot be reached, or dask is not installed."""


def connect(address: str, timeout: str | None = None) -> Any:
    """A `dask.distributed.Client` for the scheduler at `address` (tcp://host:port).

    The connect timeout is `timeout`, else $DYAD_SCHEDULER_TIMEOUT, else 30 s (a busy scheduler
    on a shared network can be slow to answer; a wrong address should still fail in bounded time)."""
    import os

    timeout = timeout or os.environ.get("DYAD_SCHEDULER_TIMEOUT") or "30s"
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - the extra is installed in dev
        raise SchedulerError("dask is not installed: pip install 'dyad[cluster]'") from exc
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise SchedulerError(f"cannot reach the Dask scheduler at {address} ({type(exc).__name__})") from exc
    return client


def _prepare_one(practice_id: str, data: str, cache: str) -> Any:
    """Validate one practice on a worker; an exception is returned (not raised) like prepare_all."""
    from dyad_lib.pipeline.runner import prepare

    try:
        return prepare(practice_id, Path(data), Path(cache))
    except Exception as exc:
        return exc


def prepare_on_cluster(client: Any, practices: list[str], data: Path, cache: Path) -> dict[str, Any]:
    """Validate every practice once, one task each, spread over the workers."""
    futs = [client.submit(_prepare_one, p, str(data), str(cache), pure=False, key=f"dyad-prepare-{p}-{id(client)}")
            for p in practices]
    out: dict[str, Any] = {}
    for p, f in zip(practices, futs):
        try:
            out[p] = f.result()
        except Exception as exc:  # the worker died
            out[p] = exc
    return out


def run_on_cluster(client: Any, job_fn: Callable[..., Any], wave: list[tuple[Any, Any]], args: tuple[str, ...],
                   pdf: bool, notebooks_dir: str | None, use_cache: bool | None) -> Iterator[Any]:
    """Submit `job_fn(job, *args, prepared, pdf, notebooks_dir, use_cache)` for each (job, prepared);
    yield each JobResult as it finishes (a lost worker becomes a failed result)."""
    from dask.distributed import as_completed

    from dyad_lib.pipeline.runner import JobResult, plain_reason

    futs = {client.submit(job_fn, j, *args, prep, pdf, notebooks_dir, use_cache, pure=False,
                          key=f"dyad-{j.key}-{id(client)}-{i}"): j for i, (j, prep) in enumerate(wave)}
    for f in as_completed(futs, loop=client.loop):
        j = futs[f]
        try:
            yield f.result()
        except Exception as exc:
            yield JobResult(j.report, j.practice_id or "portfolio", j.period, j.key.split("/")[1], "failed",
                            error=plain_reason(type(exc).__name__, str(exc)), params=dict(j.params))
