"""Executed notebook -> client HTML: no code, no prompts, no streams or tracebacks, no CDN.

One `HTMLExporter` and one vega bundle per process (building them costs ~2 s; a warm export is
~10 ms). The Altair charts stay interactive offline: the vl-convert bundle (vega, vega-lite,
vega-embed) is inlined once per page and `VEGA_DEBUG` tells Altair's loader the libraries are
already there, with versions read from `altair.vegalite.v6.display` (never hard-coded: an
Altair upgrade would otherwise break the charts silently).
"""

from __future__ import annotations

import functools
import html
import os
import re
from pathlib import Path
from typing import Any

from dyad_lib import __version__

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "reports" / "templates"
TEMPLATE_NAME = "dyad"
CSS_PATH = TEMPLATES_DIR / TEMPLATE_NAME / "static" / "dyad.css"
#: Cells with these tags never reach a client page.
REMOVE_CELL_TAGS = {"remove-cell", "parameters", "injected-parameters", "papermill-error-cell-tag"}
ALTAIR_MIME = "text/html"


@functools.lru_cache(maxsize=1)
def stylesheet() -> str:
    """The report stylesheet (shared by reports, error pages and the index)."""
    return CSS_PATH.read_text(encoding="utf-8")


def _dist_version(name: str) -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _vega_cache_file(kind: str) -> Path:
    """Where the bundle and its versions are kept between processes (keyed by both packages)."""
    import os

    tag = f"altair{_dist_version('altair')}-vlc{_dist_version('vl-convert-python')}"
    # a per-installation artifact, not per data set: the user's cache, whatever DYAD_CACHE_DIR says
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dyad"
    return root / "vega" / f"{kind}-{tag}.{'js' if kind == 'bundle' else 'json'}"


@functools.lru_cache(maxsize=1)
def vega_versions() -> dict[str, str]:
    """The library versions Altair's loader checks against `VEGA_DEBUG` (never hard-coded; read
    from Altair, and kept on disk so a rendering process need not import Altair, ~1 s)."""
    import json

    path = _vega_cache_file("versions")
    try:
        v = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(v, dict) and set(v) == {"vega", "vegalite", "vegaembed"}:
            return v
    except (OSError, ValueError):
        pass
    from altair.vegalite.v6 import display as d6

    v = {"vega": d6.VEGA_VERSION, "vegalite": d6.VEGALITE_VERSION, "vegaembed": d6.VEGAEMBED_VERSION}
    try:
        from dyad_lib.data.paths import atomic_write_text

        atomic_write_text(path, json.dumps(v))
    except OSError:
        pass
    return v


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one script (about 0.9 MB), built once per process.

    It is inlined in a `<script>`, where a `</script` (any case) would end it and a `<!--` would
    change how the browser finds its end: both are escaped (`inert_script`), whatever the bundle holds.
    Building it costs ~1.7 s, so it is also kept on disk in the user's cache (~/.cache/dyad), keyed by the
    Altair and vl-convert versions: every later process (each `dyad run`, each batch worker)
    reads it in milliseconds.
    """
    v = vega_versions()
    stored = None
    try:
        stored = _vega_cache_file("bundle")
        return inert_script(stored.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    import vl_convert

    try:
        js = vl_convert.javascript_bundle(vl_version=_vl_version_arg(v["vegalite"]))
    except Exception:  # an unknown version name: the bundle's own (latest) vega-lite
        js = vl_convert.javascript_bundle()
    js = inert_script(js)
    if stored is not None:
        try:
            from dyad_lib.data.paths import atomic_write_text

            atomic_write_text(stored, js)
        except OSError:  # a read-only cache folder only costs the rebuild
            pass
    return js


def inert_script(js: str) -> str:
    """JavaScript that cannot end or derail the inline `<script>` holding it: `</script` becomes
    `<\\/script` and `<!--` becomes `<\\!--` (the same text inside JavaScript strings and regexes)."""
    return re.sub(r"<(?=/script|!--)", "<\\\\", js, flags=re.I)


def _vl_version_arg(version: str) -> str:
    """vl-convert names versions like 'v6_4' (major_minor)."""
    parts = version.split(".")
    return f"v{parts[0]}_{parts[1] if len(parts) > 1 else '0'}"


def _make_preprocessor():
    from nbconvert.preprocessors import Preprocessor

    class ClientCleanup(Preprocessor):
        """Drop what a client must never see: streams, errors, papermill banners, empty code cells."""

        def preprocess(self, nb, resources):
            keep = []
            for cell in nb.cells:
                tags = set(cell.get("metadata", {}).get("tags", []))
                if tags & REMOVE_CELL_TAGS:
                    continue
                if cell.cell_type == "code":
                    cell.outputs = [o for o in cell.get("outputs", [])
                                    if o.get("output_type") in ("display_data", "execute_result")
                                    and not _is_noise(o)]
                    if not cell.outputs:
                        continue
                elif cell.cell_type == "markdown" and "papermill-error-cell" in cell.get("source", ""):
                    continue
                elif cell.cell_type == "raw":
                    continue
                keep.append(cell)
            nb.cells = _title_first(keep)
            return nb, resources

    return ClientCleanup


def _title_first(cells: list) -> list:
    """When a notebook shows a title block (dyad_lib.reports.blocks.title_block), its own `# Title` markdown
    above it would repeat the title: drop those h1 lines and move the rest of that text below it."""
    at = next((i for i, c in enumerate(cells) if c.cell_type == "code" and any(
        TITLE_MARK in str(o.get("data", {}).get("text/html", "")) for o in c.get("outputs", []))), None)
    if not at:
        return cells
    before, moved = [], []
    for c in cells[:at]:
        if c.cell_type == "markdown":
            c.source = re.sub(r"^\s{0,3}#\s+.*$\n?", "", c.source, flags=re.M).strip()
            if c.source:
                moved.append(c)
        else:
            before.append(c)
    return before + [cells[at]] + moved + cells[at + 1:]


def _is_noise(output: dict[str, Any]) -> bool:
    """Bare reprs such as `<Figure size ...>` or `None` are not content."""
    data = output.get("data", {})
    if set(data) == {"text/plain"}:
        text = data["text/plain"]
        text = text if isinstance(text, str) else "".join(text)
        return bool(re.fullmatch(r"\s*(None|<.*object at 0x[0-9a-f]+>|<[\w.]+ .*>)\s*", text))
    return False


@functools.lru_cache(maxsize=1)
def exporter():
    """The process-wide HTMLExporter configured for client reports."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.HTMLExporter.embed_images = True
    c.HTMLExporter.require_js_url = ""
    c.HTMLExporter.mathjax_url = ""
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_CELL_TAGS)
    c.TagRemovePreprocessor.remove_input_tags = {"hide-input"}
    c.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
    exp = HTMLExporter(config=c, template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATES_DIR)])
    exp.register_preprocessor(_make_preprocessor()(), enabled=True)
    return exp


