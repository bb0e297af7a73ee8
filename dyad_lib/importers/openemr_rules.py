"""The rules that turn OpenEMR's rows into the contract's, as pure functions over frames.

Each rule is written down once, in words (`RULES`, copied into import-report.json) and in code.
Codes and meanings come from OpenEMR's public source: the `apptstat` list of `list_options`
(appointment statuses, with the practice's own check-in / check-out flags `toggle_setting_1` /
`toggle_setting_2`), the calendar categories (2 In Office and 3 Out Of Office are hard-coded in
OpenEMR's calendar code; 1 No Show, 4 Vacation and 8 Lunch are its other reserved categories), and
the calendar's recurrence rules (`library/appointments.inc.php` `fetchEvents` and `__increment`):
`pc_recurrtype` 0 none, 1 every N days / weeks / months / years / workdays, 2 the Nth weekday of
every N months, 3 on listed weekdays; `pc_recurrspec` a PHP-serialized array whose `exdate`
lists the skipped occurrences as YYYYMMDD.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

# --- appointment statuses (list_options, list_id 'apptstat') ---------------------------------------------

#: OpenEMR's shipped appointment statuses and where each lands in the contract.
COMPLETED_CODES = ("@", "~", "<", ">", "$")  # arrived, arrived late, in exam room, checked out, coding done
NO_SHOW_CODES = ("?", "!")  # no show, left without visit
CANCELLED_CODES = ("x", "%")  # canceled, canceled < 24 h
LATE_CANCEL_CODES = ("%",)
SCHEDULED_CODES = ("-", "*", "+", "#", "^", "AVM", "SMS", "EMAIL", "CALL")  # none, reminded, chart pulled, …
#: Calendar categories OpenEMR reserves (pc_catid).
NO_SHOW_CAT, IN_OFFICE_CAT, OUT_OF_OFFICE_CAT, VACATION_CAT, LUNCH_CAT = 1, 2, 3, 4, 8
#: A day counts as a full working day when the providers' office hours span at least this many hours.
FULL_DAY_HOURS = 6.0
#: OpenEMR's default end of the day (global `schedule_end`) when the database sets none.
SCHEDULE_END_HOURS = 17
#: OpenEMR's default weekend days (global `weekend_days`: 6 Saturday, 0 Sunday).
WEEKEND_DAYS = (6, 0)

RULES = {
    "charges": "Gross charges = Σ billing.fee of active lines (activity = 1) dated by the encounter's date "
               "(form_encounter.date; a line whose encounter is missing is dated by billing.date). billing.fee is "
               "already price × units. Diagnosis lines (code types flagged ct_diag in code_types: ICD9, ICD10, "
               "SNOMED …) carry no charge and are left out; COPAY lines (a negative fee) are patient payments, not "
               "charges; TAX lines (sales tax on products) are not charges for care and are listed apart. Lines with "
               "activity = 0 were deleted in OpenEMR (they keep their fee) and are left out.",
    "charge_provider": "A charge belongs to billing.provider_id, or when that is empty to the encounter's "
                       "provider (form_encounter.provider_id), else to the practice row '0' — the provider "
                       "OpenEMR puts on the claim.",
    "payments": "Payments = Σ ar_activity.pay_amount by posting date (ar_activity.post_date when OpenEMR recorded "
                "one, else the day of post_time), postings voided in OpenEMR (ar_activity.deleted set) left out; "
                "payer_type 0 is the patient, 1–3 the primary, secondary and tertiary insurance. COPAY lines of "
                "the fee sheet (billing, activity = 1) are patient payments of −fee dated by billing.date. "
                "Collections = patient + insurance payments; both parts are written (patient_collections, "
                "insurance_collections).",
    "adjustments": "Adjustments = Σ ar_activity.adj_amount by the same posting date, voided postings left out "
                   "(positive: contractual write-offs and other credits; negative: a debit adjustment). Net "
                   "charges = gross charges − adjustments.",
    "payment_provider": "Payments and adjustments belong to the provider of their encounter "
                        "(form_encounter.provider_id), else to the practice row '0' (a posting whose encounter is "
                        "not in form_encounter, or one without a provider). When a provider's month would break a "
                        "contract rule (adjustments larger than charges, refunds larger than payments), the part "
                        "beyond the row's limit moves to the providers of that month with the most room, and the "
                        "import report lists every move; month totals never change. A month whose adjustments "
                        "are negative overall is counted in the practice row's gross charges ('reclassified' in "
                        "the reconciliation).",
    "ar": "A/R at each month end = per encounter, its charges (service date on or before the month end) less its "
          "payments and adjustments posted on or before the month end; only positive encounter balances are "
          "receivables (a credit on one visit does not pay another), and A/R over 90 days is the part of "
          "encounters whose service date is more than 90 days before the month end — the aging of OpenEMR's "
          "collections report by date of service. It is carried on the practice row '0'; provider rows carry 0.",
    "appointment_status": "Patients' calendar events only (pc_pid set): apptstat @ arrived, ~ arrived late, "
                          "< in exam room, > checked out, $ coding done → completed; ? no show, ! left without "
                          "visit → no_show; x canceled → cancelled; % canceled < 24 h → cancelled with "
                          "late_cancellation true; - none, * reminder done, + chart pulled, # insurance/financial "
                          "issue, ^ pending and the confirmation codes → scheduled (a past one was never updated). "
                          "A status the practice added to the list counts as completed when OpenEMR flags it as a "
                          "check-in or check-out (toggle_setting_1 / toggle_setting_2), else as scheduled. An event "
                          "in the reserved No Show category (1) with no status set is a no_show.",
    "appointment_recurrence": "Repeating appointments and office hours are expanded as OpenEMR's calendar does "
                              "(pc_recurrtype 1: every N days, weeks, months, years or workdays; 2: the Nth "
                              "weekday of every N months; 3: on the listed weekdays), from pc_eventDate to "
                              "pc_endDate (a repeating event with no end date repeats to the end of the range), "
                              "skipping the exception dates (exdate). Each occurrence is one appointment "
                              "(id E<pc_eid>-<YYYYMMDD>).",
    "visit_minutes": "A visit's length in minutes = pc_duration ÷ 60 (OpenEMR stores seconds), or the end time − "
                     "start time when the duration is 0.",
    "visit_type": "From the appointment's calendar category: a category named or keyed New Patient → new_patient; "
                  "one naming a procedure or surgery → procedure; any other patient category → exam.",
    "visit_charges": "A completed visit carries the active charges of the patient's encounter that day (the first "
                     "such visit of the day when there are several).",
    "next_visit_booked": "For a completed visit: true when another appointment of the patient on a later day was "
                         "entered (pc_time) on or before the visit's day; blank when a later appointment's entry "
                         "time is unknown.",
    "capacity": "Office hours from the providers' calendar: In Office (category 2) opens a provider's time until "
                "the next Out Of Office (3) that day, or until its own end when it has a duration, or until "
                "OpenEMR's schedule_end; Lunch (8) and Vacation (4) events are taken off. "
                "provider_hours_available = the providers' office hours; chair_hours_available = the same hours "
                "(one exam room in use per provider in the office); working_days = days with a provider in the "
                "office, a day spanning less than 6 hours counting half. Without In Office events, capacity "
                "comes from practice.yaml (capacity: exam_rooms × open_hours per weekday), or is not written.",
    "providers": "Providers are OpenEMR's authorized users (users.authorized = 1) and any user named on a charge, "
                 "payment or appointment; role from users.taxonomy (363L… nurse practitioner, 363A… physician "
                 "assistant) or physician_type, otherwise physician for an authorized user and other for the "
                 "rest; active from users.active. fte = office hours of the last 13 weeks ÷ (13 × 40).",
    "charges_table": "charges: one row per encounter with active charges dated in the range: service_date = "
                     "form_encounter.date, entry_date = the day its first charge line was entered (billing.date; "
                     "a line entered before the visit's date — a re-dated encounter — counts as entered that day), "
                     "amount = its gross charges; submitted_date = the first time a claim for it was billed to an "
                     "insurer (claims.bill_time, status 2 or later, payer_type ≥ 1; a claim billed before a re-dated visit counts "
                     "from the visit's day); denied = true when any claim "
                     "version for it was marked denied (claims.status 7, as OpenEMR's ERA posting does on a "
                     "denial), false otherwise, blank when no claim was submitted.",
    "patients": "Patient numbers (pid) become opaque ids (a keyed hash); patient_data is never read.",
}


def appointment_status(code: pd.Series, catid: pd.Series, checkin: set[str] | None = None
                       ) -> tuple[pd.Series, pd.Series]:
    """Contract status and the late-cancellation flag per appointment, from pc_apptstatus.

    `checkin`: the practice's own status codes that OpenEMR flags as a check-in or check-out."""
    c = code.fillna("-").astype(str).str.strip().replace("", "-")
    status = pd.Series("scheduled", index=code.index, dtype=object)
    status[c.isin(COMPLETED_CODES) | c.isin(sorted(checkin or ()))] = "completed"
    status[c.isin(NO_SHOW_CODES)] = "no_show"
    status[c.isin(CANCELLED_CODES)] = "cancelled"
    status[(status == "scheduled") & (c == "-") & (pd.to_numeric(catid, errors="coerce") == NO_SHOW_CAT)] = "no_show"
    late = pd.Series(pd.array(np.where(status == "cancelled", c.isin(LATE_CANCEL_CODES), pd.NA), dtype="boolean"),
                     index=code.index)
    return status, late


