"""Money-sized opportunities (metrics.md, "Money-sized opportunities"): for each lever, the gap
between the practice and its target turned into dollars with a printed formula.

A consultant's assessment is only as credible as its arithmetic, so every opportunity carries the
formula with its numbers substituted. Each gap is sized by one function (`share_gap`,
`no_show_gap`), on the unrounded values, and rounded once when printed: the assessment, the annual
goals' levers and the monthly talking points all call the same function, so a lever has one size
for one period (7.05% against 7.0% is 0.05 points, never 0.1). Formulas print the rates to a
hundredth of a point so the gap they show is the gap computed. Inputs are metric values
(`MetricValue`, keyed by the public ids of metrics.md) for a trailing-twelve-month view; no KPI is
recomputed here. Levers that meet their target are reported as "no gap", levers that cannot be
sized say why. Targets are `dyad_lib.metrics.targets`: the top performers' band where one is
published (case acceptance by value: the top decile), else the typical one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from dyad_lib.fmt import money_text, pct_text, vocabulary
from dyad_lib.metrics.targets import target
from dyad_lib.metrics.values import MetricValue

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice
    from dyad_lib.metrics.periods import Period

# --- targets: the registry's bands (registry.yaml), the edge a practice must reach -------------

#: Overhead categories with a band (registry), in the order they are listed.
BANDED_CATEGORIES = ("staff_wages", "payroll_taxes_benefits", "clinical_supplies", "lab", "facility")


CATEGORY_LABELS = {
    "staff_wages": "Staff wages", "payroll_taxes_benefits": "Payroll taxes and benefits",
    "clinical_supplies": "Clinical supplies", "lab": "Lab", "facility": "Facility",
}

#: Words that differ between a dental and a medical practice.
TERMS = {
    "dental": {"net_production": "net production", "gross_production": "gross production",
               "visit": "visit", "provider": "dentist"},
    "medical": {"net_production": "net charges", "gross_production": "gross charges",
                "visit": "visit", "provider": "physician"},
}


#: A lever worth less than this share of a year's collections is listed but not recommended.
MATERIAL_SHARE = 0.005


@dataclass(frozen=True)
class Opportunity:
    """One lever sized in dollars."""

    lever: str  # a stable id: collection_ratio, case_acceptance_value, no_show_rate, overhead_ratio_lab, …
    label: str  # what a person reads: "Collect more of what is produced"
    metric_id: str  # the metric whose gap is sized
    current: float  # the metric's value (a share for ratios)
    target: float
    unit: str  # ratio | money
    formula: str  # the sum with its numbers, ending in "= $83,370"
    dollars: float  # unrounded; printed once, rounded
    recurring: bool  # True: dollars per year; False: one-time cash (a balance)
    action: str  # the lever worded as an action, for recommendations
    source: str  # where the target comes from
    tier: str = "top"  # the target's tier (typical | top)
    detail: Mapping[str, float] = field(default_factory=dict)  # e.g. the no-show gap's excess visits

    @property
    def basis(self) -> str:
        return "per year" if self.recurring else "one time"


@dataclass(frozen=True)
class LeverStatus:
    """A lever that is not sized: at or better than its target, or not computable."""

    lever: str
    label: str
    status: str  # no_gap | not_sized
    text: str


@dataclass
class Opportunities:
    """Sized levers (largest first), levers with no gap, and levers that could not be sized."""

    items: list[Opportunity] = field(default_factory=list)
    no_gap: list[LeverStatus] = field(default_factory=list)
    not_sized: list[LeverStatus] = field(default_factory=list)
    collections: float | None = None  # the collections of the same twelve months (for materiality)

    @property
    def annual_total(self) -> float:
        """The sum of the recurring levers (one-time cash is not added to yearly dollars)."""
        return sum(o.dollars for o in self.items if o.recurring)

    def material(self, share: float = MATERIAL_SHARE) -> list[Opportunity]:
        """The levers worth at least `share` of the twelve months' collections (all of them when
        collections are unknown): smaller gaps are shown, but not recommended."""
        if not self.collections:
            return list(self.items)
        return [o for o in self.items if o.dollars >= share * self.collections]

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


# --- one sizing function per kind of gap ---------------------------------------------------------------


def share_gap(actual: float, target: float, base: float, better: str) -> float:
    """Dollars on the unfavourable side of a target share: (actual − target) × base for a cost
    (`better` down), (target − actual) × base for a rate that should be high; ≤ 0: no gap."""
    return (actual - target) * base if better == "down" else (target - actual) * base


@dataclass(frozen=True)
class NoShowGap:
    """The no-shows above a target rate over a period, and what they are worth, all unrounded."""

    rate: float
    target: float
    completed: float
    booked: float  # completed + no-shows = completed ÷ (1 − rate)
    excess_visits: float  # (rate − target) × booked
    per_visit: float  # net production per completed visit
    net_dollars: float  # excess_visits × per_visit

    def per_month(self, months: int) -> "NoShowGap":
        """The same gap as a monthly figure over a period of `months` months."""
        from dataclasses import replace

        return replace(self, booked=self.booked / months, completed=self.completed / months,
                       excess_visits=self.excess_visits / months, net_dollars=self.net_dollars / months)


def no_show_gap(rate: float | None, completed: float | None, net: float | None, target: float
                ) -> NoShowGap | None:
    """The missed visits above `target` and their net production, from the period's no-show rate,
    completed visits and net production (None when they cannot be sized). no_show_rate =
    no-shows ÷ (completed + no-shows), so the appointments kept or missed are completed ÷ (1 − rate)."""
    if rate is None or completed is None or net is None or not completed or rate >= 1:
        return None
    booked = completed / (1 - rate)
    excess = (rate - target) * booked
    per_visit = net / completed
    return NoShowGap(rate, target, completed, booked, excess, per_visit, excess * per_visit)


# --- printing ------------------------------------------------------------------------------------------


def rate_text(x: float) -> str:
    """A rate inside a printed formula: to a hundredth of a point, so the gap shows (7.05% − 7.00%)."""
    return pct_text(x, 2)


def _count(x: float) -> str:
    return f"{x:,.0f}"


def visits_text(x: float) -> str:
    """Missed visits in a formula: whole visits from 10 up, a tenth below (4.8, 12)."""
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:,.1f}"


def _metric_name(metric_id: str, kind: str) -> str:
    """The registry label in the practice's words, lower-cased for use inside a sentence."""
    from dyad_lib.metrics import registry

    name = registry.get(metric_id).label(kind)
    return name[0].lower() + name[1:]


