"""Numbers for people: `$1.24M`, `$84.2K`, `$1,234`, `97.8%`, `38.5 days`, `+42` (NPS), `4.2 / 5`.

Reports, the CLI and the glossary all format through here so a figure reads the same everywhere.
A missing value prints as an em dash; `with_reason=True` adds the reason in brackets.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

DASH = "—"


def _missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def money(x: float | None, *, compact: bool = True) -> str:
    """$1.24M / $84.2K / $1,234 (compact) or $1,234,567 (exact); negatives as −$1,234."""
    if _missing(x):
        return DASH
    x = float(x)
    sign = "−" if x < 0 else ""
    a = abs(x)
    if compact and round(a) >= 999_500:
        return f"{sign}${a / 1e6:,.2f}M"
    if compact and round(a) >= 10_000:
        return f"{sign}${a / 1e3:,.1f}K"
    return f"{sign}${a:,.0f}"


def cents(x: float | None) -> str:
    """$1,234.56 to the cent (reconciliations, where a cent is the point); −$12.30; 0.00 as $0.00."""
    if _missing(x):
        return DASH
    x = round(float(x), 2) + 0.0
    return f"{'−' if x < 0 else ''}${abs(x):,.2f}"


def percent(x: float | None, digits: int = 1, *, signed: bool = False) -> str:
    """A fraction as a percentage: 0.978 -> 97.8%."""
    if _missing(x):
        return DASH
    s = f"{float(x) * 100:{'+' if signed else ''},.{digits}f}%"
    return s.replace("-", "−")


def points(x: float | None, digits: int = 1) -> str:
    """A change between two fractions in percentage points: 0.012 -> +1.2 pts."""
    if _missing(x):
        return DASH
    return f"{float(x) * 100:+.{digits}f} pts".replace("-", "−")


def days(x: float | None, digits: int = 1) -> str:
    if _missing(x):
        return DASH
    return f"{float(x):,.{digits}f} days"


def count(x: float | None) -> str:
    if _missing(x):
        return DASH
    return f"{float(x):,.0f}"


def nps(x: float | None) -> str:
    """NPS on −100…100, signed: +42, −8, 0."""
    if _missing(x):
        return DASH
    v = round(float(x))
    return f"+{v}" if v > 0 else str(v).replace("-", "−")


def score(x: float | None, scale: int = 5) -> str:
    if _missing(x):
        return DASH
    return f"{float(x):.1f} / {scale}"


def money_per_hour(x: float | None) -> str:
    if _missing(x):
        return DASH
    return f"{money(x, compact=False)}/h"


def number(x: float | None, unit: str) -> str:
    """Format a value of a registry unit (money, ratio, days, count, money_per_hour, score_nps, score_1_5)."""
    f = {"money": money, "ratio": percent, "days": days, "count": count, "money_per_hour": money_per_hour,
         "score_nps": nps, "score_1_5": score}.get(unit)
    if f is None:
        return DASH if _missing(x) else f"{float(x):,.2f}"
    return f(x)


def metric(x: float | None, unit: str, reason: str | None = None, *, with_reason: bool = False) -> str:
    """A metric value, or '—' (with its reason in brackets when asked)."""
    if _missing(x):
        return f"{DASH} ({reason})" if with_reason and reason else DASH
    return number(x, unit)


def change(x: float | None, unit: str) -> str:
    """A difference between two values of `unit`: ratios in points, money signed, counts signed."""
    if _missing(x):
        return DASH
    x = float(x)
    if unit == "ratio":
        return points(x)
    if unit == "score_nps":
        return f"{x:+.0f}".replace("-", "−")
    if unit == "score_1_5":
        return f"{x:+.1f}".replace("-", "−")
    sign = "+" if x > 0 else ("−" if x < 0 else "±")
    body = number(abs(x), unit)
    return f"{sign}{body}"


def band_text(band: Any, unit: str) -> str:
    """A benchmark band for people: '55.0–60.0%', '≥ 95.0%', '≤ 2.5%', '≈ 60.0%'."""
    low, high = band.low, band.high
    if low is not None and high is not None:
        if low == high:
            return f"≈ {number(low, unit)}"
        if unit == "days":
            return f"{low:g}–{high:g} days"
        a, b = number(low, unit), number(high, unit)
        if unit == "ratio":
            a = a.rstrip("%")
        return f"{a}–{b}"
    if low is not None:
        return f"≥ {number(low, unit)}"
    if high is not None:
        return f"≤ {number(high, unit)}"
    return DASH


def spell_date(d: Any) -> str:
    """'November 23, 2026' (a date for people, never 2026-11-23)."""
    ts = pd.Timestamp(d)
    return f"{ts:%B} {ts.day}, {ts.year}"


def spell_month(d: Any) -> str:
    """'November 2026'."""
    return f"{pd.Timestamp(d):%B %Y}"


def money_text(x: float | None) -> str:
    """$1,234,567 in whole dollars (ASCII minus), for printed formulas and reasons; 'n/a' if missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"-${abs(x):,.0f}" if x < 0 else f"${x:,.0f}"


def pct_text(x: float | None, digits: int = 1) -> str:
    """0.978 -> 97.8% (ASCII minus), for printed formulas and reasons; 'n/a' if missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x * 100:.{digits}f}%"


# --- the practice's own words -------------------------------------------------------------------------

#: Text written once for both kinds of practice, in a medical practice's words: charges where a
#: dental practice says production, exam rooms for chairs, care plans for treatment plans, physicians
#: for dentists, practice administrators for office managers (the registry's medical labels). Longer
#: phrases come first so they win over the words they contain; a phrase whose verb would no longer
#: agree ("production that is …") is written for both kinds where it is composed instead.
MEDICAL_WORDS = (
    ("treatment presented", "care plans presented"), ("Treatment presented", "Care plans presented"),
    ("Accept more of the treatment", "Accept more of the care"), ("present treatment", "present care plans"),
    ("Case acceptance", "Care-plan acceptance"), ("case acceptance", "care-plan acceptance"),
    ("Gross production", "Gross charges"), ("gross production", "gross charges"),
    ("Net production", "Net charges"), ("net production", "net charges"),
    ("what is produced", "what is charged"), ("Production", "Charges"), ("production", "charges"),
    ("Chair utilization", "Exam-room utilization"), ("chair utilization", "exam-room utilization"),
    ("chair hour", "exam-room hour"), ("Chair", "Exam-room"), ("chair", "exam-room"),
    ("dentists", "physicians"), ("Dentists", "Physicians"), ("dentist", "physician"), ("Dentist", "Physician"),
    ("office managers", "practice administrators"), ("office manager", "practice administrator"),
    ("Office manager", "Practice administrator"),
)


def vocabulary(text: Any, kind: str) -> Any:
    """`text` in the practice's vocabulary (unchanged for a dental practice or a non-text value)."""
    if kind != "medical" or not isinstance(text, str):
        return text
    for a, b in MEDICAL_WORDS:
        text = text.replace(a, b)
    return text
