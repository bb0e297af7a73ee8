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


# --- differences between two printed numbers ---------------------------------------------------------

#: Digits each unit prints with (what a reader sees, so what a difference must agree with).
_PRINTED_DIGITS = {"ratio": 1, "days": 1, "count": 0, "score_nps": 0, "score_1_5": 1}


def _as_printed(x: float, unit: str) -> float:
    """`x` rounded the way `number` prints it, in the unit's own scale (percent for a ratio)."""
    d = _PRINTED_DIGITS[unit]
    return round(float(x) * (100 if unit == "ratio" else 1), d)


def points_between(a: float | None, b: float | None, digits: int = 1) -> str:
    """a − b in percentage points, as the reader computes it from the two printed percentages:
    64.0% against 60.9% is +3.1 pts even when the unrounded difference is 3.02. Each value is
    rounded once (as it is printed) and the difference is exact on those."""
    if _missing(a) or _missing(b):
        return DASH
    diff = round(float(a) * 100, digits) - round(float(b) * 100, digits)
    return f"{diff:+.{digits}f} pts".replace("-", "−")


def pct_change(x: float | None, ref: float | None) -> float | None:
    """The relative change x ÷ ref − 1 on the unrounded values (None without a non-zero ref)."""
    if _missing(x) or _missing(ref) or float(ref) == 0:
        return None
    return float(x) / float(ref) - 1


def pct_change_text(x: float | None, ref: float | None) -> str:
    """The relative change printed once: +3.4%, −9.7% (a dash without a reference)."""
    c = pct_change(x, ref)
    return DASH if c is None else percent(c, signed=True)


def difference(a: float | None, b: float | None, unit: str) -> str:
    """a − b for people, in the unit's own terms and consistent with the two printed values:
    ratios in points (`points_between`), scores, counts and days as the difference of the printed
    numbers, money as the signed difference of the unrounded amounts."""
    if _missing(a) or _missing(b):
        return DASH
    if unit == "ratio":
        return points_between(a, b)
    if unit in _PRINTED_DIGITS:
        d = _PRINTED_DIGITS[unit]
        diff = _as_printed(a, unit) - _as_printed(b, unit)
        if unit == "days":
            return f"{diff:+,.{d}f} days".replace("-", "−")
        return f"{diff:+,.{d}f}".replace("-", "−")
    return change(float(a) - float(b), unit)


def versus(a: float | None, b: float | None, unit: str) -> str:
    """a against a reference b in one short form: points for a ratio, the relative change for
    money and counts ('−1.2 pts', '+3.4%'), the printed difference for scores and days."""
    if unit == "ratio":
        return points_between(a, b)
    if unit in ("money", "money_per_hour", "count"):
        return pct_change_text(a, b)
    return difference(a, b, unit)


def shown_as_zero(a: float | None, b: float | None, unit: str) -> bool:
    """Whether a − b prints as no change (the two values print the same)."""
    if _missing(a) or _missing(b):
        return False
    if unit in _PRINTED_DIGITS:
        return _as_printed(a, unit) == _as_printed(b, unit)
    return number(a, unit) == number(b, unit)


# --- numbers that remember what they are ---------------------------------------------------------------


class Figure(str):
    """A number as printed (`$308.3K`) that also carries what it is: the metric id, the period (as
    `dyad metrics --period` spells it), the unrounded value and, for a figure that is not a plain
    metric value, what it is derived from. It is the printed text wherever text is expected; a
    report's templates render it with `data-metric`, `data-period` and `data-value` so every
    number on a page can be checked against `dyad metrics`."""

    metric: str | None
    period: str | None
    value: float | None
    unit: str | None
    basis: str | None
    derived: str | None
    attrs: tuple  # more (name, value) pairs, rendered as data-<name>

    def __new__(cls, text: str = "", value: float | None = None, *, metric: str | None = None,
                period: str | None = None, unit: str | None = None, basis: str | None = None,
                derived: str | None = None, attrs: Any = ()) -> "Figure":
        self = super().__new__(cls, text)
        self.value = None if _missing(value) else float(value)
        self.metric, self.period, self.unit, self.basis, self.derived = metric, period, unit, basis, derived
        self.attrs = tuple((str(k), "" if v is None else str(v)) for k, v in dict(attrs).items())
        return self

    def __reduce__(self):
        return (_figure, (str(self), self.value, self.metric, self.period, self.unit, self.basis, self.derived,
                          self.attrs))

    @property
    def value_repr(self) -> str:
        """The unrounded value as `data-value` holds it ('' when missing)."""
        return "" if self.value is None else repr(self.value)