def _v(values: Mapping[str, MetricValue], mid: str) -> float | None:
    mv = values.get(mid)
    return None if mv is None or mv.value is None else float(mv.value)


def _why(values: Mapping[str, MetricValue], *mids: str) -> str:
    reasons = []
    for mid in mids:
        mv = values.get(mid)
        if mv is None:
            reasons.append(f"{mid} is not available")
        elif mv.value is None:
            reasons.append(mv.reason or f"{mid} could not be computed")
    return "; ".join(dict.fromkeys(reasons)) or "not enough data"


def _met(tier: str, what: str, value: str, target: str, better: str) -> str:
    """The no-gap sentence, in the target's tier: past a typical figure is 'better than typical'."""
    side = "at or above" if better == "up" else "at or below"
    if tier == "typical":
        return f"{what} is {value}, {side} the typical {target} (what practices measure; no top-performer figure)."
    return f"{what} is {value}, {side} the {target} target."


# --- levers -----------------------------------------------------------------------------------


def _collection(values, kind, t) -> Opportunity | LeverStatus | None:
    label = "Collect more of what is produced" if kind == "dental" else "Collect more of what is charged"
    if (tgt := target("collection_ratio", kind)) is None:
        return None
    goal = tgt.value
    actual, base = _v(values, "collection_ratio"), _v(values, "net_production")
    if actual is None or base is None:
        return LeverStatus("collection_ratio", label, "not_sized", _why(values, "collection_ratio", "net_production"))
    dollars = share_gap(actual, goal, base, "up")
    if dollars <= 0:
        return LeverStatus("collection_ratio", label, "no_gap",
                           _met(tgt.tier, f"The {_metric_name('collection_ratio', kind)}", pct_text(actual),
                                pct_text(goal), "up"))
    formula = (f"({rate_text(goal)} − {rate_text(actual)}) × {money_text(base)} {t['net_production']} "
               f"= {money_text(dollars)}")
    action = (f"Raise the {_metric_name('collection_ratio', kind)} from {pct_text(actual)} to {pct_text(goal)}: review "
              f"unpaid claims and patient balances weekly and collect the patient's share at the visit.")
    return Opportunity("collection_ratio", label, "collection_ratio", actual, goal, "ratio", formula,
                       dollars, True, action, tgt.source, tgt.tier)


def _presented_value(values) -> float | None:
    """Σ amount_presented: a metric of its own when the library has one, else unaccepted ÷ (1 − accepted
    share), which is the same sum (unaccepted = presented × (1 − accepted share))."""
    direct = _v(values, "treatment_presented_value")
    if direct is not None:
        return direct
    unaccepted, share = _v(values, "unaccepted_treatment_value"), _v(values, "case_acceptance_value")
    if unaccepted is None or share is None or share >= 1:
        return None
    return unaccepted / (1 - share)


