"""Kernels started ahead of time and warmed with the reports' imports; each runs ONE notebook.

Starting a kernel and importing pandas, Altair and dyad_lib inside it costs 2–3 s per report,
during which the orchestrating process mostly waits. The pool starts the kernel for the next
report early — for `dyad run`, while the practice is being prepared and papermill imported; in a
batch worker, while the current report executes and renders — and the kernel imports the modules
the notebooks import (found by reading their import lines) before it is handed over.

A kernel is used for exactly one notebook and then shut down, so no state can leak from one
report into the next (reusing one kernel for several notebooks leaks their globals). Warming only puts
modules in `sys.modules`; it binds no names in the notebook's namespace, so a report's content is
the same with or without the pool (tested). `DYAD_KERNEL_POOL=0` turns it off.

The kernels talk over IPC sockets in private folders (`dyad_lib.pipeline.kernel.IPCKernelManager`), so
parallel workers never race for TCP ports.
"""

from __future__ import annotations

import atexit
import functools
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

ENV = "DYAD_KERNEL_POOL"


def enabled(flag: bool | None = None) -> bool:
    if flag is not None:
        return bool(flag)
    return os.environ.get(ENV, "1").strip().lower() not in ("0", "false", "no", "off")


@functools.lru_cache(maxsize=8)
def warm_modules(notebooks_dir: str) -> tuple[str, ...]:
    """Modules the notebooks in `notebooks_dir` (or the one notebook it names) import, read from
    their code cells with `ast` (`from a import b` adds a and a.b: the warm-up tries a.b as a
    submodule, skips it otherwise)."""
    import ast
    import json

    found: dict[str, None] = {}
    where = Path(notebooks_dir)
    for nb in [where] if where.suffix == ".ipynb" else sorted(where.glob("*.ipynb")):
        try:
            cells = json.loads(nb.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        for c in cells:
            if c.get("cell_type") != "code":
                continue
            src = c.get("source", "")
            src = "".join(src) if isinstance(src, list) else src
            try:
                tree = ast.parse(src)
            except SyntaxError:  # IPython magics: not our notebooks' style, skip the cell
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    found.update((a.name, None) for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found[node.module] = None
                    found.update((f"{node.module}.{a.name}", None) for a in node.names if a.name != "*")
    return tuple(found)


def warm_code(modules: tuple[str, ...]) -> str:
    """Code run by the kernel at start-up: imports only, no names left behind."""
    return ("import importlib as _dyad_i\n"
            f"for _dyad_m in {list(modules)!r}:\n"
            "    try:\n"
            "        _dyad_i.import_module(_dyad_m)\n"
            "    except Exception:\n"
            "        pass\n"
            "del _dyad_i, _dyad_m\n")


class KernelPool:
    """Zero or one ready kernel per (kernel name, working folder) in this process."""

    def __init__(self) -> None:
        self._ready: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self.refill = False

    def _start(self, kernel_name: str, cwd: str, modules: tuple[str, ...]) -> Any:
        from jupyter_core.utils import run_sync

        from dyad_lib.pipeline.kernel import IPCKernelManager

        km = IPCKernelManager(kernel_name=kernel_name)
        if self.refill:  # a process that runs many reports forks its kernels from a warm template
            km.fork_modules = modules
        extra = ["--HistoryManager.hist_file=:memory:"]  # as nbclient does: no shared sqlite history
        if modules:
            extra.append(f"--IPKernelApp.exec_lines={warm_code(modules)}")
        km.dyad_launched = time.time()  # for the phase timings (dyad_lib.pipeline.phases)
        run_sync(km.start_kernel)(cwd=cwd, extra_arguments=extra)
        return km

    def prestart(self, kernel_name: str, cwd: str, notebooks_dir: str | None = None) -> None:
        """Start a kernel for (kernel_name, cwd) now unless one is already waiting."""
        key = (kernel_name, cwd)
        with self._lock:
            if key in self._ready:
                return
            try:
                self._ready[key] = self._start(kernel_name, cwd, warm_modules(notebooks_dir or cwd))
            except Exception:  # no kernel spec, no resources: papermill starts its own as usual
                pass

    def take(self, kernel_name: str, cwd: str, notebooks_dir: str | None = None) -> Any | None:
        """A started kernel for exactly one notebook (the caller shuts it down with `release`).
        Starts the next one at once when `refill` is set (batch workers)."""
        key = (kernel_name, cwd)
        with self._lock:
            km = self._ready.pop(key, None)
        if km is None:
            self.prestart(kernel_name, cwd, notebooks_dir)
            with self._lock:
                km = self._ready.pop(key, None)
        if km is not None and self.refill:
            self.prestart(kernel_name, cwd, notebooks_dir)
        return km

    @staticmethod
    def release(km: Any) -> None:
        """Shut a used kernel down and remove its socket folder (never reused)."""
        if km is None:
            return
        from jupyter_core.utils import run_sync

        try:  # nothing in a finished (or never used) kernel is worth a graceful shutdown's wait
            prov = getattr(km, "provisioner", None)
            proc = getattr(prov, "process", None)
            if proc is not None and proc.poll() is None:
                # killed and reaped at once, so the shutdown below finds it gone instead of
                # polling every 0.1 s until it is
                run_sync(prov.kill)()
                proc.wait(5)
        except Exception:
            pass
        try:
            if run_sync(km.is_alive)():
                run_sync(km.shutdown_kernel)(now=True)
            elif km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)
        except Exception:
            pass
        try:
            run_sync(km.cleanup_resources)()
        except Exception:
            pass
        remove = getattr(km, "remove_socket_dir", None)
        if remove:
            remove()

    def shutdown(self) -> None:
        """Stop every waiting kernel (at the end of a batch, and at process exit)."""
        with self._lock:
            kms, self._ready = list(self._ready.values()), {}
        for km in kms:
            self.release(km)
        from dyad_lib.pipeline import kernel_fork

        kernel_fork.close_all()


POOL = KernelPool()
atexit.register(POOL.shutdown)


def worker_init() -> None:
    """ProcessPoolExecutor initializer for batch workers: keep one warm kernel ready, and never
    outlive the batch (dyad_lib.pipeline.batch also warms the worker up at once).

    - Ctrl-C reaches every process of the terminal's group; a worker ignores it and lets the
      batch decide (which stops the workers), so no worker prints a traceback.
    - SIGTERM (the batch stopping its workers) kills this worker's kernels and exits at once.
    - If the batch process dies (SIGKILL, a crash), the worker is told by the kernel
      (PR_SET_PDEATHSIG) and, as a fallback, notices its parent changed within half a second;
      either way it kills its kernels and exits, so nothing is left running.
    """
    POOL.refill = True
    try:  # multiprocessing workers leave through os._exit: register with its finalizers too
        from multiprocessing.util import Finalize

        Finalize(POOL, POOL.shutdown, exitpriority=20)
    except Exception:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_now)
    parent = os.getppid()
    _die_with_parent()
    threading.Thread(target=_watch_parent, args=(parent,), name="dyad-watch-parent", daemon=True).start()


def _stop_now(*_: Any) -> None:
    """Kill this process's kernels and exit without cleanup that could wait on anything."""
    from dyad_lib.pipeline.kernel import kill_kernels, remove_temp_files

    try:
        kill_kernels()
        remove_temp_files()
    finally:
        os._exit(143)


def _die_with_parent() -> None:
    """Ask Linux to send SIGTERM to this process when its parent dies (no-op elsewhere)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    except Exception:
        pass


def _watch_parent(parent: int, every: float = 0.5) -> None:
    while True:
        time.sleep(every)
        if os.getppid() != parent:
            _stop_now()
