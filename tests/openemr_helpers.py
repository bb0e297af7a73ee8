"""A hand-made OpenEMR database for the importer tests: small enough to work out every figure by hand.

`trap_db()` holds two months (2024-01, 2024-02) with one of each trap; the expected values in
tests/test_openemr.py are computed in comments there, from these rows.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from dyad_lib.demo import openemr_schema as schema

WORKDAYS = ('a:6:{s:17:"event_repeat_freq";s:1:"1";s:22:"event_repeat_freq_type";s:1:"4";'
            's:19:"event_repeat_on_num";s:1:"1";s:19:"event_repeat_on_day";s:1:"0";'
            's:20:"event_repeat_on_freq";s:1:"0";s:6:"exdate";s:17:"20240101,20240115";}')
WORKDAYS_NO_EXCEPTION = ('a:5:{s:17:"event_repeat_freq";s:1:"1";s:22:"event_repeat_freq_type";s:1:"4";'
                         's:19:"event_repeat_on_num";s:1:"1";s:19:"event_repeat_on_day";s:1:"0";'
                         's:20:"event_repeat_on_freq";s:1:"0";}')
TUE_THU = ('a:5:{s:17:"event_repeat_freq";s:3:"3,5";s:22:"event_repeat_freq_type";s:1:"6";'
           's:19:"event_repeat_on_num";s:1:"1";s:19:"event_repeat_on_day";s:1:"0";s:20:"event_repeat_on_freq";s:1:"0";}')
WEEKLY_SKIP_15 = ('a:6:{s:17:"event_repeat_freq";s:1:"1";s:22:"event_repeat_freq_type";s:1:"1";'
                  's:19:"event_repeat_on_num";s:1:"1";s:19:"event_repeat_on_day";s:1:"0";'
                  's:20:"event_repeat_on_freq";s:1:"0";s:6:"exdate";s:8:"20240215";}')
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
              (11, "reserved", "Reserved", 1)]


class EDB:
    """Rows per OpenEMR table."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = defaultdict(list)

    def add(self, table: str, **cols) -> None:
        self.rows[table].append(cols)

    def frames(self) -> dict[str, pd.DataFrame]:
        return {t: pd.DataFrame(r) for t, r in self.rows.items()}

    def write(self, engine) -> None:
        schema.write(engine, self.frames())


def base_db() -> EDB:
    """The settings every OpenEMR database has: version, globals, code types, statuses, categories."""
    db = EDB()
    db.add("version", v_major=7, v_minor=0, v_patch=2, v_realpatch=1, v_tag="", v_database=496)
    for k, v in (("schedule_start", "8"), ("schedule_end", "17"), ("weekend_days", "6,0")):
        db.add("globals", gl_name=k, gl_index=0, gl_value=v)
    db.add("facility", id=3, name="Maple Creek Family Clinic", primary_business_entity=1, billing_location=1,
           federal_ein="12-3456789", street="1 Clinic Way")
    for key, i, diag, fee in (("CPT4", 1, 0, 1), ("ICD10", 102, 1, 0), ("HCPCS", 3, 0, 1), ("SNOMED", 103, 1, 0)):
        db.add("code_types", ct_key=key, ct_id=i, ct_diag=diag, ct_fee=fee, ct_label=key)
    for i, (code, title, t1, t2) in enumerate(APPTSTAT):
        db.add("list_options", list_id="apptstat", option_id=code, title=title, seq=i * 10, toggle_setting_1=t1,
               toggle_setting_2=t2)
    for cid, const, nm, ctype in CATEGORIES:
        db.add("openemr_postcalendar_categories", pc_catid=cid, pc_constant_id=const, pc_catname=nm, pc_cattype=ctype,
               pc_recurrspec=NO_REPEAT, pc_seq=cid)
    return db


