"""Schedule, capacity, treatment, quality and survey metrics: ratios of the period's monthly sums."""

from __future__ import annotations

import numpy as np

from dyad_lib.data.contract import TEAM_ROLES
from dyad_lib.metrics.components import BURNOUT_MIN, Cols, Components, Result, div, first_reason, where

SCHEDULE_IDS = ("visits_completed", "chair_utilization", "production_per_chair_hour", "no_show_rate",
                "cancellation_rate", "pre_appointment_rate", "documentation_timeliness", "hygiene_production_share",
                "production_per_hygiene_hour")
TREATMENT_IDS = ("case_acceptance_count", "case_acceptance_value", "unaccepted_treatment_value",
                 "treatment_presented_value")
SURVEY_IDS = ("patient_nps", "staff_enps", "team_satisfaction", "burnout_rate",
              *(f"team_satisfaction_{r}" for r in TEAM_ROLES), *(f"burnout_rate_{r}" for r in TEAM_ROLES))

NO_APPTS = "no appointments dated in {period}"


def _schedule(rows: Cols, comp: Components) -> dict[str, Result]:
    out: dict[str, Result] = {}
    if "appt_rows" in rows:
        has = rows["appt_rows"] > 0
        n = len(has)
        done, ns, cx = rows["completed"], rows["no_show"], rows["cancelled"]
        out["visits_completed"] = (where(has, done), NO_APPTS)
        out["no_show_rate"] = div(ns, done + ns, "no completed or no-show appointments in {period}")
        out["cancellation_rate"] = div(cx, done + ns + cx, "no completed, no-show or cancelled appointments in {period}")
        what = "completed hygiene visit" if comp.kind == "dental" else "completed visit"
        out["pre_appointment_rate"] = div(rows["pre_num"], rows["pre_den"],
                                          f"no {what} with next_visit_booked filled in {{period}}")
        out["documentation_timeliness"] = div(rows["doc_num"], rows["doc_den"],
                                              "no completed visit with a documented_date in {period}")
        out["hygiene_production_share"] = div(rows["hyg_prod"], rows["visit_prod"],
                                              "no production on completed visits in {period}")
        out["production_per_hygiene_hour"] = div(rows["hyg_prod"], rows["hyg_min"] / 60.0,
                                                 "no completed hygiene visits in {period}")
        if "chair_hours" in rows:
            v, _ = div(rows["chair_min"], rows["chair_hours"] * 60, "")
            out["chair_utilization"] = (where(has, v), first_reason(
                [(~has, NO_APPTS), (rows["chair_hours"] <= 0, "no chair hours available in {period}")], n))
    if "chair_hours" in rows and "gross" in rows:
        out["production_per_chair_hour"] = div(rows["gross"] - rows["adj"], rows["chair_hours"],
                                               "no chair hours available in {period}")
    return out


def _treatment(rows: Cols) -> dict[str, Result]:
    if "plans" not in rows:
        return {}
    none = "no treatment plans presented in {period}"
    has = rows["plans"] > 0
    return {
        "case_acceptance_count": div(rows["plans_accepted"], rows["plans"], none),
        "case_acceptance_value": div(rows["accepted"], rows["presented"], none),
        "unaccepted_treatment_value": (where(has, rows["presented"] - rows["accepted"]), none),
        "treatment_presented_value": (where(has, rows["presented"]), none),
    }


def _quality(rows: Cols, comp: Components) -> dict[str, Result]:
    out: dict[str, Result] = {}
    n = len(next(iter(rows.values()))) if rows else 0
    zero = np.zeros(n)
    for m in comp.measure_names:
        has = rows.get(f"q_rows:{m}", zero) > 0
        den = rows.get(f"q_den:{m}", zero)
        v, _ = div(rows.get(f"q_num:{m}", zero), den, "")
        out[f"quality_{m}"] = (where(has, v), first_reason(
            [(~has, f"no rows for measure {m} in {{period}}"),
             (den == 0, f"measure {m} has no eligible patients (denominator 0) in {{period}}")], n))
    return out