def _figure(text, value, metric, period, unit, basis, derived, attrs=()) -> Figure:
    return Figure(text, value, metric=metric, period=period, unit=unit, basis=basis, derived=derived, attrs=attrs)


def figure(value: float | None, unit: str, metric: str | None = None, period: Any = None, *,
           text: str | None = None, basis: str | None = None, derived: str | None = None,
           attrs: Any = ()) -> Figure:
    """`value` printed for people (`number`, or `text` when given), remembering its metric id,
    its period (a Period or its label) and its unrounded value."""
    label = None if period is None else str(getattr(period, "label", period))
    return Figure(number(value, unit) if text is None else text, value, metric=metric, period=label, unit=unit,
                  basis=basis, derived=derived, attrs=attrs)


class Sentence(str):
    """Text with figures in it: plain text wherever text is expected, and in a report every
    `Figure` of it keeps its data attributes (see `say`)."""

    parts: tuple

    def __new__(cls, parts: Any = ()) -> "Sentence":
        if isinstance(parts, str):
            parts = (parts,)
        flat: list[Any] = []
        for p in parts:
            if isinstance(p, Sentence):
                flat.extend(p.parts)
            elif isinstance(p, Figure):
                flat.append(p)
            elif p is not None and str(p):
                flat.append(str(p))
        self = super().__new__(cls, "".join(str(p) for p in flat))
        self.parts = tuple(flat)
        return self

    def __reduce__(self):
        return (Sentence, (self.parts,))

    @property
    def figures(self) -> list[Figure]:
        return [p for p in self.parts if isinstance(p, Figure)]

    def map_text(self, fn: Any) -> "Sentence":
        """The sentence with `fn` applied to its words (never to its figures)."""
        return Sentence(tuple(p if isinstance(p, Figure) else fn(p) for p in self.parts))

    def __add__(self, other: Any) -> "Sentence":  # type: ignore[override]
        return Sentence((self, other))

    def __radd__(self, other: Any) -> "Sentence":
        return Sentence((other, self))


def say(template: str, /, **values: Any) -> Sentence:
    """`template` with `{name}` fields filled: a Figure (or Sentence) stays one, anything else is
    its text. `say("Collections were {x}.", x=figure(...))` prints as plain text and renders the
    figure with its data attributes in a report."""
    import string

    parts: list[Any] = []
    for literal, field, spec, conv in string.Formatter().parse(template):
        if literal:
            parts.append(literal)
        if field is None:
            continue
        v = values[field]
        if spec or conv:
            v = format(v, spec) if not conv else format({"r": repr, "s": str, "a": ascii}[conv](v), spec)
        parts.append(v if isinstance(v, (Figure, Sentence)) else str(v))
    return Sentence(parts)


def map_words(text: Any, fn: Any) -> Any:
    """`fn(text)` for plain text; for a Sentence, `fn` on its words only, its figures kept."""
    if isinstance(text, Sentence):
        return text.map_text(fn)
    return fn(text) if isinstance(text, str) else text


def joined(sep: str, items: Any) -> Sentence:
    """`sep.join(items)`, keeping the figures of the items."""
    parts: list[Any] = []
    for i, x in enumerate(items):
        if i:
            parts.append(sep)
        parts.append(x)
    return Sentence(parts)


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
    """`text` in the practice's vocabulary (unchanged for a dental practice or a non-text value); a
    Sentence keeps its figures (only its words change), a Figure is a number and stays as it is."""
    if kind != "medical" or not isinstance(text, str) or isinstance(text, Figure):
        return text
    if isinstance(text, Sentence):
        return text.map_text(lambda words: vocabulary(words, kind))
    for a, b in MEDICAL_WORDS:
        text = text.replace(a, b)
    return text
