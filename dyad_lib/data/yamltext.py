"""Reading the YAML files people write (practice.yaml, goals.yaml, goal inputs) without surprises.

PyYAML's safe loader still expands aliases: a 400-byte file of nested `*alias` references grows
into gigabytes once anything walks it (the "billion laughs"). None of dyad's files needs an
alias, so the loader refuses one where it appears, before anything is expanded, and refuses a
file larger than any real one. Errors are `YamlError`s whose message names the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

#: No practice.yaml, goals.yaml or inputs file comes near this (goals.yaml is ~10 KB a year).
MAX_YAML_BYTES = 2 << 20


class YamlError(ValueError):
    """The text is not YAML dyad reads; `line` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(message)


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that stops at the first alias (`*name`) instead of expanding it."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise YamlError(f"uses a YAML alias (*{self.peek_event().anchor}) on line {mark.line + 1}; "
                            "write the value out instead (dyad does not expand aliases)", mark.line + 1)
        return super().compose_node(parent, index)


def _load_c(text: str) -> Any:
    """The document through libyaml (PyYAML's C scanner and parser, several times faster than its
    Python ones on a goals.yaml; the same constructor, so the same values). Raises `_NotPlain` for
    anything but a plain, valid, alias-free document: the Python loader then reads it and reports
    the problem exactly as it always did."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        raise _NotPlain
    try:
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(text, Loader=loader)):  # events only
            raise _NotPlain
        return yaml.load(text, Loader=loader)  # noqa: S506 - libyaml's SafeLoader
    except yaml.YAMLError:
        raise _NotPlain from None


class _NotPlain(Exception):
    pass


def load_yaml(text: str) -> Any:
    """The YAML document in `text`; `YamlError` for aliases, oversized text or invalid YAML."""
    if len(text) > MAX_YAML_BYTES:
        raise YamlError(f"is {len(text) / 1e6:.1f} MB; a dyad YAML file is a few kilobytes "
                        f"(at most {MAX_YAML_BYTES >> 20} MB)")
    try:
        return _load_c(text)
    except _NotPlain:
        pass
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        where = f" (line {line})" if line else ""
        raise YamlError(f"is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}", line) from None


def read_yaml(path: Path) -> Any:
    """`load_yaml` of a file: UTF-8 with or without BOM; a size check before reading it all."""
    path = Path(path)
    if path.stat().st_size > MAX_YAML_BYTES:
        raise YamlError(f"is {path.stat().st_size / 1e6:.1f} MB; a dyad YAML file is a few kilobytes "
                        f"(at most {MAX_YAML_BYTES >> 20} MB)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlError(f"is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8") from None
    return load_yaml(text)


def read_yaml_file(path: str | Path) -> Any:
    """`read_yaml` for a file a person named on the command line: every problem, an unreadable
    file included, is a `YamlError` whose message starts with the file's name."""
    p = Path(path)
    try:
        return read_yaml(p)
    except OSError as exc:
        raise YamlError(f"cannot read {p.name}: {exc.strerror or type(exc).__name__}") from None
    except YamlError as exc:
        raise YamlError(f"{p.name}: {exc}") from None
