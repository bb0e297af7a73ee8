"""Levers: where the growth from the last twelve months to the goal comes from, in one story.

Two kinds. **Plan levers** are inputs of the ledger — fees, the adjustment rate, the collection
ratio, chair hours and working days. One the partners entered (or the calendar changed) is
*planned*: counted in full, never offered again. One they did not enter is shown with what it
would add *if* entered, but never counted: the ledger would not match it.

**Volume levers** — fewer no-shows, more accepted treatment, filling open chair time, new
patients — fill booked chair hours. Those close what the planned changes leave of the gap, in
that order (first the patients and hours the practice already has), each sized at the plan's
prices (fees, adjustments) and collection ratio. Every booked hour they add is worth the same
net production (today's net per booked hour × the plan's prices), so the levers counted add up
to exactly the utilization the goal needs (`goals.ledger` spec: `needed_utilization`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from dyad_lib.fmt import money_text, pct_text
from dyad_lib.goals.inputs import GoalInputs, History, NO_SHOW_TARGET
from dyad_lib.metrics.opportunities import no_show_gap, rate_text, visits_text

#: Default size of each lever.
LEVER_STEPS = {"no_shows": NO_SHOW_TARGET, "case_acceptance": 0.05, "utilization": 0.05, "new_patients": 24,
               "fees": 0.03}
#: Plan levers, in the order their effects are chained.
PLAN_LEVERS = ("fees", "adjustments", "collection_ratio", "capacity")
#: Volume levers, in the order they are counted.
LEVER_ORDER = ("no_shows", "case_acceptance", "utilization", "new_patients")
COLUMNS = ["lever", "kind", "status", "setting", "step", "amount", "share_of_lever", "counted", "hours",
           "points", "formula"]


@dataclass(frozen=True)
class Rates:
    """Today (T12) and the plan, as the levers need them."""

    collections: float | None  # C0
    ratio0: float | None
    ratio1: float
    adj0: float | None
    adj1: float
    fee: float
    hours0: float | None  # T12 chair hours
    hours1: float | None  # planned chair hours
    util0: float | None
    per_booked1: float | None  # net per booked hour at the plan's prices

    @property
    def price(self) -> float:
        """Net production per unit of today's net, at the plan's fees and adjustment rate."""
        a0 = self.adj0 if self.adj0 is not None else self.adj1
        return (1 + self.fee) * (1 - self.adj1) / (1 - a0)

    def hours_for(self, dollars: float) -> float | None:
        """Booked chair hours that produce `dollars` of collections at the plan's rates."""
        if not self.per_booked1:
            return None
        return dollars / (self.per_booked1 * self.ratio1)


def rates(inputs: GoalInputs, history: History, values: Mapping[str, float | None]) -> Rates:
    return Rates(history.get("collections"), history.get("collection_ratio"), float(inputs.collection_ratio.value),
                 history.get("adjustments_rate"), float(inputs.adjustment_rate.value),
                 float(inputs.fee_change.value or 0.0), history.get("chair_hours_available"),
                 values.get("planned_hours"), history.get("chair_utilization"), values.get("per_booked_hour"))


def _row(**kw: Any) -> dict[str, Any]:
    r = {c: None for c in COLUMNS}
    r.update(kw)
    return r


