"""A year already agreed: the committed plan against what today's data would derive.

Once the partners commit a year, every report measures against that plan — the annual report
too. Beside it the annual report shows what the same inputs give on today's data (a newer
history moves the defaults: last year's costs, the collection ratio, the profit that was left,
the seasonality and the collection lag), and says which of those moved the numbers. Pure
functions over the goals.yaml entry and a GoalPlan.
"""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from dyad_lib.data.contract import OVERHEAD_CATEGORIES
from dyad_lib.fmt import money_text, pct_text, vocabulary
from dyad_lib.goals.inputs import CATEGORY_LABELS

#: The ledger lines compared (step id, label).
COMPARED = (("overhead", "Total overhead"), ("owner_compensation", "Owner compensation"),
            ("debt_service", "Debt service"), ("profit_target", "Profit / reinvestment"),
            ("collection_goal", "Collection goal"), ("net_production_goal", "Net production goal"),
            ("gross_production_goal", "Gross production goal"), ("break_even", "Break-even collections"))
ENTERED = "entered by the partners"


def entered_inputs(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs the partners entered for a committed year, as goal inputs (percent keys).

    Newer entries keep them (`entered_inputs`); for an older one they are read back from each
    input's source."""
    if isinstance(entry.get("entered_inputs"), Mapping):
        return {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in entry["entered_inputs"].items()}
    inp = entry.get("inputs") or {}
    out: dict[str, Any] = {}

    def entered(key: str) -> Any:
        x = inp.get(key) or {}
        return x.get("value") if x.get("source") == ENTERED else None

    for key in ("owner_compensation", "debt_service", "profit_target", "collection_ratio", "adjustment_rate",
                "added_chair_hours", "working_days"):
        if entered(key) is not None:
            out[key] = entered(key)
    if entered("fee_change") is not None:
        out["fee_change_pct"] = round(float(entered("fee_change")) * 100, 10)
    overhead = inp.get("overhead") or {}
    budget = {c: b["amount"] for c, b in overhead.items() if b.get("source") == ENTERED}
    changes = {c: round(float(b["change"]) * 100, 10) for c, b in overhead.items()
               if b.get("change") is not None and "entered by the partners" in str(b.get("source"))}
    if budget:
        out["overhead_budget"] = budget
    if changes:
        rest = [c for c in OVERHEAD_CATEGORIES if c not in budget]
        if rest and all(c in changes for c in rest) and len({changes[c] for c in rest}) == 1:
            out["overhead_change_pct"] = changes[rest[0]]
        else:
            out["overhead_changes_pct"] = changes
    return out


def _ledger_amounts(entry: Mapping[str, Any]) -> dict[str, float]:
    out = {r["step"]: float(r["amount"]) for r in entry.get("ledger") or [] if r.get("amount") is not None}
    for key in ("collection_goal", "net_production_goal", "gross_production_goal", "break_even"):
        if entry.get(key) is not None:
            out[key] = float(entry[key])
    return out


def compare(entry: Mapping[str, Any], plan: Any) -> pd.DataFrame:
    """The committed ledger's main lines beside today's derivation: step, label, committed, today,
    difference (today − committed)."""
    was = _ledger_amounts(entry)
    now = {r.step: float(r.amount) for r in plan.ledger.rows.itertuples()}
    rows = []
    for step, label in COMPARED:
        a, b = was.get(step), now.get(step)
        rows.append({"step": step, "label": label, "committed": a, "today": b,
                     "difference": None if a is None or b is None else round(b - a, 2)})
    return pd.DataFrame(rows)


def compare_months(entry: Mapping[str, Any], plan: Any) -> pd.DataFrame:
    """Each month's committed collection goal beside today's derivation."""
    was = {str(k): float(v) for k, v in (entry.get("phasing") or {}).items()}
    rows = []
    for r in plan.phasing.itertuples():
        key = r.month.strftime("%Y-%m")
        a = was.get(key)
        rows.append({"month": r.month, "committed": a, "today": float(r.collections),
                     "difference": None if a is None else round(float(r.collections) - a, 2)})
    return pd.DataFrame(rows)


def explain(entry: Mapping[str, Any], plan: Any) -> list[str]:
    """Why today's derivation differs from the committed plan, largest effects first (in the practice's
    words)."""
    was_through, now_through = entry.get("history_through"), plan.history.as_of
    out: list[str] = []
    diff = compare(entry, plan).set_index("step")["difference"]
    if all(abs(d or 0.0) < 0.005 for d in diff):
        out.append("Today's data derives the same ledger: nothing has moved since the plan was agreed.")
    else:
        if was_through != now_through:
            out.append(f"The plan was derived on the history through {_month(was_through)}; today's data runs "
                       f"through {_month(now_through)}. The inputs the partners entered are the same; the defaults "
                       "are computed again on the newer history.")
        inp = entry.get("inputs") or {}
        moved = []
        # overhead by category
        was_cat = {c: float(b.get("amount") or 0.0) for c, b in (inp.get("overhead") or {}).items()}
        for cat, b in plan.inputs.overhead.items():
            d = b.amount - was_cat.get(cat, b.amount)
            if abs(d) >= 0.5:
                moved.append((abs(d), f"{CATEGORY_LABELS.get(cat, cat).lower()} {_signed(d)} ({_flat(b.source)})"))
        for key, label in (("owner_compensation", "owner compensation"), ("debt_service", "debt service"),
                           ("profit_target", "profit / reinvestment")):
            was_v = (inp.get(key) or {}).get("value")
            now_v = float(getattr(plan.inputs, key).value)
            if was_v is not None and abs(now_v - float(was_v)) >= 0.5:
                moved.append((abs(now_v - float(was_v)), f"{label} {_signed(now_v - float(was_v))} "
                                                         f"({_flat(getattr(plan.inputs, key).source)})"))
        moved.sort(key=lambda t: -t[0])
        if moved:
            out.append("The collection goal moves " + _signed(diff.get("collection_goal") or 0.0) + ". Largest "
                       "changes: " + "; ".join(t[1] for t in moved[:5])
                       + ("; and smaller ones." if len(moved) > 5 else "."))
        for key, label in (("collection_ratio", "expected collection ratio"),
                           ("adjustment_rate", "expected adjustment rate")):
            was_v = (inp.get(key) or {}).get("value")
            now_v = float(getattr(plan.inputs, key).value)
            if was_v is not None and abs(now_v - float(was_v)) > 5e-7:
                out.append(f"The {label} moves from {pct_text(float(was_v), 2)} to {pct_text(now_v, 2)} "
                           f"({_flat(getattr(plan.inputs, key).source)}), which moves the production goals.")
    months = compare_months(entry, plan)
    if not months.empty and months["difference"].notna().any():
        worst = months.loc[months["difference"].abs().idxmax()]
        if abs(worst["difference"]) >= 0.005:
            out.append(f"By month the largest change is {worst['month']:%B %Y}: committed "
                       f"{money_text(worst['committed'])}, today {money_text(worst['today'])} — the goal's total, "
                       "the seasonality and the collection lag are all measured again on the newer history.")
    out.append("The committed plan stays the yardstick of the monthly and quarterly reports until the partners "
               "commit a revision (dyad goals --commit --overwrite).")
    return [vocabulary(x, plan.history.kind) for x in out]


def _flat(source: str) -> str:
    """A source in words without nested brackets: 'FY2026 actual × 1.03, entered by the partners'."""
    return source.replace(" (", ", ").replace(")", "")


def _month(ym: Any) -> str:
    try:
        return pd.Timestamp(str(ym) + "-01").strftime("%B %Y")
    except ValueError:
        return str(ym)


def _signed(x: float) -> str:
    return ("+" if x >= 0 else "−") + money_text(abs(x))