def visit_type(names: pd.Series, cattype: pd.Series | None = None) -> pd.Series:
    """A visit type per appointment from its calendar category's name (or constant id)."""
    n = names.fillna("").astype(str).str.lower().str.replace("_", " ")
    out = pd.Series("exam", index=names.index, dtype=object)
    out[n.str.contains(r"procedure|surgery", regex=True)] = "procedure"
    out[n.str.contains("new patient")] = "new_patient"
    if cattype is not None:
        out[pd.to_numeric(cattype, errors="coerce").fillna(0) != 0] = "other"
    return out


def provider_role(authorized, taxonomy: str | None, physician_type: str | None = None) -> str:
    """The contract role of an OpenEMR user."""
    tax = str(taxonomy or "").strip().upper()
    ptype = str(physician_type or "").strip().lower()
    if tax.startswith("363L") or "nurse" in ptype:
        return "nurse_practitioner"
    if tax.startswith("363A") or "assistant" in ptype:
        return "physician_assistant"
    try:
        auth = int(authorized or 0)
    except (TypeError, ValueError):
        auth = 0
    return "physician" if auth == 1 else "other"


# --- calendar recurrence ------------------------------------------------------------------------------------


def parse_spec(text) -> dict[str, str]:
    """pc_recurrspec (a PHP-serialized array) as a dict of strings; {} when empty or unreadable."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return {}
    raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    if not raw.strip():
        return {}
    import phpserialize

    for candidate in (raw, raw.replace(b'\\"', b'"')):  # some upgraded rows keep escaped quotes
        try:
            value = phpserialize.loads(candidate, decode_strings=True)
        except (ValueError, TypeError, KeyError, IndexError, UnicodeDecodeError):
            continue
        if isinstance(value, dict):
            return {str(k): "" if v is None else str(v) for k, v in value.items()}
    return {}


def _mktime(y: int, m: int, d: int) -> dt.date:
    """PHP's mktime(0, 0, 0, m, d, y): months and days past their end roll over."""
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    return dt.date(y, m, 1) + dt.timedelta(days=d - 1)


