"""Realism checks of a goal against what the practice has done and can hold: growth, net production
per chair hour, chair utilization, payroll share, break-even (pass / warn / fail, each with why)."""

from __future__ import annotations

from dataclasses import dataclass


from dyad_lib.fmt import money_text, pct_text
from dyad_lib.goals.inputs import GoalInputs, History
from dyad_lib.goals.ledger import Ledger


PAYROLL_CATEGORIES = ("staff_wages", "payroll_taxes_benefits")


def payroll_band(kind: str = "dental") -> tuple[float, float] | None:
    """Payroll share of collections: the registry's wages band + taxes and benefits band
    (20–25% + 3–6% = 23–31%, Burkhart; McKenzie), so the band is defined once. Those are dental
    consultants' figures: for a kind of practice with no published band this is None."""
    from dyad_lib.metrics import benchmarks

    bands = [benchmarks.reference(benchmarks.for_kind(f"overhead_ratio_{c}", kind)) for c in PAYROLL_CATEGORIES]
    if any(b is None or b.low is None or b.high is None for b in bands):
        return None
    return (sum(b.low for b in bands), sum(b.high for b in bands))


PAYROLL_BAND = payroll_band("dental")


GROWTH_WARN, GROWTH_FAIL = 0.10, 0.20


UTILIZATION_WARN, UTILIZATION_FAIL = 0.85, 0.90


PER_HOUR_WARN_MARGIN = 0.10  # up to 10% above the best quarter is a stretch, beyond that a fail


BREAK_EVEN_CUSHION = 0.10


@dataclass(frozen=True)
class Check:
    id: str
    label: str
    status: str  # pass | warn | fail | n/a
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "label": self.label, "status": self.status, "reason": self.reason}


def check_growth(goal: float, t12_collections: float | None, capacity_added: bool = False,
                 t12_label: str = "T12") -> Check:
    """Growth over T12 collections: pass ≤ 10%, warn ≤ 20%, fail above 20% unless capacity is added."""
    label = "Growth over the last twelve months"
    if not t12_collections:
        return Check("growth", label, "n/a", "no collections in the last twelve months to compare with")
    g = goal / t12_collections - 1
    how = f"{pct_text(g, 1)} over" if g >= 0 else f"{pct_text(-g, 1)} below"
    said = f"the goal {money_text(goal)} is {how} {t12_label} collections {money_text(t12_collections)}"
    if g <= GROWTH_WARN:
        return Check("growth", label, "pass", f"{said} (≤ 10%)")
    if g <= GROWTH_FAIL:
        return Check("growth", label, "warn", f"{said}: above 10% needs a plan for where it comes from")
    if capacity_added:
        return Check("growth", label, "warn", f"{said}: above 20%, possible only with the added capacity")
    return Check("growth", label, "fail", f"{said}: above 20% without added capacity")


def check_per_hour(required: float | None, best: float | None, best_label: str | None = None,
                   price: float = 1.0) -> Check:
    """Required net production per chair hour vs the best quarter of the last two years (at the
    plan's fees and adjustment rate: × `price`): pass ≤ best, warn up to 10% above, fail beyond."""
    label = "Net production per chair hour"
    if required is None or best is None:
        return Check("per_hour", label, "n/a", "no chair hours on record to compare with")
    reach = best * price
    prices = f" at the plan's prices (× {price:.3f})" if abs(price - 1) > 5e-4 else ""
    said = (f"needs {money_text(required)}/h vs {money_text(reach)}/h in the best quarter "
            f"({best_label or 'last two years'}){prices}")
    if required <= reach:
        return Check("per_hour", label, "pass", f"{said}: done before")
    if required <= reach * (1 + PER_HOUR_WARN_MARGIN):
        return Check("per_hour", label, "warn", f"{said}: up to 10% above the best quarter")
    return Check("per_hour", label, "fail", f"{said}: more than 10% above the best quarter")


def check_utilization(required: float | None, current: float | None = None) -> Check:
    """Chair utilization the goal needs at today's production per booked hour: pass ≤ 85%, warn ≤ 90%, fail above."""
    label = "Chair utilization needed"
    if required is None:
        return Check("utilization", label, "n/a", "no appointments and chair hours to measure utilization")
    now = f" (today {pct_text(current)})" if current is not None else ""
    said = f"needs {pct_text(required)} of chair hours booked{now}"
    if required <= UTILIZATION_WARN:
        return Check("utilization", label, "pass", f"{said}: at most 85%")
    if required <= UTILIZATION_FAIL:
        return Check("utilization", label, "warn", f"{said}: above 85%, little room for emergencies")
    return Check("utilization", label, "fail", f"{said}: above 90% is not realistic")