def plan_levers(inputs: GoalInputs, history: History, r: Rates, band: Mapping[str, tuple] | None = None
                ) -> list[dict[str, Any]]:
    """The plan levers, chained (each on top of the ones before), so the planned amounts add up to
    the collections the plan makes at today's utilization, minus the last twelve months'."""
    out: list[dict[str, Any]] = []
    c0 = r.collections
    band = band or {}
    if c0 is None:
        return [_row(lever=k, kind="plan", status="n/a", setting=k.replace("_", " "),
                     formula="needs the last twelve months' collections") for k in PLAN_LEVERS]
    level = c0  # collections so far along the chain
    # fees
    if inputs.planned("fee_change_pct") or r.fee:
        amt = level * r.fee
        what = f"fees {r.fee * 100:+.1f}%" if r.fee else "fees unchanged"
        out.append(_row(lever="fees", kind="plan", status="planned", setting=f"{what} (entered)",
                        step=r.fee, amount=amt, counted=amt,
                        formula=f"{money_text(c0)} collections × {r.fee * 100:+.1f}%"))
        level += amt
    else:
        n = LEVER_STEPS["fees"]
        out.append(_row(lever="fees", kind="plan", status="not in the plan", setting=f"fees {n * 100:+.1f}%",
                        step=n, amount=c0 * n,
                        formula=f"{money_text(c0)} collections × {n * 100:+.1f}%; counts only once entered "
                                f"(fee_change_pct: {n * 100:g})"))
    # adjustment rate
    a0, a1 = r.adj0, r.adj1
    if a0 is not None and (a1 != a0 or inputs.planned("adjustment_rate")):
        amt = level * ((1 - a1) / (1 - a0) - 1)
        out.append(_row(lever="adjustments", kind="plan", status="planned",
                        setting=(f"adjustments {pct_text(a0)} → {pct_text(a1)}" if a1 != a0 else
                                 f"adjustments held at {pct_text(a1)}") + " (entered)", step=a1 - a0, amount=amt,
                        counted=amt, formula=f"{money_text(level)} × ((1 − {pct_text(a1, 2)}) ÷ (1 − {pct_text(a0, 2)}) − 1)"))
        level += amt
    elif a0 is not None and band.get("adjustments_rate") and a0 > band["adjustments_rate"][1]:
        top = band["adjustments_rate"][1]
        amt = c0 * ((1 - top) / (1 - a0) - 1)
        out.append(_row(lever="adjustments", kind="plan", status="not in the plan",
                        setting=f"adjustments {pct_text(a0)} → {pct_text(top)}", step=top - a0, amount=amt,
                        formula=f"{money_text(c0)} × ((1 − {pct_text(top, 2)}) ÷ (1 − {pct_text(a0, 2)}) − 1); "
                                f"counts only once entered (adjustment_rate: {top:g})"))
    # collection ratio
    q0, q1 = r.ratio0, r.ratio1
    if q0 and (q1 != q0 or inputs.planned("collection_ratio")):
        amt = level * (q1 / q0 - 1)
        out.append(_row(lever="collection_ratio", kind="plan", status="planned",
                        setting=(f"collection ratio {pct_text(q0)} → {pct_text(q1)}" if q1 != q0 else
                                 f"collection ratio held at {pct_text(q1)}") + " (entered)", step=q1 - q0,
                        amount=amt, counted=amt,
                        formula=f"{money_text(level)} × ({pct_text(q1, 2)} ÷ {pct_text(q0, 2)} − 1)"))
        level += amt
    elif q0 and band.get("collection_ratio") and q0 < band["collection_ratio"][0]:
        low = band["collection_ratio"][0]
        amt = c0 * (low / q0 - 1)
        out.append(_row(lever="collection_ratio", kind="plan", status="not in the plan",
                        setting=f"collection ratio {pct_text(q0)} → {pct_text(low)}", step=low - q0, amount=amt,
                        formula=f"{money_text(c0)} × ({pct_text(low, 2)} ÷ {pct_text(q0, 2)} − 1); counts only "
                                f"once entered (collection_ratio: {low:g})"))
    # chair hours: added hours and the calendar, filled at today's utilization
    h0, h1 = r.hours0, r.hours1
    if h0 and h1 is not None and abs(h1 - h0) > 1e-9:
        amt = level * (h1 / h0 - 1)
        added = float(inputs.added_chair_hours.value or 0.0)
        what = []
        if added:
            what.append(f"{added:+,.0f} chair hours (entered)")
        if abs(h1 - added - h0) > 1e-6:
            what.append(f"working days {(h1 - added) / h0 - 1:+.1%} on last year")
        util = f", filled at today's {pct_text(r.util0)} utilization" if r.util0 else ""
        out.append(_row(lever="capacity", kind="plan", status="planned", setting="; ".join(what), step=h1 - h0,
                        amount=amt, counted=amt,
                        formula=f"{money_text(level)} × ({h1:,.0f} ÷ {h0:,.0f} chair hours − 1){util}"))
    return out


