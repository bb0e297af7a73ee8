"""Opaque patient ids: a practice system's patient numbers never reach a delivery.

A patient number is a key into the practice system, so a delivery that kept it could be joined
back to names by anyone with access to that system. The import replaces it with a keyed hash
(HMAC-SHA256) under a random key kept in the practice folder (`.import-key`, not an input file,
carried over when a practice is re-imported), so the same patient gets the same id on every
import of the practice and the id cannot be turned back into the number without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

KEY_FILE = ".import-key"
#: Hex digits of the hash kept in an id (48 bits: no collision in practice; checked anyway).
DIGITS = 12


def read_key(folder: Path | None) -> bytes | None:
    """The key of an existing practice folder, if it has one."""
    if folder is None:
        return None
    path = folder / KEY_FILE
    if path.is_file():
        text = path.read_text(encoding="ascii").strip()
        return bytes.fromhex(text)
    return None


def new_key() -> bytes:
    return secrets.token_bytes(32)


def key_file_text(key: bytes) -> str:
    return key.hex() + "\n"


def write_key(folder: Path, key: bytes) -> None:
    path = folder / KEY_FILE
    path.write_text(key_file_text(key), encoding="ascii")
    os.chmod(path, 0o600)


def opaque_ids(keys: Iterable, key: bytes, prefix: str = "P") -> dict[str, str]:
    """`patient key (as text) -> prefix + 12 hex digits`; longer digests only if two would collide."""
    texts = sorted({str(k) for k in keys})
    digests = [hmac.new(key, f"patient:{t}".encode(), hashlib.sha256).hexdigest() for t in texts]
    width = DIGITS
    while len({d[:width] for d in digests}) != len(digests):
        width += 4
    return {t: prefix + d[:width].upper() for t, d in zip(texts, digests)}


def map_ids(values: pd.Series, key: bytes, prefix: str = "P") -> pd.Series:
    """A column of patient keys (numbers or text) as opaque ids; missing stays missing."""
    known = values.dropna()
    if pd.api.types.is_numeric_dtype(known):
        text = known.astype("int64").astype(str)
    else:
        text = known.astype(str).str.strip()
        text = text[text != ""]
    table = opaque_ids(text.unique(), key, prefix)
    out = pd.Series(np.full(len(values), None, dtype=object), index=values.index)
    out.loc[text.index] = text.map(table).to_numpy()
    return out