def check_payroll(payroll: float, goal: float, band: tuple[float, float] | None = PAYROLL_BAND) -> Check:
    """Payroll (wages + taxes and benefits) as a share of the goal: pass in band, warn within 3 points, fail beyond."""
    label = "Payroll share of the goal"
    if goal <= 0:
        return Check("payroll", label, "n/a", "the collection goal is not positive")
    share = payroll / goal
    if band is None:
        return Check("payroll", label, "n/a", f"payroll {money_text(payroll)} is {pct_text(share)} of the "
                     f"{money_text(goal)} goal; no published payroll band for this kind of practice")
    lo, hi = band
    said = (f"payroll {money_text(payroll)} is {pct_text(share)} of the {money_text(goal)} goal "
            f"(band {pct_text(lo, 0)}–{pct_text(hi, 0)})")
    if lo <= share <= hi:
        return Check("payroll", label, "pass", said)
    if lo - 0.03 <= share <= hi + 0.03:
        side = "below" if share < lo else "above"
        return Check("payroll", label, "warn", f"{said}: {side} the band")
    side = "far below the band: is the team big enough for this goal?" if share < lo else "far above the band"
    return Check("payroll", label, "fail", f"{said}: {side}")


def check_break_even(goal: float, be: float) -> Check:
    """The goal against break-even: fail below, warn within a 10% cushion, pass above."""
    label = "Goal above break-even"
    said = f"goal {money_text(goal)} vs break-even {money_text(be)}"
    if goal < be:
        return Check("break_even", label, "fail", f"{said}: the goal does not cover the costs")
    if goal < be * (1 + BREAK_EVEN_CUSHION):
        return Check("break_even", label, "warn", f"{said}: less than a 10% cushion")
    return Check("break_even", label, "pass", f"{said}: {pct_text(goal / be - 1, 0)} above")


@dataclass
class Capacity:
    """Chair hours planned for the year and what the goal asks of them (from the ledger's spec)."""

    t12_hours: float | None
    planned_hours: float | None
    required_per_hour: float | None
    required_utilization: float | None
    capacity_added: bool
    per_booked_hour: float | None = None  # net production per booked hour at the plan's prices
    price: float = 1.0  # the plan's fees and adjustment rate against today's


def capacity_needs(ledger: Ledger, inputs: GoalInputs, history: History) -> Capacity:
    """Planned chair hours (T12 hours × planned ÷ last year's working days, + added hours), the net
    production per chair hour the goal needs, and the utilization that needs at today's net per
    booked hour × the plan's prices: the values of the ledger's spec (`goals.ledger.goal_spec`)."""
    val = ledger.values
    t12_hours = history.get("chair_hours_available")
    added = float(inputs.added_chair_hours.value or 0.0)
    price = val.get("price")
    price = 1.0 if price is None else float(price)
    if not t12_hours:
        return Capacity(None, None, None, None, added > 0, None, price)
    scale = float(val.get("wd_scale") or 1.0)
    return Capacity(t12_hours, val.get("planned_hours"), val.get("required_per_hour"), val.get("needed_utilization"),
                    added > 0 or scale > 1.0 + 1e-9, val.get("per_booked_hour"), price)


def realism_checks(ledger: Ledger, inputs: GoalInputs, history: History, capacity: Capacity) -> list[Check]:
    payroll = sum(inputs.overhead[c].amount for c in PAYROLL_CATEGORIES if c in inputs.overhead)
    return [
        check_growth(ledger.collection_goal, history.get("collections"), capacity.capacity_added, history.t12_label),
        check_per_hour(capacity.required_per_hour, history.best_quarter_per_hour, history.best_quarter_label,
                       capacity.price),
        check_utilization(capacity.required_utilization, history.get("chair_utilization")),
        check_payroll(payroll, ledger.collection_goal, payroll_band(history.kind)),
        check_break_even(ledger.collection_goal, ledger.break_even),
    ]