def trap_db() -> EDB:
    """Two months (2024-01, 2024-02) with one of each trap; see test_openemr.py for the sums."""
    db = base_db()
    for uid, user, fn, ln, sfx, auth, active, tax in (
            (1, "admin", "Admin", "Istrator", "", 0, 1, ""), (2, "sokafor", "Samuel", "Okafor", "MD", 1, 1, "207Q00000X"),
            (3, "npark", "Nina", "Park", "NP", 1, 1, "363LF0000X"), (4, "fdesk", "Fran", "Desk", "", 0, 1, ""),
            (5, "otimer", "Old", "Timer", "MD", 1, 0, "207Q00000X")):
        db.add("users", id=uid, username=user, fname=fn, lname=ln, suffix=sfx, authorized=auth, active=active,
               taxonomy=tax or "207Q00000X", npi=f"12345678{uid:02d}", federaltaxid="99-1234567", calendar=auth)
    for pid in range(1, 10):
        db.add("patient_data", id=pid, pid=pid, pubpid=f"MRN{pid:05d}", fname=f"Secret{pid}", lname="Patient",
               DOB="1980-02-03", ss=f"99900{pid}", street="1 Hidden Road", phone_home="555-0100",
               email=f"p{pid}@example.com")

    def enc(eid, pid, day, prov):
        db.add("form_encounter", id=eid, encounter=eid, pid=pid, date=f"{day} 09:00:00", provider_id=prov,
               facility_id=3, reason="Visit")

    enc(100, 1, "2024-01-10", 2)
    enc(101, 2, "2024-01-15", 3)
    enc(102, 3, "2024-02-05", 2)
    enc(103, 1, "2023-12-20", 5)    # before the range, paid in January by the physician who left
    enc(104, 4, "2024-02-20", 2)    # its charge was entered on 02-18: the encounter was re-dated
    enc(105, 5, "2023-10-02", 2)    # never paid: over 90 days old from the end of January

    line = iter(range(1, 100))

    def bill(encounter, pid, code_type, code, fee, entered, prov=0, units=1, activity=1):
        db.add("billing", id=next(line), date=f"{entered} 14:00:00", code_type=code_type, code=code, pid=pid,
               provider_id=prov, encounter=encounter, fee=fee, units=units, activity=activity, authorized=1,
               billed=0, code_text=code)

    bill(100, 1, "CPT4", "99213", 120.00, "2024-01-12", prov=2)
    bill(100, 1, "ICD10", "E11.9", None, "2024-01-12", prov=2)          # diagnosis: no charge
    bill(100, 1, "CPT4", "81002", 30.00, "2024-01-12", prov=2, units=3)  # fee is the line total (3 × 10)
    bill(100, 1, "COPAY", "", -20.00, "2024-01-10", prov=2)             # a patient payment, not a charge
    bill(100, 1, "CPT4", "99214", 160.00, "2024-01-11", prov=2, activity=0)  # deleted, keeps its fee
    bill(101, 2, "CPT4", "99203", 200.00, "2024-01-20")                 # no provider: the encounter's (3)
    bill(101, 2, "TAX", "", 4.00, "2024-01-20")                         # sales tax: not a charge for care
    bill(102, 3, "CPT4", "99213", 120.00, "2024-02-06")
    bill(103, 1, "CPT4", "99213", 100.00, "2023-12-21", prov=5)
    bill(104, 4, "CPT4", "99212", 80.00, "2024-02-18", prov=2)
    bill(105, 5, "CPT4", "99213", 60.00, "2023-10-03", prov=2)

    db.add("ar_session", session_id=1, payer_id=7, reference="CHK 1001", check_date="2024-02-09",
           deposit_date="2024-02-12", pay_total=70, payment_type="insurance")
    db.add("ar_session", session_id=2, payer_id=7, reference="CHK 1002", check_date="2024-02-27",
           deposit_date="2024-03-01", pay_total=150, payment_type="insurance")
    db.add("ar_session", session_id=3, payer_id=8, reference="CHK 77", check_date="2024-01-04",
           deposit_date="2024-01-05", pay_total=80, payment_type="insurance")

    def post(pid, encounter, seq, payer, when, pay=0.0, adj=0.0, session=0, deleted=None, post_date=None, memo=""):
        db.add("ar_activity", pid=pid, encounter=encounter, sequence_no=seq, payer_type=payer,
               post_time=f"{when} 11:00:00", pay_amount=pay, adj_amount=adj, session_id=session, deleted=deleted,
               post_date=post_date, memo=memo, modified_time=f"{when} 11:00:00", account_code="IPP" if payer else "PP")

    post(1, 100, 1, 1, "2024-02-12", pay=70, adj=20, session=1, memo="Adjust code 45")  # insurance, a month later
    post(1, 100, 2, 0, "2024-01-10", pay=10)
    post(2, 101, 1, 1, "2024-03-01", pay=150, adj=30, session=2, post_date="2024-02-28")  # posting date: February
    post(2, 101, 2, 0, "2024-01-15", pay=20, deleted="2024-01-16 09:00:00")  # voided
    post(2, 101, 3, 0, "2024-01-16", pay=20)
    post(1, 103, 1, 1, "2024-01-05", pay=80, adj=15, session=3)               # the physician who left
    post(3, 102, 1, 0, "2024-02-10", adj=-5, memo="debit adjustment")         # a negative adjustment
    post(9, 999, 1, 0, "2024-02-14", pay=12)                                  # no such encounter: practice row

    for pid, e, ver, status, ptype, when in ((1, 100, 1, 2, 1, "2024-01-13"), (1, 100, 2, 7, 1, "2024-01-13"),
                                             (1, 100, 3, 2, 1, "2024-01-25"), (2, 101, 1, 2, 1, "2024-01-21"),
                                             (4, 104, 1, 1, 1, None)):
        db.add("claims", patient_id=pid, encounter_id=e, version=ver, status=status, payer_type=ptype, payer_id=7,
               bill_time=None if when is None else f"{when} 10:00:00")

    def event(eid, cat, aid, pid, day, start, dur, status="-", end="0000-00-00", rtype=0, spec=NO_REPEAT, allday=0,
              entered="2023-12-15 08:00:00", stop=None):
        h, m = divmod(start, 60)
        e_min = start + dur // 60 if stop is None else stop
        db.add("openemr_postcalendar_events", pc_eid=eid, pc_catid=cat, pc_aid=str(aid), pc_pid=pid,
               pc_eventDate=day, pc_endDate=end, pc_duration=dur, pc_recurrtype=rtype, pc_recurrspec=spec,
               pc_startTime=f"{h:02d}:{m:02d}:00", pc_endTime=f"{e_min // 60:02d}:{e_min % 60:02d}:00",
               pc_alldayevent=allday, pc_apptstatus=status, pc_time=entered, pc_title="", pc_eventstatus=1,
               pc_hometext="Private note about the patient")

    event(1001, 9, 2, "1", "2024-01-10", 540, 900, ">")
    event(1002, 10, 3, "2", "2024-01-15", 600, 1800, "@")
    event(1003, 9, 2, "3", "2024-01-22", 540, 900, "?")
    event(1004, 9, 2, "4", "2024-01-23", 540, 900, "%")
    event(1005, 9, 2, "1", "2024-01-24", 540, 900, "x")
    event(1006, 9, 2, "3", "2024-02-05", 540, 900, "KIOSK")
    event(1007, 9, 3, "5", "2024-02-07", 600, 1200, "!")
    event(1008, 1, 3, "6", "2024-02-08", 600, 900, "-")
    event(1009, 9, 2, "1", "2024-03-05", 540, 900, "-", entered="2024-01-10 09:30:00")
    event(1010, 9, 2, "4", "2024-02-20", 540, 900, "$", entered="2024-01-23 09:00:00")
    event(1011, 5, 3, "7", "2024-02-01", 660, 1800, "-", end="2024-02-29", rtype=1, spec=WEEKLY_SKIP_15)
    event(1012, 11, 2, "", "2024-01-17", 720, 3600)                    # a meeting: no patient
    event(1013, 5, 2, "0", "2024-01-18", 720, 900)                     # pid 0: no patient either
    event(1014, 9, 2, "2", "2024-01-30", 540, 0, stop=540)            # no length at all
    # office hours
    event(2001, 2, 2, "", "2024-01-01", 480, 0, end="2024-02-29", rtype=1, spec=WORKDAYS)
    event(2002, 3, 2, "", "2024-01-01", 1020, 0, end="2024-02-29", rtype=1, spec=WORKDAYS_NO_EXCEPTION)
    event(2003, 8, 2, "", "2024-01-01", 720, 3600, end="2024-02-29", rtype=1, spec=WORKDAYS_NO_EXCEPTION)
    event(2004, 2, 3, "", "2024-01-02", 540, 0, end="2024-02-29", rtype=3, spec=TUE_THU)
    event(2005, 4, 3, "", "2024-02-13", 0, 0, allday=1)
    event(2006, 2, 2, "", "2024-02-10", 540, 10800)
    return db
