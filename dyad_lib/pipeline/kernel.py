"""A kernel manager that talks to its kernel over IPC sockets in a private temp folder.

Kernels started at the same moment by parallel workers race for TCP ports (papermill #511:
`ZMQError: Address already in use`); a fixed IPC path collides too (`Invalid Signature`). Each
kernel here gets its own fresh folder, removed again when the kernel's resources are cleaned up.
Used by the runner as papermill's `kernel_manager_class` (kernels started together over TCP race
for ports; IPC sockets in a private folder per kernel cannot collide).
Every kernel it starts is marked as a report kernel (REPORT_RUN_ENV), so a report reads only
validated data.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import weakref

from jupyter_client.manager import AsyncKernelManager

from dyad_lib.data.paths import REPORT_RUN_ENV

KERNEL_TMP_PREFIX = "dyad-kernel-"


class IPCKernelManager(AsyncKernelManager):
    """AsyncKernelManager on the `ipc` transport with a unique socket folder per kernel."""

    def __init__(self, **kw):
        self._dyad_sock_dir = tempfile.mkdtemp(prefix=KERNEL_TMP_PREFIX)
        kw.setdefault("transport", "ipc")
        kw.setdefault("ip", os.path.join(self._dyad_sock_dir, "ipc"))
        super().__init__(**kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self.remove_socket_dir()

    cleanup_resources = _async_cleanup_resources

    #: Set (to the modules the reports import) to fork the kernel from a warm template process
    #: (dyad_lib.pipeline.kernel_fork) instead of starting a new interpreter.
    fork_modules: tuple[str, ...] | None = None

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        """Launch with REPORT_RUN_ENV set: the notebook then reads only the snapshot the runner
        validated and fails if the files changed since (dyad_lib.data.snapshot.load_snapshot)."""
        kw["env"] = {**(kw.get("env") or os.environ), REPORT_RUN_ENV: "1"}
        from dyad_lib.pipeline import phases

        if phases.enabled():  # time the kernel's phases (dyad_lib.pipeline.phases)
            kernel_cmd = [*kernel_cmd, f"--IPKernelApp.extra_extensions={phases.EXTENSION}"]
        forked = None
        if self.fork_modules is not None:
            from dyad_lib.pipeline import kernel_fork

            forked = kernel_fork.launch(kernel_cmd, kw["env"], kw.get("cwd"), self.fork_modules)
        if forked is None:
            await super()._async_launch_kernel(kernel_cmd, **kw)
        else:  # what LocalProvisioner.launch_kernel records for a process it started
            prov = self.provisioner
            prov.process, prov.pid, prov.pgid, prov.cwd = forked, forked.pid, forked.pid, kw.get("cwd")
            self._reconcile_connection_info(prov.connection_info)
        _STARTED.add(self)

    def kernel_pgid(self) -> int | None:
        """The kernel's process group (it leads its own session, so this is its pid)."""
        prov = getattr(self, "provisioner", None)
        return getattr(prov, "pgid", None) or getattr(prov, "pid", None)

    def remove_socket_dir(self) -> None:
        """Delete the private socket folder (idempotent; the runner calls it again in `finally`)."""
        shutil.rmtree(self._dyad_sock_dir, ignore_errors=True)

    def __del__(self):  # last resort if a kernel died before cleanup ran
        try:
            self.remove_socket_dir()
        except Exception:
            pass


#: Every kernel this process started (weakly: a finished manager is forgotten).
_STARTED: "weakref.WeakSet[IPCKernelManager]" = weakref.WeakSet()


def kill_kernels() -> int:
    """Kill every kernel this process started that may still run, at once and with its children
    (a stopping batch worker, an interrupted batch). Returns how many were signalled."""
    n = 0
    for km in list(_STARTED):
        pgid = km.kernel_pgid()
        if pgid:
            try:
                os.killpg(pgid, signal.SIGKILL)
                n += 1
            except (ProcessLookupError, PermissionError):
                pass
        km.remove_socket_dir()
    return n


#: Temporary files of the notebooks this process is running (removed if it is stopped midway).
_TEMP_FILES: set[str] = set()


def track_temp_file(path: os.PathLike | str, running: bool = True) -> None:
    """Note (or, with running=False, forget) a temporary file of a notebook being run."""
    (_TEMP_FILES.add if running else _TEMP_FILES.discard)(str(path))


def remove_temp_files() -> None:
    """Delete the temporary files of interrupted runs (a stopping worker or batch)."""
    for path in list(_TEMP_FILES):
        try:
            os.unlink(path)
        except OSError:
            pass
        _TEMP_FILES.discard(path)