def _case_acceptance(values, kind, t) -> Opportunity | LeverStatus | None:
    label = "Accept more of the treatment presented"
    if (tgt := target("case_acceptance_value", kind)) is None:
        return None
    goal = tgt.value
    actual, presented, coll = _v(values, "case_acceptance_value"), _presented_value(values), _v(values, "collection_ratio")
    if actual is None or presented is None or coll is None:
        return LeverStatus("case_acceptance_value", label, "not_sized",
                           _why(values, "case_acceptance_value", "unaccepted_treatment_value", "collection_ratio"))
    dollars = share_gap(actual, goal, presented, "up") * coll
    if dollars <= 0:
        return LeverStatus("case_acceptance_value", label, "no_gap",
                           _met(tgt.tier, "Case acceptance by value", pct_text(actual), pct_text(goal), "up"))
    formula = (f"({rate_text(goal)} − {rate_text(actual)}) × {money_text(presented)} presented × "
               f"{rate_text(coll)} collection ratio = {money_text(dollars)}")
    action = (f"Lift case acceptance by value from {pct_text(actual)} toward {pct_text(goal)}, where the "
              f"{tgt.band.describes or 'top performers'} are: present treatment with its cost and payment options "
              f"in one conversation, and follow up on every plan not yet accepted.")
    return Opportunity("case_acceptance_value", label, "case_acceptance_value", actual, goal, "ratio", formula,
                       dollars, True, action, tgt.source, tgt.tier)


def _no_shows(values, kind, t) -> Opportunity | LeverStatus | None:
    label = "Fewer missed appointments"
    if (tgt := target("no_show_rate", kind)) is None:
        return None
    rate, completed, net = _v(values, "no_show_rate"), _v(values, "visits_completed"), _v(values, "net_production")
    gap = no_show_gap(rate, completed, net, tgt.value)
    if gap is None:
        return LeverStatus("no_show_rate", label, "not_sized",
                           _why(values, "no_show_rate", "visits_completed", "net_production"))
    if gap.excess_visits <= 0:
        return LeverStatus("no_show_rate", label, "no_gap",
                           _met(tgt.tier, "The no-show rate", pct_text(rate), pct_text(tgt.value), "down"))
    formula = (f"({rate_text(gap.rate)} − {rate_text(gap.target)}) × {_count(gap.booked)} appointments kept or "
               f"missed = {visits_text(gap.excess_visits)} missed {t['visit']}s; × {money_text(gap.per_visit)} "
               f"{t['net_production']} per completed {t['visit']} = {money_text(gap.net_dollars)}")
    action = (f"Bring no-shows from {pct_text(rate)} to {pct_text(tgt.value)}: confirm every appointment two days ahead, "
              f"keep a short-notice list to refill gaps, and follow up each missed visit the same day.")
    return Opportunity("no_show_rate", label, "no_show_rate", rate, tgt.value, "ratio", formula, gap.net_dollars,
                       True, action, tgt.source, tgt.tier,
                       {"excess_visits": gap.excess_visits, "per_visit": gap.per_visit, "booked": gap.booked})


def _overhead(values, kind, t, category: str) -> Opportunity | LeverStatus | None:
    mid = f"overhead_ratio_{category}"
    name = CATEGORY_LABELS[category]
    label = f"{name} back within the band"
    if (tgt := target(mid, kind)) is None:
        return None
    top = tgt.value
    share, coll = _v(values, mid), _v(values, "collections")
    if share is None or coll is None:
        return LeverStatus(mid, label, "not_sized", _why(values, mid, "collections"))
    dollars = share_gap(share, top, coll, "down")
    if dollars <= 0:
        return LeverStatus(mid, label, "no_gap",
                           f"{name} is {pct_text(share)} of collections, within its band (up to {pct_text(top)}).")
    formula = f"({rate_text(share)} − {rate_text(top)}) × {money_text(coll)} collections = {money_text(dollars)}"
    action = (f"Bring {name.lower()} from {pct_text(share)} to {pct_text(top)} of collections: review what drove the "
              f"increase and renegotiate or re-budget it.")
    return Opportunity(mid, label, mid, share, top, "ratio", formula, dollars, True, action, tgt.source, tgt.tier)


