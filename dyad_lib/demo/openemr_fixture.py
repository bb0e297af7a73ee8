"""An OpenEMR-shaped family-practice database, generated: the fixture for the importer's tests, the
medical demo built through the import, and the benchmark's ten-year, forty-provider practice.

The tables and columns are OpenEMR's own (`dyad_lib.demo.openemr_schema`); the data is a simulated
family practice with the traps real databases have, so an importer built to OpenEMR's documented
rules — not to this file — is what passes:

* fee-sheet lines that are not charges: deleted lines (activity 0) that keep their fee, ICD10
  diagnosis lines without a fee, COPAY lines with a negative fee (a patient payment), TAX lines;
  line totals for units > 1; lines with no provider (the encounter's provider bills) and a nurse
  practitioner's visits billed under the supervising physician;
* insurance paid weeks or months after the visit on checks (ar_session), with the contractual
  adjustment in the same posting; the patient's share paid later, so insurance and patient payments
  land on one encounter; uninsured visits with a self-pay discount; postings voided in OpenEMR
  (`deleted` set) and re-entered; postings whose posting date (`post_date`) differs from the time
  they were keyed (`post_time`), often across a month end; debit adjustments and patient refunds;
  a payment for an encounter that form_encounter does not hold; a physician who left, whose
  claims are still paid after his last day; unpaid patient balances written off as bad debt months
  after the visit;
* claims billed the day after charge entry, some denied (claims.status 7) and resubmitted;
* the calendar: office hours as repeating In Office / Out Of Office events (every workday, or on
  listed weekdays) with exception dates for holidays and vacations, a lunch hour, a provider with
  no Out Of Office (open until the schedule's end), vacation days; patients' appointments with
  every status of the apptstat list, the practice's own check-in status, late cancellations, a
  repeating appointment series with a skipped week, events without a patient (meetings, pid '0').

Everything is drawn from one seeded numpy generator, so a spec always gives the same database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dyad_lib.demo import openemr_schema as schema

#: (code, description, fee) of the visit codes; new-patient codes for a first visit.
ESTABLISHED = [("99212", "Office visit, established, 10 min", 85.0), ("99213", "Office visit, established, 20 min",
                                                                        125.0),
               ("99214", "Office visit, established, 30 min", 180.0), ("99215", "Office visit, established, 40 min",
                                                                        245.0)]
NEW = [("99202", "Office visit, new, 15 min", 110.0), ("99203", "Office visit, new, 30 min", 165.0),
       ("99204", "Office visit, new, 45 min", 250.0)]
EXTRAS = [("81002", "Urinalysis, non-automated", 12.0), ("36415", "Routine venipuncture", 15.0),
          ("90471", "Immunization administration", 28.0), ("93000", "Electrocardiogram", 55.0)]
ICD10 = ["E11.9", "I10", "J06.9", "M54.5", "Z00.00", "E78.5", "F41.1", "J45.909"]
FIRST = ["Ana", "Marcus", "Lena", "Omar", "Grace", "Ivan", "Nadia", "Peter", "Rosa", "Samir", "Tara", "Victor", "Wen",
         "Yara", "Zoe", "Elias", "Farah", "Gavin", "Hana", "Jonas"]
LAST = ["Rivera", "Bell", "Park", "Haddad", "Kim", "Petrov", "Silva", "Novak", "Grant", "Okafor", "Lindqvist", "Mensah",
        "Castro", "Dubois", "Tanaka", "Moreau", "Ahmed", "Walsh", "Berg", "Costa"]
NO_REPEAT = ('a:5:{s:17:"event_repeat_freq";s:1:"0";s:22:"event_repeat_freq_type";s:1:"0";'
             's:19:"event_repeat_on_num";s:1:"1";s:19:"event_repeat_on_day";s:1:"0";s:20:"event_repeat_on_freq";s:1:"0";}')
APPTSTAT = [("-", "- None", 0, 0), ("*", "* Reminder done", 0, 0), ("+", "+ Chart pulled", 0, 0),
            ("x", "x Canceled", 0, 0), ("?", "? No show", 0, 0), ("@", "@ Arrived", 1, 0),
            ("~", "~ Arrived late", 1, 0), ("!", "! Left w/o visit", 0, 0), ("#", "# Ins/fin issue", 0, 0),
            ("<", "< In exam room", 0, 0), (">", "> Checked out", 0, 1), ("$", "$ Coding done", 0, 0),
            ("%", "% Canceled < 24h", 0, 0), ("^", "^ Pending", 0, 0), ("KIOSK", "Kiosk check-in", 1, 0)]
CATEGORIES = [(1, "no_show", "No Show", 1), (2, "in_office", "In Office", 1), (3, "out_of_office", "Out Of Office", 1),
              (4, "vacation", "Vacation", 1), (5, "office_visit", "Office Visit", 0), (8, "lunch", "Lunch", 1),
              (9, "established_patient", "Established Patient", 0), (10, "new_patient", "New Patient", 0),
              (11, "reserved", "Reserved", 1), (13, "preventive_care_services", "Preventive Care Services", 0)]


@dataclass(frozen=True)
class FixtureSpec:
    """One simulated family practice: its dates and its team."""

    start: dt.date = dt.date(2024, 1, 1)
    end: dt.date = dt.date(2024, 6, 30)  # the last day with visits; later only bookings
    physicians: int = 2
    nurse_practitioners: int = 1
    seed: int = 7
    horizon_days: int = 45
    visits_per_day: float = 14.0
    title: str = "Cedar Grove Family Medicine"
    former_physician: bool = True


#: The practice `dyad demo --openemr` imports: the demo's dates, three physicians and a nurse practitioner.
DEMO = FixtureSpec(start=dt.date(2023, 1, 1), end=dt.date(2026, 9, 30), physicians=3, nurse_practitioners=1, seed=15,
                   horizon_days=120)
DEMO_PRACTICE = "cedar-family-medicine"
#: The benchmark's practice: ten years, forty providers (about two million billing lines).
BENCHMARK = FixtureSpec(start=dt.date(2016, 1, 1), end=dt.date(2025, 12, 31), physicians=30, nurse_practitioners=10,
                        seed=3, visits_per_day=9.0, former_physician=False)

EPOCH = np.datetime64("1970-01-01")


def _holidays(years: range) -> set[dt.date]:
    out = set()
    for y in years:
        nov1 = dt.date(y, 11, 1)
        may31 = dt.date(y, 5, 31)
        sep1 = dt.date(y, 9, 1)
        out |= {dt.date(y, 1, 1), dt.date(y, 7, 4), dt.date(y, 12, 25),
                nov1 + dt.timedelta((3 - nov1.weekday()) % 7 + 21), may31 - dt.timedelta(may31.weekday()),
                sep1 + dt.timedelta((0 - sep1.weekday()) % 7)}
    return out


def _days(d: np.ndarray) -> np.ndarray:
    """Day numbers as datetime64[D]."""
    return EPOCH + np.asarray(d, dtype="int64").astype("timedelta64[D]")


def _text_dates(d: np.ndarray, time: str | None = None) -> list:
    """Day numbers as ISO text (None stays None), with a time of day when given."""
    out = np.datetime_as_string(_days(np.nan_to_num(d).astype("int64")), unit="D").astype(object)
    if time is not None:
        out = out + f" {time}"
    out[pd.isna(d)] = None
    return list(out)


def _spec_text(freq: str, ftype: int, exdates: list[dt.date] | None = None) -> str:
    items = [("event_repeat_freq", freq), ("event_repeat_freq_type", str(ftype)), ("event_repeat_on_num", "1"),
             ("event_repeat_on_day", "0"), ("event_repeat_on_freq", "0")]
    if exdates:
        items.append(("exdate", ",".join(d.strftime("%Y%m%d") for d in sorted(exdates))))
    body = "".join(f's:{len(k)}:"{k}";s:{len(v)}:"{v}";' for k, v in items)
    return f"a:{len(items)}:{{{body}}}"


def generate(spec: FixtureSpec = DEMO) -> dict[str, pd.DataFrame]:  # noqa: C901  (one story, told in order)
    """Every table of the simulated practice as frames with OpenEMR's column names."""
    rng = np.random.default_rng(spec.seed)
    start, end = spec.start, spec.end
    last = end + dt.timedelta(days=spec.horizon_days)
    all_days = pd.date_range(start, last, freq="D")
    hol = _holidays(range(start.year, last.year + 1))
    weekday = all_days.weekday.to_numpy()
    is_hol = np.array([d.date() in hol for d in all_days])
    day_no = ((all_days.to_numpy().astype("datetime64[D]") - EPOCH).astype("int64"))

    # --- users: an administrator, physicians, nurse practitioners, a physician who left, the front desk ------------
    n_md, n_np = spec.physicians, spec.nurse_practitioners
    kinds = ["MD"] * n_md + ["NP"] * n_np + (["OLD"] if spec.former_physician else [])
    prov = np.arange(2, 2 + len(kinds), dtype=np.int64)
    users = pd.DataFrame({
        "id": np.concatenate([[1], prov, [prov[-1] + 1]]),
        "username": ["admin"] + [f"user{i}" for i in prov] + ["frontdesk"],
        "fname": ["Admin"] + [FIRST[i % 20] for i in range(len(kinds))] + ["Fran"],
        "lname": ["Istrator"] + [LAST[(i * 7 + 3) % 20] for i in range(len(kinds))] + ["Desk"],
        "suffix": [""] + ["MD" if k != "NP" else "NP" for k in kinds] + [""],
        "authorized": [0] + [1] * len(kinds) + [0],
        "active": [1] + [int(k != "OLD") for k in kinds] + [1],
        "taxonomy": ["207Q00000X"] + ["363LF0000X" if k == "NP" else "207Q00000X" for k in kinds] + ["207Q00000X"],
        "npi": [None] + [f"1{i:09d}" for i in prov] + [None],
        "federaltaxid": [None] + ["99-1234567"] * len(kinds) + [None],
        "calendar": [0] + [1] * len(kinds) + [0],
    })
    mds = prov[[k == "MD" for k in kinds]]
    nps = prov[[k == "NP" for k in kinds]]
    former = prov[-1] if spec.former_physician else None
    former_until = (pd.Timestamp(start) + pd.Timedelta(days=75)).date()

    # --- office hours: repeating In Office / Out Of Office events with exception dates --------------------------------
    events: list[dict] = []
    eid = iter(range(1, 10_000_000))
    work: dict[int, np.ndarray] = {}
    hours_of: dict[int, tuple[int, int]] = {}
    for i, (p, k) in enumerate(zip(prov, kinds)):
        vac_start = all_days[rng.integers(30, max(31, len(all_days) - 10))].date()
        vacation = {vac_start + dt.timedelta(days=j) for j in range(5)}
        ex = sorted(h for h in hol if start <= h <= last) + sorted(v for v in vacation if v.weekday() < 5)
        stop = former_until if k == "OLD" else last
        if k == "NP":  # Tuesdays and Thursdays, 09:00 until the schedule's end (no Out Of Office)
            days_ok = np.isin(weekday, [1, 3])
            spec_text = _spec_text("3,5", 6, ex)
            first = next(d for d in all_days if d.weekday() == 1).date()
            events.append({"pc_eid": next(eid), "pc_catid": 2, "pc_aid": str(p), "pc_pid": "", "pc_eventDate": first,
                           "pc_endDate": stop, "pc_recurrtype": 3, "pc_recurrspec": spec_text, "pc_startTime": "09:00:00",
                           "pc_endTime": "09:00:00", "pc_duration": 0, "pc_title": "In Office"})
            hours_of[p] = (9, 17)
        else:
            days_ok = weekday < 5
            spec_text = _spec_text("1", 4, ex)
            first = next(d for d in all_days if d.weekday() < 5).date()
            for cat, time in ((2, "08:00:00"), (3, "17:00:00")):
                events.append({"pc_eid": next(eid), "pc_catid": cat, "pc_aid": str(p), "pc_pid": "",
                               "pc_eventDate": first, "pc_endDate": stop, "pc_recurrtype": 1,
                               "pc_recurrspec": spec_text if cat == 2 else _spec_text("1", 4), "pc_startTime": time,
                               "pc_endTime": time, "pc_duration": 0,
                               "pc_title": "In Office" if cat == 2 else "Out Of Office"})
            if i % 2 == 0:
                events.append({"pc_eid": next(eid), "pc_catid": 8, "pc_aid": str(p), "pc_pid": "",
                               "pc_eventDate": first, "pc_endDate": stop, "pc_recurrtype": 1,
                               "pc_recurrspec": _spec_text("1", 4), "pc_startTime": "12:00:00",
                               "pc_endTime": "13:00:00", "pc_duration": 3600, "pc_title": "Lunch"})
            hours_of[p] = (8, 17)
        vac_days = np.array([d.date() in vacation for d in all_days])
        ok = days_ok & ~is_hol & ~vac_days & (all_days.date <= stop)
        work[p] = day_no[ok]
        # the vacation also on the calendar (skipped by the exception dates anyway)
        events.append({"pc_eid": next(eid), "pc_catid": 4, "pc_aid": str(p), "pc_pid": "", "pc_eventDate": vac_start,
                       "pc_endDate": schema.ZERO_DATE, "pc_recurrtype": 0, "pc_recurrspec": NO_REPEAT,
                       "pc_startTime": "00:00:00", "pc_endTime": "00:00:00", "pc_duration": 0, "pc_alldayevent": 1,
                       "pc_title": "Vacation"})
        # a staff meeting on the first workday of each month: no patient
        months = pd.date_range(start, last, freq="MS")
        for m in months[::max(1, len(months) // 6)]:
            events.append({"pc_eid": next(eid), "pc_catid": 11, "pc_aid": str(p), "pc_pid": "",
                           "pc_eventDate": m.date(), "pc_endDate": schema.ZERO_DATE, "pc_recurrtype": 0,
                           "pc_recurrspec": NO_REPEAT, "pc_startTime": "12:30:00", "pc_endTime": "13:00:00",
                           "pc_duration": 1800, "pc_title": "Staff meeting"})

    # --- patients -------------------------------------------------------------------------------------------------
    total_slots = sum(len(v) for v in work.values()) * spec.visits_per_day
    n_pat = max(60, int(total_slots / max((last - start).days / 365.25, 0.25) / 3.2))
    pat = np.arange(1, n_pat + 1, dtype=np.int64)
    joins = np.where(rng.random(n_pat) < 0.75, day_no[0] - 400, rng.integers(day_no[0], day_no[0] + max(
        (end - start).days, 1), n_pat))
    insured = rng.random(n_pat) < 0.86
    home = rng.choice(prov[[k != "OLD" for k in kinds]], size=n_pat)

    # --- appointments in the providers' office hours ------------------------------------------------------------------
    parts = []
    for p in prov:
        d = work[p]
        n = rng.poisson(spec.visits_per_day, len(d))
        h0, h1 = hours_of[p]
        slot = np.concatenate([rng.permutation((h1 - h0) * 4 - 4)[:k] if k else np.array([], dtype=np.int64)
                               for k in np.minimum(n, (h1 - h0) * 4 - 4)]) if len(n) else np.array([], dtype=np.int64)
        rep = np.repeat(d, np.minimum(n, (h1 - h0) * 4 - 4))
        parts.append(pd.DataFrame({"day": rep, "minute": h0 * 60 + 15 * slot, "p": p}))
    ap = pd.concat(parts, ignore_index=True)
    ahead = np.maximum(ap["day"].to_numpy() - (day_no[0] + (end - start).days), 0)
    ap = ap[rng.random(len(ap)) < np.exp(-ahead / 40.0)].reset_index(drop=True)
    n_a = len(ap)
    panel_of = {p: pat[home == p] for p in prov}
    patient = np.empty(n_a, dtype=np.int64)
    for p in prov:
        m = (ap["p"] == p).to_numpy()
        panel = panel_of.get(p)
        panel = panel if panel is not None and len(panel) else pat
        panel = panel[np.argsort(joins[panel - 1], kind="stable")]
        k = np.maximum(np.searchsorted(joins[panel - 1], ap["day"].to_numpy()[m], side="right"), 1)
        patient[m] = panel[(rng.random(int(m.sum())) * k).astype(np.int64)]
    ap["pid"] = patient
    ap = ap.sort_values(["day", "minute", "p"], kind="stable").reset_index(drop=True)
    past = ap["day"].to_numpy() <= day_no[0] + (end - start).days
    r = rng.random(n_a)
    status = np.select([r < 0.50, r < 0.68, r < 0.75, r < 0.78, r < 0.80, r < 0.81, r < 0.86, r < 0.885, r < 0.89,
                        r < 0.92],
                       [">", "@", "$", "~", "KIOSK", "<", "?", "x", "!", "%"], default="-")
    status = np.where(status == "-", np.where(rng.random(n_a) < 0.5, ">", "x"), status)
    future = np.where(rng.random(n_a) < 0.5, "-", np.where(rng.random(n_a) < 0.5, "*", "+"))
    ap["status"] = np.where(past, status, future)
    first_visit = ~pd.Series(ap["pid"]).duplicated().to_numpy()
    ap["cat"] = np.where(first_visit & (joins[ap["pid"].to_numpy() - 1] >= day_no[0]), 10,
                         rng.choice([9, 9, 9, 5, 13], size=n_a))
    ap["dur"] = np.where(ap["cat"] == 10, 1800, np.where(rng.random(n_a) < 0.7, 900, 1800))
    ap["booked"] = ap["day"] - rng.integers(1, 45, n_a)
    # some past appointments were never given a status; some no-shows are booked in the No Show category
    never = past & (rng.random(n_a) < 0.004)
    ap.loc[never, "status"] = "-"
    ns_cat = (ap["status"] == "?").to_numpy() & (rng.random(n_a) < 0.2)
    ap.loc[ns_cat, ["status", "cat"]] = ["-", 1]
    ap_events = pd.DataFrame({
        "pc_eid": np.arange(1_000_000, 1_000_000 + n_a), "pc_catid": ap["cat"], "pc_aid": ap["p"].astype(str),
        "pc_pid": ap["pid"].astype(str), "pc_eventDate": _text_dates(ap["day"].to_numpy()),
        "pc_endDate": schema.ZERO_DATE, "pc_recurrtype": 0, "pc_recurrspec": NO_REPEAT,
        "pc_startTime": [f"{m // 60:02d}:{m % 60:02d}:00" for m in ap["minute"]],
        "pc_endTime": [f"{(m + d // 60) // 60:02d}:{(m + d // 60) % 60:02d}:00" for m, d in zip(ap["minute"], ap["dur"])],
        "pc_duration": ap["dur"], "pc_apptstatus": ap["status"], "pc_time": _text_dates(ap["booked"].to_numpy(),
                                                                                         "09:15:00"),
        "pc_title": "Office Visit", "pc_hometext": "Private note", "pc_eventstatus": 1, "pc_facility": 3,
    })
    # a repeating weekly series (physical therapy follow-ups) with one week skipped, and a pid '0' event
    series_start = (pd.Timestamp(start) + pd.Timedelta(days=14)).date()
    while series_start.weekday() != 2:
        series_start += dt.timedelta(days=1)
    skip = series_start + dt.timedelta(days=14)
    events.append({"pc_eid": next(eid), "pc_catid": 5, "pc_aid": str(prov[0]), "pc_pid": str(pat[0]),
                   "pc_eventDate": series_start, "pc_endDate": series_start + dt.timedelta(days=42), "pc_recurrtype": 1,
                   "pc_recurrspec": _spec_text("1", 1, [skip]), "pc_startTime": "16:00:00", "pc_endTime": "16:30:00",
                   "pc_duration": 1800, "pc_apptstatus": "-", "pc_title": "Follow-up series"})
    events.append({"pc_eid": next(eid), "pc_catid": 5, "pc_aid": str(prov[0]), "pc_pid": "0",
                   "pc_eventDate": series_start, "pc_endDate": schema.ZERO_DATE, "pc_recurrtype": 0,
                   "pc_recurrspec": NO_REPEAT, "pc_startTime": "07:30:00", "pc_endTime": "07:45:00", "pc_duration": 900,
                   "pc_title": "Blocked"})
    cal = pd.concat([pd.DataFrame(events), ap_events], ignore_index=True)
    for c in ("pc_eventDate", "pc_endDate"):
        cal[c] = cal[c].map(lambda v: v if isinstance(v, str) else v.isoformat())
    cal["pc_eventstatus"] = 1
    cal["pc_apptstatus"] = cal["pc_apptstatus"].fillna("-")
    cal["pc_alldayevent"] = cal["pc_alldayevent"].fillna(0).astype(int)

    # --- encounters of the visits that happened --------------------------------------------------------------------------
    done = ap[np.isin(ap["status"], [">", "@", "$", "~", "KIOSK", "<"]) & past].reset_index(drop=True)
    n_e = len(done)
    enc_no = np.arange(100_000, 100_000 + n_e, dtype=np.int64)
    enc = pd.DataFrame({"id": np.arange(1, n_e + 1), "encounter": enc_no, "pid": done["pid"],
                        "date": _text_dates(done["day"].to_numpy(), "09:00:00"), "provider_id": done["p"],
                        "facility_id": 3, "pc_catid": done["cat"], "reason": "Visit"})
    # --- the fee sheet ---------------------------------------------------------------------------------------------------------
    new = (done["cat"] == 10).to_numpy()
    level = rng.choice(4, size=n_e, p=[0.2, 0.45, 0.28, 0.07])
    code = np.where(new, [NEW[min(i, 2)][0] for i in level], [ESTABLISHED[i][0] for i in level])
    fee = np.where(new, [NEW[min(i, 2)][2] for i in level], [ESTABLISHED[i][2] for i in level])
    lag = rng.choice([0, 1, 2, 3, 5, 8, 14], size=n_e, p=[0.35, 0.25, 0.15, 0.1, 0.07, 0.05, 0.03])
    entered = done["day"].to_numpy() + lag
    is_np = np.isin(done["p"].to_numpy(), nps)
    billed_by = np.where(is_np & (rng.random(n_e) < 0.5), mds[0] if len(mds) else done["p"], done["p"])
    billed_by = np.where(rng.random(n_e) < 0.1, 0, billed_by)  # no line provider: the encounter's
    lines = [pd.DataFrame({"encounter": enc_no, "pid": done["pid"], "code_type": "CPT4", "code": code, "fee": fee,
                           "units": 1, "activity": 1, "provider_id": billed_by, "entered": entered})]
    ex = rng.random(n_e) < 0.3
    pick = rng.integers(0, len(EXTRAS), n_e)
    units = np.where(pick == 0, rng.integers(1, 4, n_e), 1)
    lines.append(pd.DataFrame({"encounter": enc_no[ex], "pid": done["pid"][ex], "code_type": "CPT4",
                               "code": [EXTRAS[i][0] for i in pick[ex]],
                               "fee": np.array([EXTRAS[i][2] for i in pick[ex]]) * units[ex], "units": units[ex],
                               "activity": 1, "provider_id": billed_by[ex], "entered": entered[ex]}))
    nd = rng.integers(1, 3, n_e)
    rep = np.repeat(np.arange(n_e), nd)
    lines.append(pd.DataFrame({"encounter": enc_no[rep], "pid": done["pid"].to_numpy()[rep], "code_type": "ICD10",
                               "code": rng.choice(ICD10, len(rep)), "fee": np.nan, "units": 1, "activity": 1,
                               "provider_id": billed_by[rep], "entered": entered[rep]}))
    copay = insured[done["pid"].to_numpy() - 1] & (rng.random(n_e) < 0.4)
    copay_amt = rng.choice([20.0, 25.0, 30.0, 40.0], n_e)
    lines.append(pd.DataFrame({"encounter": enc_no[copay], "pid": done["pid"][copay], "code_type": "COPAY",
                               "code": "", "fee": -copay_amt[copay], "units": 1, "activity": 1,
                               "provider_id": billed_by[copay], "entered": done["day"].to_numpy()[copay]}))
    deleted = rng.random(n_e) < 0.03
    lines.append(pd.DataFrame({"encounter": enc_no[deleted], "pid": done["pid"][deleted], "code_type": "CPT4",
                               "code": "99215", "fee": 245.0, "units": 1, "activity": 0,
                               "provider_id": billed_by[deleted], "entered": entered[deleted]}))
    tax = rng.random(n_e) < 0.01
    lines.append(pd.DataFrame({"encounter": enc_no[tax], "pid": done["pid"][tax], "code_type": "TAX", "code": "ST",
                               "fee": rng.integers(100, 500, int(tax.sum())) / 100, "units": 1, "activity": 1,
                               "provider_id": billed_by[tax], "entered": entered[tax]}))
    bill = pd.concat(lines, ignore_index=True).sort_values(["encounter", "code_type"], kind="stable")
    bill = bill.reset_index(drop=True)
    bill["id"] = np.arange(1, len(bill) + 1)
    bill["date"] = _text_dates(bill["entered"].to_numpy(), "15:30:00")
    bill["code_text"] = bill["code"]
    bill["authorized"], bill["billed"] = 1, 0
    bill = bill.drop(columns=["entered"])
    # re-dated encounters: a few visits moved a day later after their charges were entered
    moved = rng.random(n_e) < 0.005
    enc.loc[moved, "date"] = _text_dates(done["day"].to_numpy()[moved] + lag[moved] + 1, "09:00:00")

    # --- claims, payments and adjustments ------------------------------------------------------------------------------------
    charge = bill[(bill["activity"] == 1) & (bill["code_type"] == "CPT4")].groupby("encounter")["fee"].sum()
    total = charge.reindex(enc_no).fillna(0).to_numpy()
    ins = insured[done["pid"].to_numpy() - 1]
    cp = np.where(copay, copay_amt, 0.0)
    denied = ins & (rng.random(n_e) < 0.07)
    billed_day = entered + rng.integers(0, 3, n_e)
    claims = [pd.DataFrame({"patient_id": done["pid"][ins], "encounter_id": enc_no[ins], "version": 1, "status": 2,
                            "payer_type": 1, "payer_id": 7, "bill_time": _text_dates(billed_day[ins], "10:00:00")})]
    claims.append(pd.DataFrame({"patient_id": done["pid"][denied], "encounter_id": enc_no[denied], "version": 2,
                                "status": 7, "payer_type": 1, "payer_id": 7,
                                "bill_time": _text_dates(billed_day[denied], "10:00:00")}))
    claims.append(pd.DataFrame({"patient_id": done["pid"][denied], "encounter_id": enc_no[denied], "version": 3,
                                "status": 2, "payer_type": 1, "payer_id": 7,
                                "bill_time": _text_dates(billed_day[denied] + 21, "10:00:00")}))
    claims = pd.concat(claims, ignore_index=True)
    allowed = np.round(total * rng.uniform(0.55, 0.75, n_e), 2)
    paid_day = billed_day + rng.integers(12, 50, n_e) + np.where(denied, 35, 0)
    ins_pay = np.round(np.maximum(allowed - cp, 0) * 0.8, 2)
    contractual = np.round(total - allowed, 2)
    pt_share = np.round(np.maximum(allowed - cp - ins_pay, 0), 2)
    end_no = day_no[0] + (end - start).days
    posts = []
    seq = np.zeros(n_e, dtype=np.int64)

    def post(mask, payer, day, pay, adj, session=0, memo="", deleted=None, post_date=None):
        idx = np.flatnonzero(mask)
        seq[idx] += 1
        posts.append(pd.DataFrame({"pid": done["pid"].to_numpy()[idx], "encounter": enc_no[idx],
                                   "sequence_no": seq[idx].copy(), "payer_type": payer,
                                   "post_time": _text_dates(np.asarray(day)[idx], "11:00:00"),
                                   "pay_amount": np.asarray(pay, dtype=float)[idx],
                                   "adj_amount": np.asarray(adj, dtype=float)[idx],
                                   "session_id": np.asarray(session)[idx] if np.ndim(session) else session,
                                   "memo": memo, "deleted": None if deleted is None else np.asarray(deleted)[idx],
                                   "post_date": None if post_date is None else np.asarray(post_date, dtype=object)[idx],
                                   "account_code": "IPP" if payer else "PP"}))

    paid = ins & (paid_day <= end_no + 20)
    keyed_late = rng.random(n_e) < 0.3  # keyed days after the check: post_date holds the check's date
    post_time = np.where(keyed_late, paid_day + rng.integers(2, 6, n_e), paid_day)
    post_date = np.where(keyed_late, np.array(_text_dates(paid_day), dtype=object), None)
    session = (paid_day - day_no[0]) // 7 + 1
    post(paid, 1, post_time, ins_pay, contractual, session=session, memo="Adjust code 45", post_date=post_date)
    pt_day = paid_day + rng.integers(10, 60, n_e)
    pt_paid = paid & (rng.random(n_e) < 0.85) & (pt_share > 0)
    post(pt_paid, 0, pt_day, pt_share, np.zeros(n_e))
    selfpay = ~ins
    discount = np.round(total * 0.3, 2)
    sp_paid = np.round(total - discount, 2) * (rng.random(n_e) < 0.9)
    post(selfpay, 0, done["day"].to_numpy(), sp_paid, discount, memo="Self-pay discount")

    def at_least_one(mask: np.ndarray, among: np.ndarray) -> np.ndarray:
        """Every trap present even in a small fixture: the earliest eligible visit when chance gave none."""
        if not mask.any() and among.any():
            mask = mask.copy()
            mask[np.flatnonzero(among)[0]] = True
        return mask

    voided = at_least_one(paid & (rng.random(n_e) < 0.02), paid)
    post(voided, 0, pt_day, pt_share, np.zeros(n_e), deleted=np.array(_text_dates(pt_day + 1, "08:00:00"),
                                                                       dtype=object))
    debit = at_least_one(paid & (rng.random(n_e) < 0.005), paid)
    post(debit, 0, paid_day + 3, np.zeros(n_e), -np.round(rng.uniform(5, 25, n_e), 2), memo="debit adjustment")
    paid_at_visit = selfpay & (sp_paid > 0) & (done["day"].to_numpy() + 30 <= end_no)
    refund = at_least_one(paid_at_visit & (rng.random(n_e) < 0.01), paid_at_visit)
    post(refund, 0, done["day"].to_numpy() + 30, -np.minimum(sp_paid, 10.0), np.zeros(n_e), memo="refund")
    # a patient balance still unpaid five to six months after the visit goes to collections and is
    # written off (bad debt), as a practice does: otherwise the receivables would grow without end
    owed = np.where(ins, pt_share, np.round(total - discount, 2))
    unpaid = np.where(ins, paid & ~pt_paid, selfpay & (sp_paid == 0)) & (owed > 0)
    wo_day = done["day"].to_numpy() + rng.integers(150, 180, n_e)
    post(unpaid & (wo_day <= end_no), 0, wo_day, np.zeros(n_e), owed, memo="Bad debt write-off")
    ar = pd.concat(posts, ignore_index=True)
    ar = ar[pd.to_datetime(ar["post_time"]) <= pd.Timestamp(end) + pd.Timedelta(days=20)].reset_index(drop=True)
    orphan = pd.DataFrame({"pid": [pat[-1]], "encounter": [99_999_999], "sequence_no": [1], "payer_type": [0],
                           "post_time": [f"{(start + dt.timedelta(days=40)).isoformat()} 11:00:00"],
                           "pay_amount": [15.0], "adj_amount": [0.0], "session_id": [0], "memo": ["unapplied"],
                           "deleted": [None], "post_date": [None], "account_code": ["PP"]})
    ar = pd.concat([ar, orphan], ignore_index=True)
    ar["modified_time"] = ar["post_time"]
    sessions = ar.loc[ar["payer_type"] > 0, ["session_id"]].drop_duplicates()
    ar_session = pd.DataFrame({"session_id": sessions["session_id"].to_numpy(), "payer_id": 7,
                               "reference": [f"CHK {s}" for s in sessions["session_id"]], "payment_type": "insurance",
                               "check_date": _text_dates(day_no[0] + (sessions["session_id"].to_numpy() - 1) * 7 + 6),
                               "deposit_date": _text_dates(day_no[0] + (sessions["session_id"].to_numpy() - 1) * 7
                                                           + 8)})

    patients = pd.DataFrame({"id": pat, "pid": pat, "pubpid": [f"MRN{p:07d}" for p in pat],
                             "fname": [FIRST[(p * 3) % 20] for p in pat], "lname": [LAST[p % 20] for p in pat],
                             "DOB": [f"{1940 + int(p % 70)}-0{1 + int(p % 9)}-1{int(p % 9)}" for p in pat],
                             "ss": [f"{700000000 + int(p)}" for p in pat], "street": [f"{p} Cedar Road" for p in pat],
                             "phone_home": [f"555-{int(p) % 10000:04d}" for p in pat],
                             "email": [f"p{p}@example.com" for p in pat]})
    settings = {
        "version": pd.DataFrame([{"v_major": 7, "v_minor": 0, "v_patch": 3, "v_realpatch": 0, "v_tag": "",
                                  "v_database": 500}]),
        "globals": pd.DataFrame({"gl_name": ["schedule_start", "schedule_end", "weekend_days"], "gl_index": 0,
                                 "gl_value": ["8", "17", "6,0"]}),
        "facility": pd.DataFrame([{"id": 3, "name": spec.title, "primary_business_entity": 1, "billing_location": 1,
                                   "federal_ein": "12-3456789", "street": "1 Cedar Way"}]),
        "code_types": pd.DataFrame({"ct_key": ["CPT4", "ICD10", "HCPCS", "SNOMED"], "ct_id": [1, 102, 3, 103],
                                    "ct_diag": [0, 1, 0, 1], "ct_fee": [1, 0, 1, 0], "ct_label": ["CPT4", "ICD10",
                                                                                              "HCPCS", "SNOMED"]}),
        "list_options": pd.DataFrame([{"list_id": "apptstat", "option_id": c, "title": t, "seq": i * 10,
                                       "toggle_setting_1": a, "toggle_setting_2": b}
                                      for i, (c, t, a, b) in enumerate(APPTSTAT)]),
        "openemr_postcalendar_categories": pd.DataFrame([{"pc_catid": c, "pc_constant_id": k, "pc_catname": n,
                                                          "pc_cattype": t, "pc_recurrspec": NO_REPEAT, "pc_seq": c}
                                                         for c, k, n, t in CATEGORIES]),
    }
    return {**settings, "users": users, "patient_data": patients, "form_encounter": enc, "billing": bill,
            "ar_session": ar_session, "ar_activity": ar, "claims": claims, "openemr_postcalendar_events": cal}


def build(engine, spec: FixtureSpec = DEMO) -> dict[str, int]:
    """Generate the practice and write it into `engine`'s database; returns rows per table."""
    return schema.write(engine, generate(spec))


def build_sqlite(path: str | Path, spec: FixtureSpec = DEMO) -> Path:
    """Generate the practice into an SQLite file (replaced if it exists)."""
    import sqlalchemy as sa

    path = Path(path)
    if path.exists():
        path.unlink()
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        build(engine, spec)
    finally:
        engine.dispose()
    return path


def write_openemr_demo(data_dir: str | Path, practice_id: str = DEMO_PRACTICE, spec: FixtureSpec = DEMO):
    """The medical demo built the way a client's would be: generate an OpenEMR database (embedded
    SQLite, in a temporary folder) and run the real import on it; then the accountant's profit and
    loss export through the shipped mapping (examples/mappings/accounting_pnl.yaml) for expenses.

    The demo folder is regenerated, not backed up (like the other demo practices); the patient-id
    key is derived from the practice id so the same spec gives the same files."""
    import hashlib
    import shutil
    import tempfile

    import yaml

    from dyad_lib.data.paths import PROJECT_ROOT
    from dyad_lib.demo.opendental_fixture import MEDICAL_PNL_ACCOUNTS, pnl_export
    from dyad_lib.goals.history import write_demo_goals
    from dyad_lib.metrics.periods import add_months, fiscal_year_of, fiscal_year_start, month_start
    from dyad_lib.importers.mapped import import_mapped
    from dyad_lib.importers.openemr import import_openemr

    folder = Path(data_dir) / practice_id
    key = hashlib.sha256(f"dyad-demo:{practice_id}".encode()).digest()
    with tempfile.TemporaryDirectory(prefix="dyad-openemr-") as tmp:
        db = build_sqlite(Path(tmp) / "openemr.db", spec)
        if folder.exists():
            shutil.rmtree(folder)
        result = import_openemr(f"sqlite:///{db}", practice_id, data_dir=data_dir, key=key,
                                today=spec.end + dt.timedelta(days=1))
        fin = pd.read_csv(folder / "financials.csv")
        pnl = Path(tmp) / "pnl_by_month.csv"
        pnl.write_text(pnl_export(fin.groupby("month")["collections"].sum(), spec.title, spec.seed,
                                  accounts=MEDICAL_PNL_ACCOUNTS, income="Patient Service Revenue"), encoding="utf-8")
        import_mapped(PROJECT_ROOT / "examples" / "mappings" / "accounting_pnl.yaml", [pnl], practice_id,
                      data_dir=data_dir, overwrite=True, key=key, keep_backup=False)
    cfg = yaml.safe_load((folder / "practice.yaml").read_text(encoding="utf-8"))
    cfg["partners"] = {"clinical_lead": "Dr. Lena Park", "business_lead": "Marcus Bell"}
    cfg["active_patient_months"] = 36
    (folder / "practice.yaml").write_text("# Demo practice imported from a generated OpenEMR database.\n"
                                          + yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    # the partners agreed the year the demo's last month falls in, as in the other demo practices,
    # when there is a year of history before their planning session (two months before the year)
    fysm = int(cfg.get("fiscal_year_start_month") or 1)
    fy = fiscal_year_of(pd.Timestamp(spec.end), fysm)
    if add_months(month_start(pd.Timestamp(spec.start)), 12) <= add_months(fiscal_year_start(fy, fysm), -2):
        write_demo_goals(practice_id, data_dir, (f"FY{fy}",))
    return result
