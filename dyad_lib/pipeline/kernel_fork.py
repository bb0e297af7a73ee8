"""Report kernels forked from a warm template process, for processes that run many reports.

A started kernel costs a new interpreter, ipykernel's imports and the reports' imports (pandas,
Altair, dyad_lib): about a second of CPU per report, the same for every report of a batch. A
batch worker instead starts one *template* process that imports all of that once and then waits;
each kernel is a fork of it (a few milliseconds) that runs exactly one notebook and exits, like a
started kernel. The template never runs a notebook, so a forked kernel starts from the same state
as a fresh one (tested: the reports are identical either way); it only imports the modules the
notebooks import and lets dyad's own modules do their first-use set-up (`WARM_UP`).

The kernel is the template's child, not the worker's: the worker follows it through a pidfd
(Linux 5.3+), signals it by pid, and the kernel leads its own session, so killing its process
group stops it with anything it started. The template exits when its worker does (its request
pipe closes); a kernel exits when the template does (ipykernel's parent poller). Used only where
a process runs several reports (batch workers); `dyad run` starts its one kernel the usual way. `DYAD_KERNEL_FORK=0` turns it off, and anything unusual (a kernel
spec naming another program, no pidfd support, a template that does not answer) falls back to the
usual start.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import threading
from typing import Any

ENV = "DYAD_KERNEL_FORK"
#: The template imports these before the reports' own modules (what ipykernel_launcher imports).
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell")
#: A dyad module the template imported may define this function: its first-use set-up (compiling
#: templates, Altair's schema validator), done once in the template instead of in every kernel.
#: It must leave nothing a report could see (no output, no counters).
WARM_UP = "warm_up"


def enabled() -> bool:
    return (os.environ.get(ENV, "1").strip().lower() not in ("0", "false", "no", "off")
            and hasattr(os, "pidfd_open") and hasattr(os, "fork"))


def split_command(kernel_cmd: list[str]) -> tuple[tuple[str, ...], list[str]] | None:
    """(interpreter options, ipykernel arguments) of `<this interpreter> [options] -m
    ipykernel_launcher <arguments>` (what the dyad kernel spec runs), else None."""
    try:
        at = kernel_cmd.index("-m")
    except ValueError:
        return None
    if kernel_cmd[at + 1:at + 2] != ["ipykernel_launcher"]:
        return None
    flags = tuple(kernel_cmd[1:at])
    if not all(f.startswith("-X") or f in ("-E", "-s", "-I", "-B", "-u") for f in flags):
        return None
    try:
        if os.path.realpath(kernel_cmd[0]) != os.path.realpath(sys.executable):
            return None
    except OSError:
        return None
    return flags, list(kernel_cmd[at + 2:])


class ForkedKernel:
    """The handle jupyter_client's provisioner keeps for a kernel process (the part of
    `subprocess.Popen` it uses), for a kernel that is the template's child."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._fd: int | None = os.pidfd_open(pid)

    def _exited(self, timeout: float | None) -> bool:
        if self._fd is None:
            return True
        ready, _, _ = select.select([self._fd], [], [], timeout)
        if ready:
            os.close(self._fd)
            self._fd = None
            self.returncode = 0  # the template reaps it; its exit status does not matter here
        return bool(ready)

    def poll(self) -> int | None:
        self._exited(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        if not self._exited(timeout) and timeout is not None:
            raise subprocess.TimeoutExpired(["kernel"], timeout)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def __del__(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass


class Template:
    """One template process: imports `modules`, then forks one kernel per request."""

    def __init__(self, flags: tuple[str, ...], modules: tuple[str, ...]):
        req_r, self._req = os.pipe()
        self._rep, rep_w = os.pipe()
        code = f"from dyad_lib.pipeline.kernel_fork import serve; serve({req_r}, {rep_w})"
        # stdin is not the kernel's business (as jupyter_client's launcher does); stdout and stderr
        # are the worker's, as a started kernel's are
        self.proc = subprocess.Popen([sys.executable, *flags, "-c", code, *KERNEL_MODULES, *modules],
                                     stdin=subprocess.DEVNULL, pass_fds=(req_r, rep_w), close_fds=True)
        os.close(req_r)
        os.close(rep_w)
        self._reader = os.fdopen(self._rep, "rb")
        self._lock = threading.Lock()

    def fork(self, argv: list[str], env: dict[str, str], cwd: str, timeout: float = 60.0) -> int:
        """Start one kernel (`argv` as for ipykernel_launcher) and return its pid."""
        line = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode() + b"\n"
        with self._lock:
            os.write(self._req, line)  # a pipe write this small is one write
            ready, _, _ = select.select([self._rep], [], [], timeout)  # the imports come first
            if not ready:
                raise TimeoutError("the kernel template did not answer")
            reply = json.loads(self._reader.readline() or b"{}")
        if not reply.get("pid"):
            raise RuntimeError(reply.get("error") or "the kernel template stopped")
        return int(reply["pid"])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        try:
            os.close(self._req)  # the template's request pipe closes: it exits
        except OSError:
            pass
        try:
            self._reader.close()
        except OSError:
            pass
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass


_TEMPLATES: dict[tuple[tuple[str, ...], tuple[str, ...]], Template] = {}
_LOCK = threading.Lock()


def template(flags: tuple[str, ...], modules: tuple[str, ...]) -> Template:
    """This process's template for these interpreter options and modules (started on first use,
    again if it died)."""
    key = (flags, modules)
    with _LOCK:
        t = _TEMPLATES.get(key)
        if t is None or not t.alive():
            if t is not None:
                t.close()
            t = _TEMPLATES[key] = Template(flags, modules)
        return t


def launch(kernel_cmd: list[str], env: dict[str, str] | None, cwd: str | None,
           modules: tuple[str, ...]) -> ForkedKernel | None:
    """Fork a kernel from this process's template, or None to start it the usual way."""
    split = split_command(kernel_cmd) if enabled() else None
    if split is None:
        return None
    flags, argv = split
    try:
        pid = template(flags, tuple(modules)).fork(argv, dict(env or os.environ), cwd or os.getcwd())
        return ForkedKernel(pid)
    except Exception:
        return None


def close_all() -> None:
    """Stop every template of this process (their kernels notice and exit)."""
    with _LOCK:
        ts = list(_TEMPLATES.values())
        _TEMPLATES.clear()
    for t in ts:
        t.close()


atexit.register(close_all)


# --- the template process ---------------------------------------------------------------------


def serve(req_fd: int, rep_fd: int) -> None:
    """The template: import the modules named on the command line, then fork a kernel for each
    request line until the worker closes the pipe (or dies)."""
    import importlib

    # no parent-death signal: Linux sends it when the *thread* that started this process ends; the
    # request pipe closing (the worker exited) ends the loop below instead
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's to handle (as its workers)
    for name in sys.argv[1:]:
        try:
            importlib.import_module(name)
        except Exception:  # a module a notebook names but cannot import: the notebook says so
            pass
    for name in sys.argv[1:]:  # dyad modules may do their first-use set-up once, here (WARM_UP)
        warm = getattr(sys.modules.get(name), WARM_UP, None) if name.startswith("dyad_lib.") else None
        if callable(warm):
            try:
                warm()
            except Exception:
                pass
    signal.signal(signal.SIGCHLD, _reap)
    requests = os.fdopen(req_fd, "rb")
    for line in requests:
        try:
            req = json.loads(line)
            pid = os.fork()
        except Exception as exc:  # a bad request or no more processes: the worker starts it itself
            os.write(rep_fd, json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode() + b"\n")
            continue
        if pid == 0:
            requests.close()
            os.close(rep_fd)
            _kernel(req["argv"], req["env"], req["cwd"])  # never returns
        os.write(rep_fd, json.dumps({"pid": pid}).encode() + b"\n")
    os._exit(0)


def _reap(*_: Any) -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def _kernel(argv: list[str], env: dict[str, str], cwd: str) -> None:
    """In the forked child: become the kernel that `python -m ipykernel_launcher <argv>` would be."""
    code = 1
    try:
        os.setsid()  # its own process group, as jupyter_client starts kernels
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # ipykernel sets its own
        os.environ.clear()
        os.environ.update(env)
        # exit when the template does (the option, because ipykernel read JPY_PARENT_PID when the
        # template imported it)
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
        argv = [*argv, f"--IPKernelApp.parent_handle={os.getppid()}"]
        os.chdir(cwd)
        while "" in sys.path:  # ipykernel puts the working folder back first (as ipykernel_launcher)
            sys.path.remove("")
        sys.argv = [sys.executable, *argv]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)
