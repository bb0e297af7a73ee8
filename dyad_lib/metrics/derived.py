"""What every report reads, computed once per validated snapshot, in the orchestrator.

Each report of a practice used to aggregate the same tables again in its own kernel: the monthly
metric components (`dyad_lib.metrics.components`) and the partnership history
(`dyad_lib.metrics.partnership`). The orchestrator now computes them once, right after validation
(or when it finds a snapshot without them), and keeps them in the snapshot folder beside the
tables; a report kernel reads them and only slices them by period. They are keyed like the
snapshot (the input fingerprint) and carry the version of the code that computed them, so a
change of the files or of that code is never served stale data: a reader that finds nothing
usable computes them itself, with the same functions.
"""

from __future__ import annotations

import os
from typing import Any

from dyad_lib.metrics.components import build_components, store_components, stored_components
from dyad_lib.metrics.partnership import build_history, store_history, stored_history


def ensure(prepared: Any, data_dir: str | os.PathLike | None = None) -> bool:
    """Compute and keep the components and the partnership history of a validated practice
    unless its snapshot has them already. Returns True when something was written. A snapshot
    folder that cannot be written costs only the reports' own computation."""
    folder = getattr(prepared, "snapshot_dir", None)
    if not getattr(prepared, "ok", False) or folder is None:
        return False
    have_components = stored_components(folder) is not None
    have_history = stored_history(folder) is not None
    if have_components and have_history:
        return False
    from dyad_lib.data.snapshot import read_snapshot_folder

    try:
        practice = read_snapshot_folder(prepared.practice_id, folder, data_dir)
        if not have_components:
            store_components(build_components(practice), folder)
        if not have_history:
            store_history(build_history(practice), folder)
    except OSError:
        return False
    return True