def uses_altair(nb) -> bool:
    return any("vega" in str(o.get("data", {}).get(ALTAIR_MIME, ""))
               for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)(?:<a class="anchor-link"[^>]*>.*?</a>)?</h2>', re.S)
TITLE_END = "<!--/dyad-title-->"
TITLE_MARK = 'class="dyad-title"'


def table_of_contents(body: str) -> str:
    """A `<nav>` listing every h2 (the report's sections), or '' for fewer than two sections."""
    from dyad_lib.reports.html import render

    # the headings come from the page (escaped there): unescape them so the template escapes them once
    items = [(html.unescape(m.group(1)), html.unescape(re.sub(r"<[^>]+>", "", m.group(2)).strip()))
             for m in _H2.finditer(body)]
    if len(items) < 2:
        return ""
    return str(render("pages/toc", items=items))


def insert_toc(body: str) -> str:
    """Put the contents after the title block (or before the first section if there is none)."""
    toc = table_of_contents(body)
    if not toc:
        return body
    if TITLE_END in body:
        return body.replace(TITLE_END, TITLE_END + toc, 1)
    m = re.search(r'<div[^>]*class="jp-Cell[^"]*"[^>]*>\s*<div[^>]*>\s*(?:<div[^>]*>\s*)*<h2 ', body)
    at = m.start() if m else body.find("<h2 ")
    return body[:at] + toc + body[at:] if at >= 0 else body


def scrub_paths(text: str, paths: list[str | os.PathLike | None]) -> str:
    """Replace any absolute local folder in the page by its last component (a client never sees
    where the consultant keeps files)."""
    for p in sorted({str(Path(p)) for p in paths if p}, key=len, reverse=True):
        if len(p) > 1:
            text = text.replace(p + os.sep, "").replace(p, Path(p).name)
    return text


def local_paths(*extra: str | os.PathLike | None) -> list[str]:
    """The folders a report must not mention: the project, home, temp and the given ones."""
    import tempfile

    from dyad_lib.data.paths import PROJECT_ROOT

    return [str(PROJECT_ROOT), os.path.expanduser("~"), tempfile.gettempdir(), *[str(e) for e in extra if e]]


#: Where the vega bundle goes in the page: the first occurrence (in the head, before any of the
#: report's own text), with a per-process nonce so no report text can be taken for it.
_BUNDLE_MARK = f"/*dyad-vega-bundle-{os.urandom(8).hex()}*/"


def notebook_to_html(nb, title: str, hide_paths: list[str] | None = None) -> str:
    """Client HTML for an executed notebook node (the node is not modified)."""
    import copy

    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    resources: dict[str, Any] = {"dyad_css": stylesheet(), "dyad_version": __version__,
                                 "metadata": {"name": title}}
    charts = uses_altair(nb)
    if charts:  # the bundle goes in after nbconvert, which parses its page with BeautifulSoup
        resources["vega_bundle"] = _BUNDLE_MARK
        resources["vega_versions"] = vega_versions()
    body, _ = exporter().from_notebook_node(nb, resources=resources)
    if charts:
        body = body.replace(_BUNDLE_MARK, vega_bundle(), 1)
    body = insert_toc(body)
    return scrub_paths(body, hide_paths if hide_paths is not None else local_paths())


def page(title: str, content: Any) -> str:
    """A standalone page in the report look (error pages, the index); `content` is a rendered
    fragment (`dyad_lib.reports.html.render`), so it is safe HTML already."""
    from dyad_lib.reports.html import Markup, render

    return str(render("pages/page", title=title, version=__version__, css=Markup(stylesheet()),
                      content=content)) + "\n"


def warm_up() -> None:
    """Build the exporter, compile its templates and load the vega bundle by rendering a tiny
    notebook. The runner calls it in a background thread while the kernel executes the report,
    so the first real export of a process costs ~10 ms instead of seconds."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# warm-up")])
    nb.cells.append(nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": "<p>warm-up</p>", "text/plain": "warm-up"})]))
    notebook_to_html(nb, "warm-up", [])