def _is_weekend(d: dt.date, weekend: tuple[int, ...]) -> bool:
    return (d.weekday() + 1) % 7 in weekend  # PHP date('w'): 0 Sunday … 6 Saturday


def _increment(d: dt.date, freq, ftype: int, weekend: tuple[int, ...]) -> dt.date:
    """OpenEMR's __increment: the next occurrence after `d`."""
    if ftype == 6:  # REPEAT_DAYS_EVERY_WEEK: the next listed weekday (1 Sunday … 7 Saturday)
        days = [int(x) for x in str(freq).split(",") if x.strip().isdigit() and 1 <= int(x) <= 7]
        if not days:
            return dt.date.max
        ahead = [((k - 1) - (d.weekday() + 1) % 7) % 7 or 7 for k in days]
        return d + dt.timedelta(days=min(ahead))
    f = int(freq)
    if ftype == 0:
        return _mktime(d.year, d.month, d.day + f)
    if ftype == 4:
        orig = f
        for k in range(1, orig + 1):
            if _is_weekend(_mktime(d.year, d.month, d.day + k), weekend):
                f += 1
        nxt = (_mktime(d.year, d.month, d.day + f).weekday() + 1) % 7
        if len(weekend) == 2:
            if nxt == weekend[0]:
                f += 2
            elif nxt == weekend[1]:
                f += 1
        elif len(weekend) == 1 and nxt == weekend[0]:
            f += 1
        return _mktime(d.year, d.month, d.day + f)
    if ftype == 1:
        return _mktime(d.year, d.month, d.day + 7 * f)
    if ftype == 2:
        return _mktime(d.year, d.month + f, d.day)
    if ftype == 3:
        return _mktime(d.year + f, d.month, d.day)
    return dt.date.max


