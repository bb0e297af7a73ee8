"""How long the practice takes to collect what it produces, measured on its own months.

Collections follow production with a lag (insurance pays weeks later), so a collection goal
phased exactly like production is beaten in the month after a busy one and missed in the month
after a slow one — and that miss becomes the meeting's first talking point. The lag profile is
fitted on the history: each month's collections as a non-negative mix of the net production of
that month and the `MAX_LAG` months before (the exact non-negative least-squares fit, found by
trying every set of lags: at most 2^(MAX_LAG+1) − 1 tiny solves). The shares add up to 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

MAX_LAG = 3
MIN_MONTHS = 15  # months with every lag known: fewer and the fit is noise


@dataclass(frozen=True)
class Lag:
    """The share of a month's production collected 0, 1, … MAX_LAG months later, and how it was found."""

    shares: tuple[float, ...]
    months: int  # months fitted
    first: str | None = None  # first and last month fitted, YYYY-MM
    last: str | None = None

    @property
    def measured(self) -> bool:
        return self.months > 0

    @property
    def mean_months(self) -> float:
        return float(sum(k * s for k, s in enumerate(self.shares)))

    def sentence(self, kind_words: str = "production") -> str:
        if not self.measured:
            return (f"collection lag: not measured (fewer than {MIN_MONTHS} months of history): collections are "
                    f"phased like {kind_words}")
        parts = []
        for k, s in enumerate(self.shares):
            if s >= 0.005:
                when = "in the month itself" if k == 0 else "one month later" if k == 1 else f"{k} months later"
                parts.append(f"{s:.0%} {when}")
        return (f"collection lag: measured on {self.first} – {self.last} ({self.months} months), a month's "
                f"{kind_words} is collected {', '.join(parts)} (on average {self.mean_months:.1f} months, about "
                f"{self.mean_months * 30.4:.0f} days); each month's collection goal follows its own and the "
                f"previous months' {kind_words} goals that way, the months before the year counted as the same "
                f"months of this year")


NO_LAG = Lag((1.0,), 0)


def _nnls(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact non-negative least squares for a few columns: the best fit among every support."""
    n = a.shape[1]
    best, best_res = np.zeros(n), float(np.sum(b ** 2))
    for size in range(1, n + 1):
        for cols in combinations(range(n), size):
            x, *_ = np.linalg.lstsq(a[:, cols], b, rcond=None)
            if np.any(x < 0):
                continue
            res = float(np.sum((a[:, cols] @ x - b) ** 2))
            if res < best_res - 1e-9 * max(1.0, best_res):
                best, best_res = np.zeros(n), res
                best[list(cols)] = x
    return best


def collection_lag(monthly: pd.DataFrame | None, max_lag: int = MAX_LAG) -> Lag:
    """The lag profile fitted on `monthly` (columns month, net_production, collections), or NO_LAG."""
    if monthly is None or monthly.empty or not {"net_production", "collections"} <= set(monthly):
        return NO_LAG
    df = monthly.sort_values("month").reset_index(drop=True)
    net = df["net_production"].astype("float64").to_numpy()
    coll = df["collections"].astype("float64").to_numpy()
    rows, idx = [], []
    for t in range(max_lag, len(df)):
        x = [net[t - k] for k in range(max_lag + 1)]
        if np.all(np.isfinite(x)) and np.isfinite(coll[t]):
            rows.append(x)
            idx.append(t)
    if len(rows) < MIN_MONTHS:
        return NO_LAG
    a, b = np.array(rows), coll[idx]
    scale = float(np.mean(np.abs(a))) or 1.0
    coef = _nnls(a / scale, b / scale)
    if coef.sum() <= 0:
        return NO_LAG
    shares = coef / coef.sum()
    while len(shares) > 1 and shares[-1] < 1e-12:
        shares = shares[:-1]
    month = pd.to_datetime(df["month"])
    return Lag(tuple(float(s) for s in shares), len(rows), f"{month[idx[0]]:%Y-%m}", f"{month[idx[-1]]:%Y-%m}")


def lagged_weights(weights: list[float], lag: Lag) -> list[float]:
    """Collection weights from production weights: w'_m = Σ_k share_k × w_(m−k), the months before
    the year taken as the same months of this year (so the weights keep their total)."""
    n = len(weights)
    out = []
    for m in range(n):
        acc = 0.0
        for k, s in enumerate(lag.shares):
            acc += s * weights[(m - k) % n]
        out.append(acc)
    return out
