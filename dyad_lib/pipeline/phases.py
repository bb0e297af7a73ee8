"""Where a report's time goes, measured on real runs: `DYAD_PHASES=<file>`.

With the variable set, every report the runner produces appends one JSON line to the file: the
time of each phase of that run, wall-clock and CPU seconds.

- prepare: validating the practice, or finding its validated snapshot;
- kernel_start: from launching the kernel to its first line of Python (a new interpreter and
  ipykernel; a fork of the warm template in a batch worker);
- imports: the modules the report imports (the kernel's warm-up, then any import inside a cell);
- snapshot: reading the validated snapshot and the validation summary in the notebook;
- computation: the notebook's own work (the rest of its cells' time);
- charts: turning Altair charts into their page output (spec, validation, our renderer);
- waiting: how long the runner waited for the kernel to be ready (the part of kernel_start and
  imports that is not hidden behind the runner's own work);
- overhead: papermill and the kernel messages around the cells;
- export: the executed notebook to the client page, and writing the outputs.

The line also lists each notebook cell's wall and CPU seconds with its first line of code, so the
slowest cells of a report can be found (benchmarks/run.py prints them).

The runner measures its phases itself; the kernel's are measured by this module loaded as an
IPython extension in the kernel (only when the variable is set), which wraps `__import__`, the
snapshot readers and Altair's `_repr_mimebundle_` and times each cell. It writes its totals to
`<file>.k<pid>` after every cell; the runner folds them into its line and removes that file.
Measuring costs a few microseconds per import and call; without the variable nothing is loaded.
"""

from __future__ import annotations

import builtins
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ENV = "DYAD_PHASES"
EXTENSION = "dyad_lib.pipeline.phases"
#: The phases of one report, in the order the benchmark prints them.
PHASES = ("prepare", "kernel_start", "imports", "snapshot", "computation", "charts", "waiting", "overhead",
          "export")
#: Functions whose time is "snapshot" (module, name).
SNAPSHOT_READERS = (("dyad_lib.data.snapshot", "load_snapshot"), ("dyad_lib.data.snapshot", "read_validation"))


def log_path() -> Path | None:
    value = os.environ.get(ENV, "").strip()
    return Path(value) if value else None


def enabled() -> bool:
    return log_path() is not None


def kernel_file(pid: int) -> Path | None:
    path = log_path()
    return None if path is None else path.with_name(f"{path.name}.k{pid}")


def now() -> tuple[float, float]:
    """(wall, CPU) now: time.time() so kernel and runner clocks compare, and this process's CPU."""
    return time.time(), time.process_time()


# --- the runner's side ------------------------------------------------------------------------


class Timeline:
    """The runner's phases of one report, merged with its kernel's when the run ends."""

    def __init__(self) -> None:
        self.start = now()
        self.marks: dict[str, tuple[float, float]] = {}
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.cells: list = []  # the kernel's (wall, CPU, first line) of each notebook cell

    def mark(self, name: str) -> None:
        """Record the moment `name` happens (kernel_launch, execute_start, execute_end …)."""
        self.marks[name] = now()

    def add(self, phase: str, since: tuple[float, float]) -> None:
        """Add the time from `since` to now to `phase`."""
        w, c = now()
        self.wall[phase] = self.wall.get(phase, 0.0) + w - since[0]
        self.cpu[phase] = self.cpu.get(phase, 0.0) + c - since[1]

    def merge_kernel(self, pid: int | None) -> None:
        """Fold in what the kernel measured (and remove its file)."""
        path = kernel_file(pid) if pid else None
        k: dict[str, Any] = {}
        if path is not None:
            try:
                k = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                k = {}
            path.unlink(missing_ok=True)
        launch = self.marks.get("kernel_launch")
        ex0, ex1 = self.marks.get("execute_start"), self.marks.get("execute_end")
        if k and launch is not None:
            self.wall["kernel_start"] = max(0.0, k["loaded"] - launch[0])
            self.cpu["kernel_start"] = k["boot_cpu"]
        if k:
            self.cells = k.get("cells", [])
        for phase in ("imports", "snapshot", "computation", "charts"):
            if k:
                self.wall[phase] = k["wall"].get(phase, 0.0)
                self.cpu[phase] = k["cpu"].get(phase, 0.0)
        if ex0 is not None and ex1 is not None:
            run = ex1[0] - ex0[0]
            ready = k.get("ready") if k else None
            waiting = max(0.0, ready - ex0[0]) if ready else 0.0
            self.wall["waiting"] = min(waiting, run)
            self.wall["overhead"] = max(0.0, run - self.wall["waiting"] - (k.get("cells_wall", 0.0) if k else 0.0))

    def record(self, **what: Any) -> dict[str, Any]:
        """Append this run's line to the log file; returns it."""
        total = now()
        line = {**what, "started": self.start[0], "pid": os.getpid(), "total": total[0] - self.start[0],
                "runner_cpu": total[1] - self.start[1],
                "cells": self.cells,
                "wall": {p: round(self.wall[p], 4) for p in PHASES if p in self.wall},
                "cpu": {p: round(self.cpu[p], 4) for p in PHASES if p in self.cpu}}
        path = log_path()
        if path is not None:
            with open(path, "a", encoding="utf-8") as fh:  # one short line per report: appends stay whole
                fh.write(json.dumps(line) + "\n")
        return line


