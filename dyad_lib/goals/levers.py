"""Levers: how much each of case acceptance, new patients, utilization, fees and no-shows could add,
and which combination closes the gap between history and the goal."""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from dyad_lib.fmt import money_text, pct_text
from dyad_lib.goals.inputs import History, NO_SHOW_TARGET


#: Default size of each lever in the scenario table.
LEVER_STEPS = {"no_shows": NO_SHOW_TARGET, "case_acceptance": 0.05, "utilization": 0.05, "new_patients": 24,
               "fees": 0.03}


#: Order in which levers are combined: first those that use the patients and hours the practice
#: already has, fees last.
LEVER_ORDER = ("no_shows", "case_acceptance", "utilization", "new_patients", "fees")


def levers(history: History, fee_change: float = 0.0, steps: Mapping[str, float] | None = None) -> pd.DataFrame:
    """How much each lever adds in collections a year, with its formula (amount None + why when it
    cannot be sized). Columns: lever, setting, step, amount, formula."""
    st = {**LEVER_STEPS, **(steps or {})}
    h = history.get
    ratio = h("collection_ratio")
    rows = []

    def row(lever: str, setting: str, step: float, amount: float | None, formula: str) -> None:
        rows.append({"lever": lever, "setting": setting, "step": step,
                     "amount": None if amount is None else round(amount, 2), "formula": formula})

    # no-shows down to 7%
    rate, done, net = h("no_show_rate"), h("visits_completed"), h("net_production")
    if rate is None or not done or net is None or ratio is None:
        row("no_shows", "no-shows to 7%", 0, None, "needs appointments with no-shows and production")
    elif rate <= st["no_shows"]:
        row("no_shows", f"no-shows already {pct_text(rate)}", 0, 0.0, f"no-show rate {pct_text(rate)} ≤ 7%")
    else:
        booked = done / (1 - rate)
        recovered = (rate - st["no_shows"]) * booked
        per_visit = net / done
        row("no_shows", f"no-shows {pct_text(rate)} → {pct_text(st['no_shows'])}", rate - st["no_shows"],
            recovered * per_visit * ratio,
            f"({pct_text(rate)} − {pct_text(st['no_shows'])}) × {booked:,.0f} kept or missed = {recovered:,.0f} visits "
            f"× {money_text(per_visit)} per visit × {pct_text(ratio)} collected")
    # case acceptance
    acc, presented = h("case_acceptance_value"), h("treatment_presented_value")
    if presented is None and acc is not None and h("unaccepted_treatment_value") is not None and acc < 1:
        presented = h("unaccepted_treatment_value") / (1 - acc)
    n = st["case_acceptance"]
    if acc is None or presented is None or ratio is None:
        row("case_acceptance", f"case acceptance +{n * 100:.0f} points", n, None, "needs treatment plans")
    else:
        row("case_acceptance", f"case acceptance {pct_text(acc)} → {pct_text(acc + n)}", n, n * presented * ratio,
            f"{n * 100:.0f} points × {money_text(presented)} presented × {pct_text(ratio)} collected")
    # utilization
    util, hours = h("chair_utilization"), h("chair_hours_available")
    n = st["utilization"]
    if not util or not hours or net is None or ratio is None:
        row("utilization", f"chair utilization +{n * 100:.0f} points", n, None, "needs appointments and chair hours")
    else:
        per_booked = net / (util * hours)
        row("utilization", f"chair utilization {pct_text(util)} → {pct_text(util + n)}", n,
            n * hours * per_booked * ratio,
            f"{n * 100:.0f} points × {hours:,.0f} chair hours × {money_text(per_booked)} per booked hour "
            f"× {pct_text(ratio)} collected")
    # new patients
    n = st["new_patients"]
    value = history.new_patient_annual_value
    if value is None or ratio is None:
        row("new_patients", f"+{n:.0f} new patients a year", n, None,
            "needs two years of appointments with production")
    else:
        row("new_patients", f"+{n:.0f} new patients a year", n, n * value * ratio,
            f"{n:.0f} × {money_text(value)} first-year production per new patient × {pct_text(ratio)} collected")
    # fees
    n = fee_change or st["fees"]
    if net is None or ratio is None:
        row("fees", f"fees {n * 100:+.1f}%", n, None, "needs production")
    else:
        row("fees", f"fees {n * 100:+.1f}%", n, n * net * ratio,
            f"{n * 100:+.1f}% × {money_text(net)} net production × {pct_text(ratio)} collected")
    return pd.DataFrame(rows, columns=["lever", "setting", "step", "amount", "formula"])


def close_gap(lever_table: pd.DataFrame, gap: float | None) -> tuple[pd.DataFrame, str]:
    """A combination of levers, taken in LEVER_ORDER, that adds up to the gap (the last one scaled
    down to what is needed). Returns the rows used (lever, setting, share_of_lever, amount) and a
    sentence saying whether the gap closes."""
    cols = ["lever", "setting", "share_of_lever", "amount"]
    if gap is None:
        return pd.DataFrame(columns=cols), "No gap computed: no collections in the last twelve months."
    if gap <= 0:
        return pd.DataFrame(columns=cols), (f"No gap: the goal is {money_text(-gap)} at or below the last "
                                            "twelve months' collections.")
    left, used = gap, []
    by = {r.lever: r for r in lever_table.itertuples()}
    for lever in LEVER_ORDER:
        r = by.get(lever)
        if r is None or r.amount is None or pd.isna(r.amount) or r.amount <= 0:
            continue
        take = min(1.0, left / r.amount)
        used.append({"lever": lever, "setting": r.setting, "share_of_lever": round(take, 4),
                     "amount": round(r.amount * take, 2)})
        left -= r.amount * take
        if left <= 0.005:
            break
    df = pd.DataFrame(used, columns=cols)
    if left > 0.005:
        return df, (f"The levers together add {money_text(gap - left)}, {money_text(left)} short of the "
                    f"{money_text(gap)} gap: the goal needs added capacity or a lower target.")
    return df, f"These levers close the {money_text(gap)} gap between the last twelve months and the goal."