def _nth_weekday(n: int, weekday: int, month: int, year: int) -> dt.date | None:
    """The nth (1-5) weekday (0 Sunday … 6 Saturday) of a month, None when it does not exist."""
    first = dt.date(year, month, 1)
    offset = (weekday - (first.weekday() + 1) % 7) % 7
    d = first + dt.timedelta(days=offset + 7 * (n - 1))
    return d if d.month == month else None


def valid_rule(recurrtype: int, spec: dict[str, str]) -> bool:
    """OpenEMR's checkEvent: a repeating event with an incomplete rule is not shown at all."""
    if recurrtype in (1, 3):
        return bool(spec.get("event_repeat_freq", "") not in ("", "0")) and "event_repeat_freq_type" in spec
    if recurrtype == 2:
        return (spec.get("event_repeat_on_freq", "") not in ("", "0") and spec.get("event_repeat_on_num", "")
                not in ("", "0") and "event_repeat_on_day" in spec)
    return True


def occurrences(start: dt.date, end: dt.date | None, recurrtype: int, spec: dict[str, str], lo: dt.date,
                hi: dt.date, weekend: tuple[int, ...] = WEEKEND_DAYS) -> list[dt.date]:
    """The days in [lo, hi] on which an event occurs, as OpenEMR's fetchEvents expands it.

    `end` is pc_endDate (None when unset: the event repeats to `hi`)."""
    if recurrtype not in (1, 2, 3):
        return [start] if lo <= start <= hi else []
    if not valid_rule(recurrtype, spec):
        return []
    stop = hi if end is None else min(end, hi)
    skip = {x.strip() for x in spec.get("exdate", "").split(",") if x.strip()}
    out: list[dt.date] = []
    if recurrtype in (1, 3):
        freq = spec["event_repeat_freq"]
        try:
            ftype = int(spec["event_repeat_freq_type"] or 0)
            if recurrtype == 1 and int(freq) < 1:
                return []
        except ValueError:
            return []
        if recurrtype == 3:
            ftype = 6
        d = start
        while d < lo:
            d = _increment(d, freq, ftype, weekend)
        while d <= stop:
            if d.strftime("%Y%m%d") not in skip:
                out.append(d)
            d = _increment(d, freq, ftype, weekend)
        return out
    try:
        rfreq, rnum, rday = (int(spec[k]) for k in ("event_repeat_on_freq", "event_repeat_on_num",
                                                     "event_repeat_on_day"))
    except ValueError:
        return []
    if rfreq < 1:
        return []
    y, m, nd = start.year, start.month, (1 if spec.get("rt2_pf_flag") not in (None, "", "0") else start.day)
    while (y, m) < (lo.year, lo.month):
        x = _mktime(y, m + rfreq, nd)
        y, m, nd = x.year, x.month, x.day
    while (y, m) <= (stop.year, stop.month):
        n = rnum
        occ = None
        while occ is None and n >= 1:
            occ = _nth_weekday(n, rday, m, y)
            n -= 1
        if occ is not None and lo <= occ <= stop and occ.strftime("%Y%m%d") not in skip:
            out.append(occ)
        x = _mktime(y, m + rfreq, nd)
        y, m, nd = x.year, x.month, x.day
    return out


def expand(events: pd.DataFrame, lo: dt.date, hi: dt.date, weekend: tuple[int, ...] = WEEKEND_DAYS
           ) -> tuple[pd.DataFrame, int]:
    """One row per occurrence in [lo, hi] (column `day`, datetime), keeping the event's columns.

    `events` needs pc_eid, start (pc_eventDate as datetime), end (pc_endDate as datetime, NaT when
    unset), pc_recurrtype, pc_recurrspec. Returns the occurrences and the number of repeating
    events OpenEMR itself would not show (an incomplete repeat rule)."""
    rtype = pd.to_numeric(events["pc_recurrtype"], errors="coerce").fillna(0).astype(int)
    single = events[rtype == 0]
    single = single[(single["start"] >= pd.Timestamp(lo)) & (single["start"] <= pd.Timestamp(hi))]
    parts = [single.assign(day=single["start"], occurrence="")]
    rep = events[rtype != 0]
    bad = 0
    rows, idx = [], []
    for i, r in zip(rep.index, rep.itertuples(index=False)):
        spec = parse_spec(r.pc_recurrspec)
        rt = int(r.pc_recurrtype)
        if rt in (1, 2, 3) and not valid_rule(rt, spec):
            bad += 1
            continue
        if pd.isna(r.start):
            continue
        end = None if pd.isna(r.end) else r.end.date()
        for d in occurrences(r.start.date(), end, rt, spec, lo, hi, weekend):
            rows.append(d)
            idx.append(i)
    if rows:
        occ = rep.loc[idx].copy()
        occ["day"] = pd.to_datetime(rows)
        occ["occurrence"] = occ["day"].dt.strftime("-%Y%m%d")
        parts.append(occ)
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    return out, bad


