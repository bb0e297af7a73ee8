"""What a report computes once per practice object and asks for again: kept while that object
lives and its tables are the same objects, so a replaced table is read again and a dropped
practice frees its entries. Also the digest that ties a stored result to the code that made it.
"""

from __future__ import annotations

import functools
import hashlib
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Hashable, TypeVar

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice

T = TypeVar("T")


class PracticeMemo:
    """Values per practice object, dropped when the practice is gone or its tables (those named in
    `tables`, or all of them) are no longer the same objects."""

    def __init__(self, tables: tuple[str, ...] | None = None) -> None:
        self.tables = tables
        self._owners: "weakref.WeakValueDictionary[int, object]" = weakref.WeakValueDictionary()
        self._kept: dict[int, tuple[tuple[int, ...], dict[Hashable, Any]]] = {}

    def _signature(self, practice: "Practice") -> tuple[int, ...]:
        if self.tables is None:
            return tuple(id(df) for df in practice.tables.values()) + (len(practice.tables),)
        return tuple(id(practice.tables.get(n)) for n in self.tables)

    def _store(self, practice: "Practice") -> dict[Hashable, Any] | None:
        key, sig = id(practice), self._signature(practice)
        kept = self._kept.get(key)
        if kept is None or kept[0] != sig or self._owners.get(key) is not practice:
            try:
                self._owners[key] = practice
            except TypeError:  # not weak-referenceable: nothing is kept
                return None
            for k in [k for k in self._kept if k not in self._owners]:
                self._kept.pop(k, None)
            kept = (sig, {})
            self._kept[key] = kept
        return kept[1]

    def get(self, practice: "Practice", key: Hashable, build: Callable[[], T]) -> T:
        """The value kept under `key` for this practice, built (and kept) when there is none."""
        store = self._store(practice)
        if store is None:
            return build()
        if key not in store:
            store[key] = build()
        return store[key]


@functools.lru_cache(maxsize=None)
def source_digest(path: str) -> str:
    """A short digest of a module's source file: a result stored by other code is rebuilt."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
