"""`dyad import openemr`: an OpenEMR database (MariaDB/MySQL, or SQLite) → a delivery.

Reads a medical practice's numbers straight from OpenEMR, read-only, by the rules in
`openemr_rules.RULES`, and writes the contract's tables — financials by month and provider (with
the patient and insurance parts of collections), appointments from the calendar, capacity from
the providers' office hours, charges (one row per billed visit: charge lag and claim denials),
providers — plus practice.yaml and import-report.json, with a reconciliation of every month
against OpenEMR's own figures computed by separate queries, into a new practice folder.
Validation then runs as for any delivery (the command does it).

Order of work, as for Open Dental: everything that can be refused without the database is refused
first; then one read-only transaction reads everything; then the folder is written in one swap.
Nothing is written when anything fails.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dyad_lib.importers import openemr_rules as rules
from dyad_lib.importers import openemr_source as src
from dyad_lib.importers.connection import create_source_engine, parse_source, read_only
from dyad_lib.importers.delivery import REPORT_FILE, Target, check_target, practice_yaml, table_csv, write_delivery
from dyad_lib.importers.ids import map_ids, new_key
from dyad_lib.importers.options import ImportResult, Progress, check_options, month_range
from dyad_lib.importers.opendental_rules import ar_by_month, fit_financials, fte, next_visit_booked
from dyad_lib.importers.problems import SourceProblem, UsageProblem
from dyad_lib.importers.report import ImportReport, Rule, reconcile
from dyad_lib.importers.sql import month_from_key, to_dates

SYSTEM = "OpenEMR"
PRACTICE_ROW = "0"
STEPS = ("connect", "settings", "billing", "ar_activity", "ledger", "encounters", "calendar", "office hours",
         "reconciliation", "write")
#: How the reconciliation's columns read for OpenEMR (the data-quality report shows these labels).
RECON_LABELS = {"production": "Charges", "adjustments": None, "writeoffs": "Adjustments",
                "net_production": "Net charges", "patient_income": "Patient payments",
                "insurance_income": "Insurance payments", "delta_gross_production": "Δ charges"}
RECONCILED_WITH = "OpenEMR's own billing and posting tables (charges by date of service, payments and " \
                  "adjustments by posting date)"
#: How far past the range a repeating patient appointment is expanded (the booked future).
BOOKED_AHEAD = pd.Timedelta(days=366)


def _cents(x) -> pd.Series:
    return (pd.to_numeric(pd.Series(x), errors="coerce").fillna(0.0).astype(float) * 100).round().astype("int64")


def _ids(s: pd.Series) -> pd.Series:
    """Provider ids as text ('0' when none)."""
    v = pd.to_numeric(s, errors="coerce").fillna(0).astype("int64")
    return v.clip(lower=0).astype(str)


def _money_rows(charges: pd.DataFrame, posts: pd.DataFrame, cop: pd.DataFrame, by_provider: bool) -> pd.DataFrame:
    """One row per month key (and provider): gross, adj, pat, ins in cents; voided postings left out."""
    keys = ["mk", "prov"] if by_provider else ["mk"]
    parts = []
    if len(charges):
        parts.append(charges.assign(gross=_cents(charges["amount"]).to_numpy())[keys + ["gross"]])
    live = posts[pd.to_numeric(posts["voided"]).fillna(0).astype(int) == 0] if len(posts) else posts
    if len(live):
        ins = pd.to_numeric(live["ins"]).astype(int) == 1
        parts.append(live.assign(adj=_cents(live["adj"]).to_numpy(),
                                 pat=np.where(ins, 0, _cents(live["pay"])),
                                 ins=np.where(ins, _cents(live["pay"]), 0))[keys + ["adj", "pat", "ins"]])
    if len(cop):
        parts.append(cop.assign(pat=_cents(cop["amount"]).to_numpy())[keys + ["pat"]])
    cols = keys + ["gross", "adj", "pat", "ins"]
    if not parts:
        return pd.DataFrame(columns=cols)
    long = pd.concat(parts, ignore_index=True).reindex(columns=cols)
    long["mk"] = pd.to_numeric(long["mk"]).astype("int64")
    if by_provider:
        long["prov"] = _ids(long["prov"])
    for c in ("gross", "adj", "pat", "ins"):
        long[c] = long[c].fillna(0).astype("int64")
    return long.groupby(keys, as_index=False)[["gross", "adj", "pat", "ins"]].sum()


def _fit(rows: pd.DataFrame, months: list[str]) -> tuple[pd.DataFrame, list[dict]]:
    """Per (month, provider) cents that meet the contract, with patient and insurance collections
    each kept ≥ 0 by the same moves as Open Dental's (refunds beyond a row's payments)."""
    base = pd.DataFrame({"month": months, "provider_id": PRACTICE_ROW, "gross": 0, "adj": 0, "pat": 0, "ins": 0})
    r = pd.concat([rows, base], ignore_index=True)
    first, moves = fit_financials(r[["month", "provider_id", "gross", "adj"]].assign(coll=r["pat"]), PRACTICE_ROW)
    second, moves_ins = fit_financials(r[["month", "provider_id", "gross", "adj"]].assign(coll=r["ins"]),
                                       PRACTICE_ROW)
    for mv in moves:
        if mv["what"] == "refunds beyond income":
            mv["what"] = "patient refunds beyond patient payments"
    moves += [dict(mv, what="insurance refunds beyond insurance payments") for mv in moves_ins
              if mv["what"] == "refunds beyond income"]
    out = first.rename(columns={"coll": "pat"}).merge(
        second[["month", "provider_id", "coll"]].rename(columns={"coll": "ins"}), on=["month", "provider_id"],
        how="outer")
    for c in ("gross", "adj", "pat", "ins"):
        out[c] = out[c].fillna(0).astype("int64")
    return out, moves


@dataclass
class _Money:
    """The money of the source, matched to encounters in pandas (see `_money_model`)."""

    lines: pd.DataFrame  # mk (service month), prov, kind, n, amount — one row per line group
    copays: pd.DataFrame  # mk (entry month), prov, n, amount (−fee: a patient payment)
    posts: pd.DataFrame  # mk (posting month), prov, ins, voided, n, pay, adj
    visits: pd.DataFrame  # pid, encounter, day, enc_prov, line_prov, amount, entered
    credit_rows: pd.DataFrame  # pid, encounter, mk, credits — live postings and copays

    def in_months(self, keys: list[int]):
        """Charges by month and provider, what the billing left out (by kind), postings and copays by
        month and provider, for the given month keys."""
        ln = self.lines[self.lines["mk"].isin(keys)]
        ch = ln[ln["kind"] == "charge"].groupby(["mk", "prov"], as_index=False)[["n", "amount"]].sum()
        left = ln[ln["kind"] != "charge"].groupby("kind", as_index=False)[["n", "amount"]].sum()
        ps = self.posts[self.posts["mk"].isin(keys)].groupby(["mk", "prov", "ins", "voided"], as_index=False)[
            ["n", "pay", "adj"]].sum()
        cp = self.copays[self.copays["mk"].isin(keys)].groupby(["mk", "prov"], as_index=False)[["n", "amount"]].sum()
        return ch, left, ps, cp

    def ledger(self, last_key: int) -> pd.DataFrame:
        v = self.visits[self.visits["mk"] <= last_key]
        charges = pd.DataFrame({"pid": v["pid"], "encounter": v["encounter"], "mk": v["mk"], "mk90": v["mk90"],
                                "charges": v["amount"], "credits": 0.0})
        cr = self.credit_rows[self.credit_rows["mk"] <= last_key]
        return pd.concat([charges, cr.assign(charges=0.0, mk90=np.nan)], ignore_index=True)


def _mk(day: pd.Series) -> np.ndarray:
    return (day.dt.year * 100 + day.dt.month).to_numpy(dtype="float64")


def _money_model(enc: pd.DataFrame, lines: pd.DataFrame, posts: pd.DataFrame) -> _Money:
    """Billing lines and postings matched to their encounter by (pid, encounter): a line's service day
    is its encounter's date (else the day it was entered), its provider the line's (else the
    encounter's, else the practice row '0'); a posting's provider is its encounter's."""
    e = pd.DataFrame({"pid": pd.to_numeric(enc["pid"], errors="coerce").fillna(-1).astype("int64"),
                      "encounter": pd.to_numeric(enc["encounter"], errors="coerce").fillna(-1).astype("int64"),
                      "eday": to_dates(enc["day"]) if len(enc) else pd.Series(dtype="datetime64[ns]"),
                      "enc_prov": pd.to_numeric(enc["enc_prov"], errors="coerce").fillna(0).astype("int64")})
    e = e.drop_duplicates(["pid", "encounter"])

    def keyed(df: pd.DataFrame) -> pd.DataFrame:
        df = df.assign(pid=pd.to_numeric(df["pid"], errors="coerce").fillna(-1).astype("int64"),
                       encounter=pd.to_numeric(df["encounter"], errors="coerce").fillna(-1).astype("int64"))
        return df.merge(e, on=["pid", "encounter"], how="left")

    ln = keyed(lines)
    ln["entered"] = to_dates(ln["entered"]) if len(ln) else pd.Series(dtype="datetime64[ns]")
    ln["day"] = ln["eday"].fillna(ln["entered"])
    ln = ln[ln["day"].notna()]
    ln["mk"] = _mk(ln["day"]).astype("int64")
    line_prov = pd.to_numeric(ln["line_prov"], errors="coerce").fillna(0).astype("int64")
    enc_prov = ln["enc_prov"].fillna(0).astype("int64")
    ln["prov"] = np.where(line_prov > 0, line_prov, enc_prov)
    ln["n"] = pd.to_numeric(ln["n"]).astype("int64")
    ln["amount"] = pd.to_numeric(ln["amount"]).astype(float)
    charge = ln[ln["kind"] == "charge"]
    g = charge.groupby(["pid", "encounter"])
    visits = pd.DataFrame({"day": g["day"].min(), "enc_prov": g["enc_prov"].max(), "line_prov": g["line_prov"].max(),
                           "amount": g["amount"].sum(), "entered": g["entered"].min()}).reset_index()
    visits["enc_prov"] = visits["enc_prov"].fillna(0)
    visits["mk"] = _mk(visits["day"]).astype("int64")
    visits["mk90"] = _mk(visits["day"] + pd.Timedelta(days=91)).astype("int64")
    cop = ln[ln["kind"] == "copay"].assign(mk=lambda d: _mk(d["entered"]).astype("int64"),
                                            prov=lambda d: d["enc_prov"].fillna(0).astype("int64"),
                                            amount=lambda d: -d["amount"])
    ps = keyed(posts)
    ps["prov"] = ps["enc_prov"].fillna(0).astype("int64")
    ps["mk"] = pd.to_numeric(ps["mk"]).astype("int64")
    for c in ("ins", "voided", "n"):
        ps[c] = pd.to_numeric(ps[c]).fillna(0).astype("int64")
    for c in ("pay", "adj"):
        ps[c] = pd.to_numeric(ps[c]).astype(float)
    live = ps[ps["voided"] == 0]
    credit_rows = pd.concat([live.assign(credits=live["pay"] + live["adj"])[["pid", "encounter", "mk", "credits"]],
                             cop[["pid", "encounter", "mk"]].assign(credits=cop["amount"])], ignore_index=True)
    return _Money(ln[["mk", "prov", "kind", "n", "amount"]], cop[["mk", "prov", "n", "amount"]],
                  ps[["mk", "prov", "ins", "voided", "n", "pay", "adj"]], visits, credit_rows)


def _provider_name(r) -> str:
    parts = [str(x or "").strip() for x in (r.fname, r.mname, r.lname)]
    name = " ".join(p for p in parts if p)
    suffix = str(r.suffix or "").strip()
    if name and suffix:
        name = f"{name}, {suffix}"
    return name or f"Provider {r.id}"


def _events(df: pd.DataFrame) -> pd.DataFrame:
    """Calendar rows with their dates read (pc_endDate '0000-00-00' or NULL = no end)."""
    df = df.copy()
    df["start"] = to_dates(df["pc_eventDate"]) if len(df) else pd.Series(dtype="datetime64[ns]")
    df["end"] = to_dates(df["pc_endDate"]) if len(df) else pd.Series(dtype="datetime64[ns]")
    return df


def import_openemr(url: str, practice_id: str, *, password: str | None = None, data_dir=None,
                   start: str | None = None, end: str | None = None, kind: str = "medical", name: str | None = None,
                   fiscal_year_start: int | None = None, overwrite: bool = False, progress: Progress | None = None,
                   key: bytes | None = None, today: dt.date | None = None) -> ImportResult:
    """Import an OpenEMR database into `data_dir/practice_id/` (see the module docstring)."""
    say = progress or (lambda step, rows: None)
    source = parse_source(url)
    m_from, m_to = check_options(start, end, kind, fiscal_year_start)
    target: Target = check_target(practice_id, data_dir, overwrite)
    today = today or dt.date.today()

    engine = create_source_engine(source, password)
    with read_only(engine, source, password) as conn:
        say("connect", None)
        schema = src.inspect_schema(conn, source.url.database and Path(str(source.url.database)).name or "")
        version = src.read_version(conn, schema)
        settings = src.read_globals(conn, schema)
        facility_name = src.practice_name(conn, schema)
        users = src.read_users(conn, schema)
        diag = src.diagnosis_types(conn, schema)
        statuses = src.appointment_statuses(conn, schema)
        cats = src.categories(conn, schema)
        say("settings", len(users))
        src.check_encounter_keys(conn, schema)
        enc_rows = src.encounter_rows(conn, schema)
        lines = src.billing_rows(conn, schema, diag)
        say("billing", int(pd.to_numeric(lines["n"]).sum()) if len(lines) else 0)
        posts = src.posting_rows(conn, schema, (pd.Timestamp(today) + pd.offsets.MonthBegin(1)).date().isoformat())
        say("ar_activity", int(pd.to_numeric(posts["n"]).sum()) if len(posts) else 0)
        model = _money_model(enc_rows, lines, posts)
        charge_mk = model.lines.loc[model.lines["kind"] == "charge", "mk"]
        first = None if charge_mk.empty else dt.date(int(charge_mk.min()) // 100, int(charge_mk.min()) % 100, 1)
        last = None if charge_mk.empty else dt.date(int(charge_mk.max()) // 100, int(charge_mk.max()) % 100, 1)
        p_from, p_to = month_range(m_from, m_to, first, last, today, "active charge")
        months = [str(p) for p in pd.period_range(p_from, p_to, freq="M")]
        lo, hi = p_from.start_time.date().isoformat(), (p_to + 1).start_time.date().isoformat()
        last_day = p_to.end_time.normalize()
        keys = [int(m.replace("-", "")) for m in months]
        ch_prov, left, posts_prov, cop_prov = model.in_months(keys)
        left = pd.concat([left, pd.DataFrame({"kind": ["diagnosis"], "n": [src.diagnosis_lines(conn, schema, diag,
                                                                                                  lo, hi)],
                                              "amount": [0.0]})], ignore_index=True)
        if not len(ch_prov) and not len(posts_prov) and not len(cop_prov):
            raise SourceProblem(f"nothing to import from {months[0]} to {months[-1]}: the database has no charges, "
                                "payments or adjustments in those months")
        visits = model.visits[model.visits["day"] < pd.Timestamp(hi)]
        ledger = model.ledger(keys[-1])
        say("ledger", len(ledger))
        encs = visits[visits["day"] >= pd.Timestamp(lo)].copy()
        claims = src.claim_rows(conn, schema)
        say("encounters", len(encs))
        pev = src.patient_events(conn, schema, lo)
        others = src.other_events(conn, schema, lo, hi)
        say("calendar", len(pev))
        office_cats = (rules.IN_OFFICE_CAT, rules.OUT_OF_OFFICE_CAT, rules.VACATION_CAT, rules.LUNCH_CAT)
        oev = src.provider_events(conn, schema, lo, hi, office_cats)
        say("office hours", len(oev))
        m_ch = src.charges(conn, schema, diag, lo, hi, by_provider=False)
        m_posts = src.postings(conn, schema, lo, hi, by_provider=False)
        m_cop = src.copays(conn, schema, lo, hi, by_provider=False)
        say("reconciliation", None)

    report = ImportReport(system=SYSTEM, practice_id=practice_id, source=source.shown, version=version,
                          range_from=months[0], range_to=months[-1])
    report.rules = [Rule(k, v) for k, v in rules.RULES.items()]
    report.rules.append(Rule("diagnosis_code_types", "Code types read as diagnoses (no charge): "
                             f"{', '.join(diag)}" + ("" if schema.has("code_types") else
                                                     " (OpenEMR's shipped ones: the database has no code_types)"),
                             list(diag)))
    report.rules.append(Rule("range", f"Months {months[0]} to {months[-1]} (a month with no activity is written with "
                             "zeros); appointments booked after it are included as scheduled.",
                             [months[0], months[-1]]))
    report.labels = dict(RECON_LABELS)
    report.reconciled_with = RECONCILED_WITH

    # --- financials --------------------------------------------------------------------------------------------
    money = _money_rows(ch_prov, posts_prov, cop_prov, by_provider=True)
    money["month"] = month_from_key(money["mk"]) if len(money) else []
    money = money.rename(columns={"prov": "provider_id"})
    money = money[money["month"].isin(months)] if len(money) else money
    fitted, moves = _fit(money[["month", "provider_id", "gross", "adj", "pat", "ins"]], months)
    # one key per (patient, encounter): both are integers in OpenEMR, packed into one int64
    led = ledger.assign(g=pd.factorize(pd.to_numeric(ledger["pid"]).fillna(0).astype("int64") * (1 << 32)
                                       + pd.to_numeric(ledger["encounter"]).fillna(0).astype("int64"))[0]
                        if len(ledger) else [])
    if len(led):
        led["mk"] = pd.to_numeric(led["mk"]).astype("int64")
        led["mk90"] = pd.to_numeric(led["mk90"]).fillna(led["mk"]).astype("int64")
        led["charges"] = _cents(led["charges"]).to_numpy()
        led["credits"] = _cents(led["credits"]).to_numpy()
        # a debit (a negative payment or adjustment) raises the visit's balance from its posting month on,
        # and ages with the visit's service date like the rest of the balance
        debit = led["credits"] < 0
        if debit.any():
            svc90 = led[led["charges"] > 0].groupby("g")["mk90"].min()
            own = led["mk"] + np.where(led["mk"] % 100 > 9, 91, 3)  # three months on, when the visit has no charge
            led.loc[debit, "mk90"] = np.maximum(led.loc[debit, "mk"], led.loc[debit, "g"].map(svc90).fillna(
                own[debit]).astype("int64"))
            led.loc[debit, "charges"] = -led.loc[debit, "credits"]
            led.loc[debit, "credits"] = 0
    ar = ar_by_month(led[["g", "mk", "mk90", "charges", "credits"]] if len(led) else
                     pd.DataFrame(columns=["g", "mk", "mk90", "charges", "credits"]), months).set_index("month")
    practice = fitted["provider_id"] == PRACTICE_ROW
    fin = pd.DataFrame({
        "month": pd.to_datetime(fitted["month"] + "-01"), "provider_id": fitted["provider_id"],
        "gross_production": fitted["gross"] / 100, "adjustments": fitted["adj"] / 100,
        "collections": (fitted["pat"] + fitted["ins"]) / 100,
        "patient_collections": fitted["pat"] / 100, "insurance_collections": fitted["ins"] / 100,
        "ar_balance": np.where(practice, fitted["month"].map(ar["ar"]).fillna(0) / 100, 0.0),
        "ar_over_90": np.where(practice, fitted["month"].map(ar["ar90"]).fillna(0) / 100, 0.0),
    })
    fin = fin.assign(_p=pd.to_numeric(fin["provider_id"], errors="coerce")).sort_values(
        ["month", "_p", "provider_id"], kind="stable").drop(columns="_p").reset_index(drop=True)
    for mv in moves:
        amount = f"{abs(mv['amount']) / 100:,.2f}"
        if mv["what"] == "reclassified":
            report.notes.append(f"{mv['month']}: adjustments were negative overall by {amount}; counted in the "
                                "practice row's gross charges (net charges unchanged).")
            continue
        what = mv["what"].replace("write-offs beyond production", "adjustments beyond charges").replace(
            "adjustments beyond write-offs", "negative adjustments").replace("negative production",
                                                                           "negative charges")
        mv["what"] = what
        to = mv["to"] if isinstance(mv["to"], str) else ", ".join(mv["to"] or [])
        report.notes.append(f"{mv['month']}: {what} of provider {mv['provider_id']} ({amount}) moved to provider "
                            f"{to} of the same month.")
    report.checks.append({"id": "provider_moves", "moves": moves})

    # --- what the money queries left out -------------------------------------------------------------------------
    kinds = left.set_index("kind") if len(left) else pd.DataFrame(columns=["n", "amount"])

    def kind_rows(k: str) -> tuple[int, float]:
        if k not in kinds.index:
            return 0, 0.0
        return int(pd.to_numeric(kinds.at[k, "n"])), float(pd.to_numeric(kinds.at[k, "amount"]))

    report.exclude("billing", "deleted lines (activity = 0); they keep their fee in OpenEMR", *kind_rows("deleted"))
    report.exclude("billing", "diagnosis lines (ICD and other diagnosis code types): no charge", *kind_rows("diagnosis"))
    report.exclude("billing", "TAX lines: sales tax on products, not a charge for care", *kind_rows("tax"))
    report.exclude("billing", "active lines without a fee", *kind_rows("no_fee"))
    n_cop, amt_cop = kind_rows("copay")
    if n_cop:
        report.notes.append(f"{n_cop} COPAY line(s) of the fee sheet ({-amt_cop:,.2f}) counted as patient payments, "
                            "not charges.")
    if len(posts_prov):
        vo = posts_prov[pd.to_numeric(posts_prov["voided"]).fillna(0).astype(int) == 1]
        report.exclude("ar_activity", "voided postings (deleted set in OpenEMR; amount: payments and adjustments)",
                       int(pd.to_numeric(vo["n"]).sum()),
                       float(pd.to_numeric(vo["pay"]).sum() + pd.to_numeric(vo["adj"]).sum()))
    if not schema.has("ar_activity", "deleted"):
        report.notes.append("This OpenEMR has no ar_activity.deleted: no posting is known to be voided.")

    # --- charges (one row per billed visit) -------------------------------------------------------------------------
    key = key or target.key or new_key()
    encs["entered"] = to_dates(encs["entered"]) if len(encs) else pd.Series(dtype="datetime64[ns]")
    encs = encs[encs["day"].notna()].copy()
    early = encs["entered"] < encs["day"]
    if early.any():
        report.notes.append(f"{int(early.sum())} visit(s) had a charge line entered before the visit's date (a "
                            "re-dated encounter); their charge lag counts as 0 days.")
    encs["entered"] = encs[["entered", "day"]].max(axis=1)
    prov = np.where(pd.to_numeric(encs["enc_prov"]).fillna(0) > 0, encs["enc_prov"], encs["line_prov"])
    charges = pd.DataFrame({
        "charge_id": "C" + pd.to_numeric(encs["encounter"]).fillna(0).astype("int64").astype(str)
                     + "-" + pd.to_numeric(encs["pid"]).fillna(0).astype("int64").astype(str),
        "service_date": encs["day"], "entry_date": encs["entered"], "provider_id": _ids(pd.Series(prov)).to_numpy(),
        "amount": _cents(encs["amount"]).to_numpy() / 100,
    })
    if claims is not None:
        cl = claims.assign(pid=pd.to_numeric(claims["pid"]).astype("int64"),
                           encounter=pd.to_numeric(claims["encounter"]).astype("int64"))
        keyed = encs.assign(pid=pd.to_numeric(encs["pid"]).astype("int64"),
                            encounter=pd.to_numeric(encs["encounter"]).astype("int64"))
        m = keyed[["pid", "encounter"]].merge(cl, on=["pid", "encounter"], how="left")
        sub = to_dates(m["submitted"]) if len(m) else pd.Series(dtype="datetime64[ns]")
        before = sub.to_numpy() < encs["day"].to_numpy()
        if before.any():
            report.notes.append(f"{int(before.sum())} claim(s) were billed before their visit's date (a re-dated "
                                "encounter); they count as submitted on the visit's day.")
            sub = sub.where(~before, encs["day"].to_numpy())
        charges["submitted_date"] = sub.to_numpy()
        denied = pd.to_numeric(m["denied"], errors="coerce").fillna(0) > 0
        charges["denied"] = pd.array(np.where(sub.notna(), denied, pd.NA), dtype="boolean")
    else:
        report.notes.append("This database has no claims table: claim denials are not known (denied left blank).")
    charges = charges[(charges["amount"] > 0)].sort_values(["service_date", "charge_id"], kind="stable")
    charges = charges.reset_index(drop=True)

    # --- appointments ------------------------------------------------------------------------------------------------
    cat = cats.assign(pc_catid=pd.to_numeric(cats["pc_catid"], errors="coerce")).set_index("pc_catid")
    pev = _events(pev)
    single_last = pev.loc[pd.to_numeric(pev["pc_recurrtype"], errors="coerce").fillna(0) == 0, "start"].max() \
        if len(pev) else pd.NaT
    horizon = max(last_day, single_last if pd.notna(single_last) else last_day)
    horizon = min(horizon, last_day + BOOKED_AHEAD)
    weekend = tuple(int(x) for x in re.findall(r"\d", settings.get("weekend_days", "")) or rules.WEEKEND_DAYS)
    occ, bad_rules = rules.expand(pev, p_from.start_time.date(), horizon.date(), weekend)
    report.exclude("openemr_postcalendar_events", "repeating appointments with an incomplete repeat rule (OpenEMR's "
                   "calendar does not show them either)", bad_rules)
    checkin = set()
    if len(statuses):
        flag = (pd.to_numeric(statuses["checkin"], errors="coerce").fillna(0) > 0) | \
               (pd.to_numeric(statuses["checkout"], errors="coerce").fillna(0) > 0)
        shipped = set(rules.COMPLETED_CODES + rules.NO_SHOW_CODES + rules.CANCELLED_CODES + rules.SCHEDULED_CODES)
        checkin = {str(c) for c in statuses.loc[flag, "option_id"]} - shipped
    status, late = rules.appointment_status(occ["pc_apptstatus"], occ["pc_catid"], checkin)
    if len(occ) and len(statuses):
        known = set(statuses["option_id"].astype(str)) | set(rules.COMPLETED_CODES + rules.NO_SHOW_CODES +
                                                              rules.CANCELLED_CODES + rules.SCHEDULED_CODES)
        unknown = sorted(set(occ["pc_apptstatus"].fillna("-").astype(str).str.strip()) - known - {""})
        if unknown:
            report.notes.append(f"Appointment status code(s) not in the practice's apptstat list: {', '.join(unknown)}; "
                                "read as scheduled.")
    dur = pd.to_numeric(occ["pc_duration"], errors="coerce").fillna(0)
    span = pd.to_numeric(occ["t_stop"], errors="coerce") - pd.to_numeric(occ["t_start"], errors="coerce")
    seconds = dur.where(dur > 0, span.where(span > 0, 0))
    minutes = (seconds / 60.0).round().astype("int64")
    reason = pd.Series(None, index=occ.index, dtype=object)
    reason[minutes < 5] = "appointments with no length (pc_duration 0 and no end time)"
    reason[minutes > 600] = "appointments longer than 10 hours (pc_duration)"
    reason[(occ["day"] > last_day) & status.isin(["completed", "no_show", "cancelled"]) & reason.isna()] = \
        "arrived, missed or cancelled appointments dated after the range (not over yet)"
    for why, n in reason.value_counts().items():
        report.exclude("openemr_postcalendar_events", why, int(n))
    if len(others):
        names = pd.to_numeric(others["pc_catid"], errors="coerce").map(cat["pc_catname"].to_dict()).fillna(
            others["pc_catid"].astype(str)).astype(str)
        text = ", ".join(f"{int(n)} {nm}" for nm, n in zip(names, pd.to_numeric(others["n"])))
        report.exclude("openemr_postcalendar_events", f"events without a patient (office hours, meetings, lunch, "
                       f"vacation …: {text})", int(pd.to_numeric(others["n"]).sum()))
    keep = reason.isna()
    a = occ[keep].copy()
    n_patient_events = len(pev)
    del pev, occ  # the calendar rows are no longer needed: keep the peak memory down
    a = a.sort_values(["day", "t_start", "pc_eid"], kind="stable")
    a["status"], a["late"], a["minutes"] = status[keep], late[keep], minutes[keep]
    a["pid"] = a["pc_pid"].astype(str).str.strip()
    a["appointment_id"] = "E" + pd.to_numeric(a["pc_eid"]).astype("int64").astype(str) + a["occurrence"].fillna("")
    catid = pd.to_numeric(a["pc_catid"], errors="coerce")
    catname = catid.map(cat["pc_catname"].to_dict()).fillna("").astype(str)
    if "pc_constant_id" in cat:
        catname = catname + " " + catid.map(cat["pc_constant_id"].to_dict()).fillna("").astype(str)
    cattype = catid.map(cat["pc_cattype"].to_dict()) if "pc_cattype" in cat else None
    vtype = rules.visit_type(catname, cattype)
    a["entered"] = to_dates(a["entered"]) if len(a) else pd.Series(dtype="datetime64[ns]")
    nb_in = pd.DataFrame({"AptNum": a["appointment_id"], "PatNum": a["pid"],
                          "AptStatus": np.where(a["status"] == "completed", 2, 1), "day": a["day"],
                          "created": a["entered"]})
    nb = next_visit_booked(nb_in) if len(nb_in) else pd.Series(dtype="boolean")
    a["next"] = pd.array(a["appointment_id"].map(nb).to_numpy(), dtype="boolean")
    a.loc[a["status"] != "completed", "next"] = pd.NA
    # production: the patient's encounter that day, on the first completed visit of the day
    enc_day = encs.assign(pid=pd.to_numeric(encs["pid"]).astype("int64").astype(str)).groupby(
        ["pid", "day"], as_index=False)["amount"].sum()
    done = a["status"] == "completed"
    firsts = a[done].drop_duplicates(["pid", "day"])
    prod = firsts.merge(enc_day, on=["pid", "day"], how="left").set_index("appointment_id")["amount"]
    production = a["appointment_id"].map(prod)
    production = production.where(~done, production.fillna(0.0)).where(done)
    aid = a["pc_aid"].astype(str).str.strip()
    appointments = pd.DataFrame({
        "appointment_id": a["appointment_id"], "date": a["day"],
        "provider_id": _ids(aid.where(aid != "", "0")).to_numpy(), "patient_id": map_ids(a["pid"], key).to_numpy(),
        "chair_minutes": a["minutes"].to_numpy(), "status": a["status"].to_numpy(), "visit_type": vtype.to_numpy(),
        "production": (_cents(production).to_numpy() / 100.0),
        "next_visit_booked": a["next"].to_numpy(), "late_cancellation": a["late"].to_numpy(),
    })
    appointments.loc[~done.to_numpy(), "production"] = np.nan
    appointments = appointments.sort_values(["date", "appointment_id"], kind="stable").reset_index(drop=True)
    past_sched = int(((appointments["status"] == "scheduled") & (appointments["date"] <= last_day)).sum())
    if past_sched:
        report.notes.append(f"{past_sched} past appointment(s) never given an arrival, no-show or cancellation "
                            "status in OpenEMR are written as scheduled.")

    # --- capacity -------------------------------------------------------------------------------------------------------
    oev = _events(oev)
    o_occ, bad_office = rules.expand(oev, p_from.start_time.date(), last_day.date(), weekend)
    report.exclude("openemr_postcalendar_events", "repeating office-hour events with an incomplete repeat rule",
                   bad_office)
    try:
        day_end = int(float(settings.get("schedule_end") or rules.SCHEDULE_END_HOURS) * 3600)
    except ValueError:
        day_end = rules.SCHEDULE_END_HOURS * 3600
    occ_frame = pd.DataFrame({
        "provider": _ids(o_occ["pc_aid"].astype(str).str.strip()) if len(o_occ) else [],
        "day": o_occ["day"] if len(o_occ) else [],
        "cat": pd.to_numeric(o_occ["pc_catid"], errors="coerce").fillna(0).astype(int) if len(o_occ) else [],
        "start": pd.to_numeric(o_occ["t_start"], errors="coerce").fillna(0).astype(int) if len(o_occ) else [],
        "dur": pd.to_numeric(o_occ["pc_duration"], errors="coerce").fillna(0).astype(int) if len(o_occ) else [],
        "allday": (pd.to_numeric(o_occ["pc_alldayevent"], errors="coerce").fillna(0) > 0) if len(o_occ) else [],
    })
    hours = rules.office_hours(occ_frame, day_end)
    cap = rules.capacity_from_hours(hours)
    capm = cap.monthly[cap.monthly["month"].isin(months)].copy() if len(cap.monthly) else cap.monthly
    old = target.old_config or {}
    if len(capm):
        capacity_source = "the providers' In Office / Out Of Office calendar events"
        missing = [m for m in months if m not in set(capm["month"])]
        if missing:
            report.notes.append(f"No office hours in the calendar for {len(missing)} month(s) ({', '.join(missing[:6])}"
                                f"{' …' if len(missing) > 6 else ''}): no capacity row for them.")
    else:
        capm, problem = rules.capacity_from_config(old, months)
        if problem:
            raise UsageProblem(problem)
        if len(capm):
            capacity_source = "practice.yaml (capacity: exam_rooms × open_hours)"
        else:
            capacity_source = "none"
            report.notes.append("The calendar has no In Office events and practice.yaml gives no capacity "
                                "(capacity: exam_rooms, open_hours): no capacity.csv written. Add them to "
                                "practice.yaml and import again with --overwrite.")
    report.rules.append(Rule("capacity_source", f"Capacity written from {capacity_source}.", capacity_source))
    capacity = pd.DataFrame({"month": pd.to_datetime(capm["month"] + "-01"),
                             "chair_hours_available": pd.to_numeric(capm["chair_hours_available"]).round(2),
                             "provider_hours_available": pd.to_numeric(capm["provider_hours_available"]).round(2),
                             "working_days": pd.to_numeric(capm["working_days"])}) if len(capm) else pd.DataFrame()
    if len(capacity):
        capacity = capacity[capacity["chair_hours_available"] > 0].reset_index(drop=True)

    # --- providers ---------------------------------------------------------------------------------------------------------
    used = set(fin["provider_id"]) | set(appointments["provider_id"]) | set(charges["provider_id"])
    f = fte(cap.provider_hours.assign(ProvNum=cap.provider_hours["ProvNum"]) if len(cap.provider_hours)
            else cap.provider_hours, last_day)
    u = users.copy()
    u["provider_id"] = _ids(u["id"])
    authorized = pd.to_numeric(u["authorized"], errors="coerce").fillna(0).astype(int) == 1
    u = u[authorized | u["provider_id"].isin(used)]
    prov_out = pd.DataFrame({
        "provider_id": u["provider_id"], "name": [_provider_name(r) for r in u.itertuples()],
        "role": [rules.provider_role(r.authorized, r.taxonomy, r.physician_type) for r in u.itertuples()],
        "active": pd.to_numeric(u["active"], errors="coerce").fillna(0).astype(int) == 1,
        "fte": u["provider_id"].map(f),
    })
    extra = sorted(used - set(prov_out["provider_id"]), key=lambda v: (len(v), v))
    if extra:
        prov_out = pd.concat([prov_out, pd.DataFrame({
            "provider_id": extra,
            "name": ["Practice (no provider)" if e == PRACTICE_ROW else f"Provider {e} (not in OpenEMR's users)"
                     for e in extra],
            "role": "other", "active": True, "fte": np.nan})], ignore_index=True)
    prov_out = prov_out.assign(_p=pd.to_numeric(prov_out["provider_id"], errors="coerce")).sort_values(
        ["_p", "provider_id"], kind="stable").drop(columns="_p").reset_index(drop=True)

    # --- reconciliation --------------------------------------------------------------------------------------------------------
    mrows = _money_rows(m_ch, m_posts, m_cop, by_provider=False)
    msrc = pd.DataFrame({"month": months})
    if len(mrows):
        mrows["month"] = month_from_key(mrows["mk"])
        by = mrows.set_index("month")
        for col, k in (("production", "gross"), ("writeoffs", "adj"), ("patient_income", "pat"),
                       ("insurance_income", "ins")):
            msrc[col] = msrc["month"].map(by[k]).fillna(0) / 100
    for col in ("production", "writeoffs", "patient_income", "insurance_income"):
        if col not in msrc:
            msrc[col] = 0.0
    msrc["adjustments"] = 0.0
    fin_text = fin.assign(month=fin["month"].dt.strftime("%Y-%m"))
    reclassified = {mv["month"]: mv["amount"] for mv in moves if mv["what"] == "reclassified"}
    report.reconciliation = reconcile(msrc, fin_text, reclassified)
    split_off = [m["month"] for m in report.reconciliation if abs(m["delta"]["collections"]) > 0]
    pat_total = fin.groupby(fin["month"].dt.strftime("%Y-%m"))["patient_collections"].sum()
    report.checks.append({"id": "payer_split", "text": "patient + insurance collections = collections on every row",
                          "ok": bool(np.allclose(fin["patient_collections"] + fin["insurance_collections"],
                                                 fin["collections"], atol=0.005)), "months_off": split_off,
                          "patient_total": round(float(pat_total.sum()), 2)})
    report.rows_read = {
        "users": len(users), "billing": int(pd.to_numeric(left["n"]).sum()) if len(left) else 0,
        "ar_activity": int(pd.to_numeric(posts_prov["n"]).sum()) if len(posts_prov) else 0,
        "ledger (encounter × month)": len(ledger), "form_encounter (billed in range)": len(encs),
        "claims (encounters)": 0 if claims is None else len(claims),
        "openemr_postcalendar_events (patients)": n_patient_events, "openemr_postcalendar_events (office hours)": len(oev),
        "openemr_postcalendar_categories": len(cats), "list_options (apptstat)": len(statuses),
    }

    # --- write ---------------------------------------------------------------------------------------------------------------
    tables = {"financials": fin, "capacity": capacity, "appointments": appointments, "charges": charges,
              "providers": prov_out}
    tables = {k: v for k, v in tables.items() if len(v)}
    for t in ("capacity", "appointments", "charges"):
        if t not in tables:
            report.notes.append(f"Nothing for {t} in these months: no {t}.csv written.")
    report.rows_written = {k: len(v) for k, v in tables.items()}
    pname = name or old.get("name") or facility_name or practice_id.replace("-", " ").title()
    fy = fiscal_year_start or int(old.get("fiscal_year_start_month", 1) or 1)
    files = {"practice.yaml": practice_yaml(practice_id, name=pname, kind=kind, fiscal_year_start_month=fy, old=old,
                                            source_note=SYSTEM)}
    files.update({f"{k}.csv": table_csv(k, v) for k, v in tables.items()})
    files[REPORT_FILE] = report.to_json()
    written = write_delivery(target, files, key)
    say("write", sum(report.rows_written.values()))
    return ImportResult(practice_id, written.folder, report, written, report.rows_written)