# --- capacity from the office hours -------------------------------------------------------------------------


@dataclass
class Capacity:
    monthly: pd.DataFrame  # month (YYYY-MM), chair_hours_available, provider_hours_available, working_days
    provider_hours: pd.DataFrame  # ProvNum, day, hours (the shape opendental_rules.fte reads)


def office_hours(occ: pd.DataFrame, day_end_seconds: int) -> pd.DataFrame:
    """Hours each provider is in the office per day, from the expanded provider events, vectorised.

    `occ`: provider, day, cat, start (seconds), dur (seconds), allday (bool). An In Office marker
    (no duration) opens until the provider's next Out Of Office that day (or `day_end_seconds`); an
    In Office event with a duration or all day is a block of its own; Lunch and Vacation are taken
    off. The hours are the length of (union of open time) minus the off time, by a sweep over the
    interval ends; `first` / `last` are the day's first and last open second."""
    cols = ["ProvNum", "day", "hours", "first", "last"]
    if occ.empty:
        return pd.DataFrame(columns=cols)
    o = occ.reset_index(drop=True)
    o["key"] = pd.MultiIndex.from_arrays([o["provider"], o["day"]]).factorize()[0]
    allday = o["allday"].to_numpy(dtype=bool)
    start = o["start"].to_numpy(dtype=np.int64)
    dur = o["dur"].to_numpy(dtype=np.int64)
    cat = o["cat"].to_numpy(dtype=np.int64)
    is_in = cat == IN_OFFICE_CAT
    marker = is_in & ~allday & (dur <= 0)
    m = o[marker].sort_values("start", kind="stable")
    outs = o.loc[cat == OUT_OF_OFFICE_CAT, ["key", "start"]].rename(columns={"start": "out"}).sort_values(
        "out", kind="stable")
    if len(m):
        m = pd.merge_asof(m, outs, left_on="start", right_on="out", by="key", direction="forward",
                          allow_exact_matches=False)
        stop = m["out"].fillna(pd.Series(np.maximum(day_end_seconds, m["start"]), index=m.index)).astype("int64")
    else:
        stop = pd.Series(dtype="int64")
    block = is_in & ~marker
    open_iv = pd.DataFrame({
        "key": np.concatenate([m["key"].to_numpy(), o["key"].to_numpy()[block]]),
        "a": np.concatenate([m["start"].to_numpy(), np.where(allday, 0, start)[block]]),
        "b": np.concatenate([stop.to_numpy(), np.where(allday, 86400, np.minimum(start + dur, 86400))[block]]),
    })
    off = np.isin(cat, [LUNCH_CAT, VACATION_CAT])
    off_iv = pd.DataFrame({"key": o["key"].to_numpy()[off], "a": np.where(allday, 0, start)[off],
                           "b": np.where(allday, 86400, start + np.maximum(dur, 0))[off]})
    open_iv = open_iv[open_iv["b"] > open_iv["a"]]
    off_iv = off_iv[(off_iv["b"] > off_iv["a"]) & off_iv["key"].isin(open_iv["key"])]
    if open_iv.empty:
        return pd.DataFrame(columns=cols)
    n_o, n_f = len(open_iv), len(off_iv)
    pts = pd.DataFrame({
        "key": np.concatenate([open_iv["key"], open_iv["key"], off_iv["key"], off_iv["key"]]),
        "t": np.concatenate([open_iv["a"], open_iv["b"], off_iv["a"], off_iv["b"]]),
        "d_open": np.concatenate([np.ones(n_o), -np.ones(n_o), np.zeros(2 * n_f)]).astype(np.int64),
        "d_off": np.concatenate([np.zeros(2 * n_o), np.ones(n_f), -np.ones(n_f)]).astype(np.int64),
    }).sort_values(["key", "t"], kind="stable")
    key, t = pts["key"].to_numpy(), pts["t"].to_numpy()
    n_open, n_off = np.cumsum(pts["d_open"].to_numpy()), np.cumsum(pts["d_off"].to_numpy())
    nxt = np.append(t[1:], 0)
    same = np.append(key[1:] == key[:-1], False)
    seg = np.where(same, nxt - t, 0)
    covered = (n_open > 0) & (n_off <= 0) & (seg > 0)
    g = pd.DataFrame({"key": key[covered], "len": seg[covered], "a": t[covered], "b": nxt[covered]}).groupby("key")
    res = pd.DataFrame({"hours": g["len"].sum() / 3600.0, "first": g["a"].min(), "last": g["b"].max()})
    firsts = o.drop_duplicates("key").set_index("key")
    res["ProvNum"] = firsts.loc[res.index, "provider"].to_numpy()
    res["day"] = firsts.loc[res.index, "day"].to_numpy()
    res = res[res["hours"] > 0].sort_values(["ProvNum", "day"], kind="stable")
    return res[cols].reset_index(drop=True)