def read_log(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Every line of a phases file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return []
    return [json.loads(x) for x in text.splitlines() if x.strip()]


# --- the kernel's side (an IPython extension) -------------------------------------------------


class _KernelTimer:
    """Per cell: the time spent in each phase, exclusively (an import inside the snapshot reader
    counts as import time, not twice), and the rest of the cell as computation."""

    def __init__(self, out: Path):
        self.out = out
        self.loaded = time.time()
        self.boot_cpu = time.process_time()
        self.ready: float | None = None
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.cells_wall = 0.0
        self.cells: list[tuple[float, float, str]] = []  # (wall, CPU, first line) of each notebook cell
        self._cell: dict[str, list[float]] = {}
        self._stack: list[str] = []
        self._last = (0.0, 0.0)
        self._t: tuple[float, float, bool, str] | None = None
        self._patched: set[str] = set()
        self._n_modules = 0

    def _switch(self, push: str | None) -> None:
        """Charge the time since the last switch to the phase on top of the stack, then push
        `push` (or pop when None)."""
        w, c = time.perf_counter(), time.process_time()
        if self._stack:
            acc = self._cell.setdefault(self._stack[-1], [0.0, 0.0])
            acc[0] += w - self._last[0]
            acc[1] += c - self._last[1]
        if push is None:
            self._stack.pop()
        else:
            self._stack.append(push)
        self._last = (w, c)

    def timed(self, phase: str, fn: Any) -> Any:
        """`fn`, its time charged to `phase`."""
        timer = self

        def wrapper(*args: Any, **kw: Any) -> Any:
            timer._switch(phase)
            try:
                return fn(*args, **kw)
            finally:
                timer._switch(None)
                if not timer._stack and phase == "imports":
                    timer.patch()

        wrapper.__wrapped__ = fn
        return wrapper

    def patch(self) -> None:
        """Wrap the snapshot readers and Altair's output once their modules are imported."""
        if len(sys.modules) == self._n_modules:
            return
        self._n_modules = len(sys.modules)
        for mod, name in SNAPSHOT_READERS:
            key = f"{mod}.{name}"
            m = sys.modules.get(mod)
            if key in self._patched or m is None or not hasattr(m, name):
                continue
            orig = getattr(m, name)
            wrapped = self.timed("snapshot", orig)
            for other in list(sys.modules.values()):  # names bound by `from … import` elsewhere too
                if getattr(other, "__name__", "").startswith("dyad_lib") and getattr(other, name, None) is orig:
                    setattr(other, name, wrapped)
            self._patched.add(key)
        api = sys.modules.get("altair.vegalite.v6.api")
        if "altair" not in self._patched and api is not None and hasattr(api, "TopLevelMixin"):
            api.TopLevelMixin._repr_mimebundle_ = self.timed("charts", api.TopLevelMixin._repr_mimebundle_)
            self._patched.add("altair")

    def pre(self, info: Any) -> None:
        self._cell = {}
        self._t = (time.perf_counter(), time.process_time(), bool(getattr(info, "store_history", True)),
                   cell_label(getattr(info, "raw_cell", "") or ""))

    def post(self, result: Any) -> None:
        if self._t is None:
            return
        w0, c0, notebook_cell, label = self._t
        self._t = None
        w, c = time.perf_counter() - w0, time.process_time() - c0
        if not notebook_cell:  # the kernel's warm-up lines: imports, before the notebook starts
            self._add("imports", w, c)
            self.ready = time.time()
        else:
            self.cells_wall += w
            self.cells.append((round(w, 4), round(c, 4), label))
            rest_w, rest_c = w, c
            for phase, (pw, pc) in self._cell.items():
                self._add(phase, pw, pc)
                rest_w, rest_c = rest_w - pw, rest_c - pc
            self._add("computation", max(rest_w, 0.0), max(rest_c, 0.0))
            if self.ready is None:
                self.ready = time.time() - w
        self.write()

    def _add(self, phase: str, w: float, c: float) -> None:
        self.wall[phase] = self.wall.get(phase, 0.0) + w
        self.cpu[phase] = self.cpu.get(phase, 0.0) + c

    def write(self) -> None:
        data = {"loaded": self.loaded, "boot_cpu": self.boot_cpu, "ready": self.ready, "wall": self.wall,
                "cpu": self.cpu, "cells_wall": self.cells_wall, "cells": self.cells}
        tmp = self.out.with_name(self.out.name + ".tmp")
        try:
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, self.out)
        except OSError:
            pass


def cell_label(source: str) -> str:
    """A cell's first line of code (comments and blank lines skipped), short: enough to find the
    cell in its notebook when the benchmark lists the slowest ones."""
    for line in source.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line[:60]
    return ""


def load_ipython_extension(ip: Any) -> None:
    """Loaded by the kernel (before its warm-up) when DYAD_PHASES is set."""
    out = kernel_file(os.getpid())
    if out is None:
        return
    timer = _KernelTimer(out)
    builtins.__import__ = timer.timed("imports", builtins.__import__)
    timer.patch()
    ip.events.register("pre_run_cell", timer.pre)
    ip.events.register("post_run_cell", timer.post)
