"""HTML report -> PDF with Debian's headless Chromium (no playwright download, no network).

Chromium prints the page after running its scripts (`--virtual-time-budget`), so the Altair
charts are in the PDF. The flags keep it from reaching the network: this machine and clients'
laptops may be offline, and a report must never phone home.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "chromium-headless-shell", "google-chrome", "google-chrome-stable")
OFFLINE_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-extensions", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                 "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio")
INSTALL_HINT = ("PDF needs Chromium, which was not found. Install it (Debian/Ubuntu: "
                "`sudo apt-get install chromium`) or set DYAD_CHROMIUM to its path; the HTML report was written.")


class PdfError(RuntimeError):
    """Chromium is missing or could not print the page."""


def find_chromium() -> str | None:
    """$DYAD_CHROMIUM, else the first Chromium/Chrome on PATH."""
    env = os.environ.get("DYAD_CHROMIUM")
    if env and shutil.which(env):
        return shutil.which(env)
    for name in CANDIDATES:
        if found := shutil.which(name):
            return found
    return None


def chromium_command(url: str, *extra: str, budget_ms: int = 10000, profile: str | None = None) -> list[str]:
    exe = find_chromium()
    if exe is None:
        raise PdfError(INSTALL_HINT)
    prof = profile or tempfile.mkdtemp(prefix="dyad-chromium-")
    return [exe, *OFFLINE_FLAGS, f"--user-data-dir={prof}", f"--virtual-time-budget={budget_ms}", *extra, url]


def run_chromium(url: str, *extra: str, timeout: float = 90, budget_ms: int = 10000) -> subprocess.CompletedProcess:
    """Run headless Chromium on `url` with a throw-away profile (removed afterwards)."""
    prof = tempfile.mkdtemp(prefix="dyad-chromium-")
    try:
        cmd = chromium_command(url, *extra, budget_ms=budget_ms, profile=prof)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(prof, ignore_errors=True)


def html_to_pdf(html_path: str | os.PathLike, pdf_path: str | os.PathLike | None = None) -> Path:
    """Print a report to PDF next to it (atomically: a temp file, then rename); returns the path."""
    src = Path(html_path).resolve()
    dst = Path(pdf_path) if pdf_path else src.with_suffix(".pdf")
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp.pdf")
    try:
        proc = run_chromium(src.as_uri(), "--no-pdf-header-footer", f"--print-to-pdf={tmp}")
        if not tmp.is_file() or tmp.stat().st_size == 0:
            raise PdfError(f"Chromium could not print {src.name} to PDF (exit code {proc.returncode}).")
        os.replace(tmp, dst)
        return dst
    except subprocess.TimeoutExpired:
        raise PdfError(f"Chromium took too long to print {src.name} to PDF.") from None
    finally:
        tmp.unlink(missing_ok=True)