def capacity_from_hours(hours: pd.DataFrame) -> Capacity:
    """Monthly capacity rows from the providers' office hours per day."""
    if hours.empty:
        empty = pd.DataFrame(columns=["month", "chair_hours_available", "provider_hours_available", "working_days"])
        return Capacity(empty, hours)
    span = hours.groupby("day").agg(first=("first", "min"), last=("last", "max"))
    weight = np.where((span["last"] - span["first"]) / 3600.0 >= FULL_DAY_HOURS, 1.0, 0.5)
    days = pd.DataFrame({"day": span.index, "w": weight})
    month = hours["day"].dt.strftime("%Y-%m")
    monthly = pd.DataFrame({
        "provider_hours_available": hours.groupby(month)["hours"].sum(),
        "working_days": days.groupby(days["day"].dt.strftime("%Y-%m"))["w"].sum(),
    })
    monthly["chair_hours_available"] = monthly["provider_hours_available"]
    monthly.index.name = "month"
    return Capacity(monthly.reset_index(), hours)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def capacity_from_config(config: dict, months: list[str]) -> tuple[pd.DataFrame, str | None]:
    """Capacity from practice.yaml `capacity: {exam_rooms: N, open_hours: {mon: "08:00-17:00", …}}`:
    exam rooms × the hours open on each day of each month. Returns (monthly rows, problem)."""
    cap = config.get("capacity") if isinstance(config, dict) else None
    if not isinstance(cap, dict):
        return pd.DataFrame(), None
    try:
        rooms = float(cap.get("exam_rooms"))
    except (TypeError, ValueError):
        return pd.DataFrame(), "practice.yaml capacity.exam_rooms is not a number"
    hours = cap.get("open_hours") or {}
    if rooms <= 0 or not isinstance(hours, dict):
        return pd.DataFrame(), "practice.yaml capacity needs exam_rooms > 0 and open_hours per weekday"
    per_day = {}
    for k, v in hours.items():
        key = str(k).strip().lower()[:3]
        if key not in WEEKDAYS:
            return pd.DataFrame(), f"practice.yaml capacity.open_hours has an unknown day '{k}' (mon … sun)"
        try:
            a, b = (dt.datetime.strptime(x.strip(), "%H:%M") for x in str(v).split("-"))
        except ValueError:
            return pd.DataFrame(), f"practice.yaml capacity.open_hours.{k} must read like 08:00-17:00"
        per_day[WEEKDAYS.index(key)] = max((b - a).total_seconds() / 3600.0, 0.0)
    rows = []
    for m in months:
        days = pd.date_range(f"{m}-01", periods=pd.Period(m).days_in_month, freq="D")
        h = np.array([per_day.get(d.weekday(), 0.0) for d in days])
        open_ = h > 0
        rows.append({"month": m, "chair_hours_available": round(float(h.sum() * rooms), 2),
                     "provider_hours_available": np.nan,
                     "working_days": float(np.where(h[open_] >= FULL_DAY_HOURS, 1.0, 0.5).sum())})
    return pd.DataFrame(rows), None