def volume_levers(history: History, r: Rates, steps: Mapping[str, float] | None = None) -> list[dict[str, Any]]:
    """Each volume lever's collections a year at the plan's prices and ratio, with the booked chair
    hours it fills (amount None + why when it cannot be sized)."""
    st = {**LEVER_STEPS, **(steps or {})}
    h = history.get
    out: list[dict[str, Any]] = []
    price, q1 = r.price, r.ratio1
    at = "" if abs(price - 1) < 1e-12 else f" × {price:.4f} plan prices"

    def add(lever: str, setting: str, step: float, amount: float | None, formula: str) -> None:
        hours = None if amount is None else r.hours_for(amount)
        out.append(_row(lever=lever, kind="volume", status="available" if amount else "n/a", setting=setting,
                        step=step, amount=amount, hours=hours, formula=formula))

    rate, done, net = h("no_show_rate"), h("visits_completed"), h("net_production")
    target = st["no_shows"]
    gap = no_show_gap(rate, done, net, target)  # the same sizing as the assessment's opportunity
    if gap is None:
        add("no_shows", f"no-shows to {pct_text(target)}", 0, None, "needs appointments with no-shows and production")
    elif gap.excess_visits <= 0:
        add("no_shows", f"no-shows already {pct_text(rate)}", 0, 0.0, f"no-show rate {pct_text(rate)} ≤ {pct_text(target)}")
    else:
        add("no_shows", f"no-shows {pct_text(rate)} → {pct_text(target)}", rate - target,
            gap.net_dollars * price * q1,
            f"({rate_text(rate)} − {rate_text(target)}) × {gap.booked:,.0f} kept or missed = "
            f"{visits_text(gap.excess_visits)} visits × {money_text(gap.per_visit)} per visit = "
            f"{money_text(gap.net_dollars)} net production{at} × {pct_text(q1)} collected")
    acc, presented = h("case_acceptance_value"), h("treatment_presented_value")
    if presented is None and acc is not None and h("unaccepted_treatment_value") is not None and acc < 1:
        presented = h("unaccepted_treatment_value") / (1 - acc)
    n = st["case_acceptance"]
    if acc is None or presented is None:
        add("case_acceptance", f"case acceptance +{n * 100:.0f} points", n, None, "needs treatment plans")
    else:
        add("case_acceptance", f"case acceptance {pct_text(acc)} → {pct_text(acc + n)}", n,
            n * presented * price * q1,
            f"{n * 100:.0f} points × {money_text(presented)} presented{at} × {pct_text(q1)} collected")
    n = st["utilization"]
    if not r.util0 or not r.hours1 or not r.per_booked1:
        add("utilization", f"chair utilization +{n * 100:.0f} points", n, None, "needs appointments and chair hours")
    else:
        add("utilization", f"fill open chair time: +{n * 100:.0f} points of utilization", n,
            n * r.hours1 * r.per_booked1 * q1,
            f"{n * 100:.0f} points × {r.hours1:,.0f} planned chair hours × {money_text(r.per_booked1)} per booked "
            f"hour × {pct_text(q1)} collected")
    n = st["new_patients"]
    value = history.new_patient_annual_value
    if value is None:
        add("new_patients", f"+{n:.0f} new patients a year", n, None, "needs two years of appointments with production")
    else:
        add("new_patients", f"+{n:.0f} new patients a year", n, n * value * price * q1,
            f"{n:.0f} × {money_text(value)} first-year production per new patient{at} × {pct_text(q1)} collected")
    return out


def lever_table(inputs: GoalInputs, history: History, values: Mapping[str, float | None], collection_goal: float,
                steps: Mapping[str, float] | None = None, band: Mapping[str, tuple] | None = None
                ) -> tuple[pd.DataFrame, str, float | None]:
    """Every lever with its status, and the volume levers counted to close what the planned
    changes leave of the gap. Returns (table, a sentence, the gap left after planned changes)."""
    r = rates(inputs, history, values)
    rows = plan_levers(inputs, history, r, band) + volume_levers(history, r, steps)
    if r.collections is None:
        df = pd.DataFrame(rows, columns=COLUMNS)
        return df, "No gap computed: no collections in the last twelve months.", None
    planned = 0.0
    for x in rows:
        if x["status"] == "planned":
            planned += x["counted"]
    gap = collection_goal - r.collections
    left = collection_goal - (r.collections + planned)
    by = {x["lever"]: x for x in rows if x["kind"] == "volume"}
    rest = left
    for lever in LEVER_ORDER:
        x = by.get(lever)
        if rest <= 0.005 or x is None or not x["amount"] or x["amount"] <= 0:
            continue
        take = min(1.0, rest / x["amount"])
        x.update(status="counted", share_of_lever=take, counted=x["amount"] * take)
        if x["hours"] is not None and r.hours1:
            x["points"] = x["hours"] * take / r.hours1
        rest -= x["amount"] * take
    df = pd.DataFrame(rows, columns=COLUMNS)
    words = []
    if planned and left <= 0.005:
        more = f", more than the {money_text(gap)} growth the goal needs" if gap > 0 else ""
        words.append(f"The planned changes bring {money_text(planned)}{more}: at today's utilization the practice "
                     f"would collect {money_text(-left)} more than the goal, so no other lever is needed.")
    elif left <= 0.005:
        words.append(f"No gap: the goal is {money_text(-gap)} at or below the last twelve months' collections.")
    else:
        if planned:
            words.append(f"The planned changes bring {money_text(planned)} of the {money_text(gap)} growth the goal "
                         "needs over the last twelve months.")
        what = "the rest" if planned else f"the {money_text(left)} gap between the last twelve months and the goal"
        if rest > 0.005:
            words.append(f"The levers together add {money_text(left - rest)}, {money_text(rest)} short of "
                         f"{what}{' (' + money_text(left) + ')' if planned else ''}: the goal needs added capacity "
                         "or a lower target.")
        else:
            words.append(f"The levers counted close {what}{' (' + money_text(left) + ')' if planned else ''}.")
    return df, " ".join(words), left


def combination(table: pd.DataFrame) -> pd.DataFrame:
    """The levers the plan counts (planned and counted), for the KPI targets and the report."""
    used = table[table["status"].isin(["planned", "counted"])]
    return used[["lever", "kind", "setting", "share_of_lever", "counted", "points"]].rename(
        columns={"counted": "amount"}).reset_index(drop=True)