def _nps(prom: np.ndarray, det: np.ndarray, n: np.ndarray) -> np.ndarray:
    v, _ = div((prom - det) * 100.0, n, "")
    return v


def _complementary_suppression(rows: Cols, n: int) -> dict[str, np.ndarray]:
    """Roles to hide, beyond the small ones, so a small role can't be worked out by subtraction.

    A role with 1-2 responses is not shown; but with the overall figure and every other role
    shown, its answers would follow from the difference. So the smallest shown roles are hidden
    with it until the hidden roles together hold at least BURNOUT_MIN responses from at least two
    roles (the standard complementary-suppression rule of statistical disclosure control).
    Returns, per role, True where the role must be hidden although it has enough responses.
    """
    counts = {g: np.asarray(rows[f"ts_n:{g}"]) for g in TEAM_ROLES}
    extra = {g: np.zeros(n, bool) for g in TEAM_ROLES}
    for i in range(n):
        c = {g: int(counts[g][i]) for g in TEAM_ROLES}
        hidden = [g for g in TEAM_ROLES if 0 < c[g] < BURNOUT_MIN]
        if not hidden:
            continue
        shown = sorted((g for g in TEAM_ROLES if c[g] >= BURNOUT_MIN), key=lambda g: (c[g], g))
        while shown and (sum(c[g] for g in hidden) < BURNOUT_MIN or len(hidden) < 2):
            g = shown.pop(0)
            hidden.append(g)
            extra[g][i] = True
    return extra


def _surveys(rows: Cols) -> dict[str, Result]:
    out: dict[str, Result] = {}
    if "ps_n" in rows:
        out["patient_nps"] = (_nps(rows["ps_prom"], rows["ps_det"], rows["ps_n"]),
                              "no patient survey responses in {period}")
    if "ts_n:all" in rows:
        n = len(rows["ts_n:all"])
        few = f"fewer than {BURNOUT_MIN} team survey responses in {{period}} (not shown, to keep answers anonymous)"
        hidden_by_complement = _complementary_suppression(rows, n)
        for g in ("all",) + TEAM_ROLES:
            enough = rows[f"ts_n:{g}"] >= BURNOUT_MIN
            if g != "all":
                enough = enough & ~hidden_by_complement[g]
            who = "" if g == "all" else f"{g} "
            few_g = few if g == "all" else few.replace("team survey responses", f"{g} responses")
            suffix = "" if g == "all" else f"_{g}"
            sat, _ = div(rows[f"sat_sum:{g}"], rows[f"sat_n:{g}"], "")
            shielded = hidden_by_complement.get(g, np.zeros(n, bool))
            shield_reason = (f"not shown: another role has fewer than {BURNOUT_MIN} responses in {{period}}, "
                             f"and showing the {g} figure would let that role's answers be worked out")
            out[f"team_satisfaction{suffix}"] = (where(enough, sat), first_reason(
                [(shielded, shield_reason), (~enough, few_g), (rows[f"sat_n:{g}"] == 0, f"no {who}satisfaction answers in {{period}}")], n))
            burn, _ = div(rows[f"burn_yes:{g}"], rows[f"burn_n:{g}"], "")
            out[f"burnout_rate{suffix}"] = (where(enough, burn), first_reason(
                [(shielded, shield_reason), (~enough, few_g), (rows[f"burn_n:{g}"] == 0, f"no {who}burnout answers in {{period}}")], n))
        enough = rows["ts_n:all"] >= BURNOUT_MIN
        out["staff_enps"] = (where(enough, _nps(rows["enps_prom:all"], rows["enps_det:all"], rows["enps_n:all"])),
                             first_reason([(~enough, few), (rows["enps_n:all"] == 0,
                                                            "no recommend_workplace answers in {period}")], n))
    return out


def evaluate(rows: Cols, comp: Components) -> dict[str, Result]:
    out = _schedule(rows, comp)
    out.update(_treatment(rows))
    out.update(_quality(rows, comp))
    out.update(_surveys(rows))
    return out