def _adjustments(values, kind, t) -> Opportunity | LeverStatus | None:
    label = "Fewer adjustments and write-offs"
    if (tgt := target("adjustments_rate", kind)) is None:
        return None
    goal = tgt.value
    rate, gross = _v(values, "adjustments_rate"), _v(values, "gross_production")
    if rate is None or gross is None:
        return LeverStatus("adjustments_rate", label, "not_sized", _why(values, "adjustments_rate", "gross_production"))
    dollars = share_gap(rate, goal, gross, "down")
    if dollars <= 0:
        return LeverStatus("adjustments_rate", label, "no_gap",
                           f"Adjustments are {pct_text(rate)} of {t['gross_production']}, at or below {pct_text(goal)}.")
    formula = (f"({rate_text(rate)} − {rate_text(goal)}) × {money_text(gross)} {t['gross_production']} "
               f"= {money_text(dollars)}")
    action = (f"Review adjustments ({pct_text(rate)} of {t['gross_production']}; {pct_text(goal)} is the fee-for-service "
              f"benchmark): separate contractual write-offs, which are fixed by the plans, from discounts and "
              f"write-offs the office chooses.")
    return Opportunity("adjustments_rate", label, "adjustments_rate", rate, goal, "ratio", formula, dollars, True,
                       action, tgt.source + "; contractual insurance write-offs cannot all be recovered", tgt.tier)


def _ar_over_90(values, kind, t) -> Opportunity | LeverStatus | None:
    label = "Old receivables collected"
    if (tgt := target("ar_over_90_share", kind)) is None:
        return None
    goal = tgt.value
    share, balance = _v(values, "ar_over_90_share"), _v(values, "ar_balance")
    if share is None or balance is None:
        return LeverStatus("ar_over_90_share", label, "not_sized", _why(values, "ar_over_90_share", "ar_balance"))
    dollars = share_gap(share, goal, balance, "down")
    if dollars <= 0:
        return LeverStatus("ar_over_90_share", label, "no_gap",
                           f"{pct_text(share)} of A/R is older than 90 days, at or below {pct_text(goal)}.")
    formula = (f"({rate_text(share)} − {rate_text(goal)}) × {money_text(balance)} A/R = {money_text(dollars)} "
               "(one-time cash)")
    action = (f"Work the A/R older than 90 days down from {pct_text(share)} to {pct_text(goal)} of the balance: "
              f"call or write on each account, and agree payment plans where needed.")
    return Opportunity("ar_over_90_share", label, "ar_over_90_share", share, goal, "ratio", formula, dollars,
                       False, action, tgt.source, tgt.tier)


def _in_words(r: Opportunity | LeverStatus, kind: str) -> Opportunity | LeverStatus:
    """A lever's words in the practice's vocabulary (charges and care plans in a medical practice)."""
    from dataclasses import fields, replace

    return replace(r, **{f.name: vocabulary(getattr(r, f.name), kind) for f in fields(r)
                         if f.name in ("label", "formula", "action", "text")})


def size_opportunities(values: Mapping[str, MetricValue], kind: str) -> Opportunities:
    """Size every lever from trailing-twelve-month metric values; largest dollars first.

    `values` maps metric ids (metrics.md) to their values for one T12 view; `kind` is the
    practice kind (dental | medical), which sets the targets and the words.
    """
    if kind not in TERMS:
        raise ValueError(f"unknown practice kind '{kind}'")
    t = TERMS[kind]
    results = [_collection(values, kind, t), _case_acceptance(values, kind, t), _no_shows(values, kind, t),
               _adjustments(values, kind, t), _ar_over_90(values, kind, t)]
    results += [_overhead(values, kind, t, c) for c in BANDED_CATEGORIES]
    out = Opportunities(collections=_v(values, "collections"))
    for r in results:
        if r is None:
            continue
        r = _in_words(r, kind)
        if isinstance(r, Opportunity):
            if round(r.dollars) > 0:
                out.items.append(r)
            else:
                out.no_gap.append(LeverStatus(r.lever, r.label, "no_gap", "The gap rounds to no dollars."))
        elif r.status == "no_gap":
            out.no_gap.append(r)
        else:
            out.not_sized.append(r)
    out.items.sort(key=lambda o: (-o.dollars, o.lever))
    return out


#: The metric ids the levers read.
INPUT_METRICS = ("collection_ratio", "net_production", "gross_production", "collections", "case_acceptance_value",
                 "unaccepted_treatment_value", "treatment_presented_value", "no_show_rate", "visits_completed",
                 "adjustments_rate", "ar_over_90_share", "ar_balance",
                 *(f"overhead_ratio_{c}" for c in BANDED_CATEGORIES))


def practice_opportunities(practice: "Practice", period: "Period") -> Opportunities:
    """The levers of one practice, sized on the trailing twelve months ending at the period's last month."""
    from dyad_lib.metrics.compute import compute_metrics

    t12 = period.view("t12")
    values = compute_metrics(practice, t12)
    return size_opportunities(values, practice.kind)
