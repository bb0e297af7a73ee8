"""The data contract as data: every input table, its columns, their kinds and the allowed codes.

One definition feeds the loader (how to coerce each column), the Great Expectations suites
(what to check), `dyad new` (CSV templates) and the printable questionnaires, so the four can
never disagree. `docs/data-contract.md` is generated from it (`dyad docs`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

# --- code lists -----------------------------------------------------------------------------

PRACTICE_KINDS = ("dental", "medical")

EXPENSE_CATEGORIES = (
    "staff_wages",
    "payroll_taxes_benefits",
    "facility",
    "clinical_supplies",
    "lab",
    "equipment",
    "office_admin",
    "marketing",
    "other_overhead",
    "owner_compensation",
    "debt_service",
)
#: Overhead is every category except the owner's pay and debt service.
NON_OVERHEAD_CATEGORIES = ("owner_compensation", "debt_service")
OVERHEAD_CATEGORIES = tuple(c for c in EXPENSE_CATEGORIES if c not in NON_OVERHEAD_CATEGORIES)
#: Costs that move with production; used by the break-even formula.
VARIABLE_COST_CATEGORIES = ("lab", "clinical_supplies")

APPOINTMENT_STATUSES = ("completed", "no_show", "cancelled", "scheduled")
#: Who a provider is; reports keep hygienists apart from the dentists whose production they share.
PROVIDER_ROLES = ("dentist", "hygienist", "physician", "nurse_practitioner", "physician_assistant", "other")
#: Tables whose rows name a provider (checked against `providers` when it is delivered).
PROVIDER_TABLES = ("financials", "appointments", "treatment_plans", "charges")
VISIT_TYPES = ("hygiene", "exam", "restorative", "new_patient", "procedure", "other")

PARTNER_ROLES = ("physician", "administrator")
TEAM_ROLES = ("physician", "administrator", "staff")
RATER_GROUPS = ("self", "partner", "peer", "staff", "patient")
#: Rater groups that are single people by nature and exempt from the anonymity rule.
SINGLE_RATER_GROUPS = ("self", "partner")
#: A rater group with fewer ratings than this is folded into "others".
MIN_GROUP_RATINGS = 3
MEETING_CADENCES = ("weekly", "monthly", "quarterly", "annual")
DECISION_LEADS = ("physician", "administrator", "joint")
ACTION_OWNERS = ("physician", "administrator", "both")
ACTION_STATUSES = ("open", "in_progress", "done", "dropped")
PARTNER_QUESTIONS = (
    "biggest_challenge",
    "success_this_year",
    "wish_understood",
    "feedback_needed",
    "appreciate_most",
)

#: The 14 partnership areas: code -> (who delivers it, short label, the question asked).
#: The first seven are delivered by the physician to the administrator, the last seven by the
#: administrator to the physician.
DYAD_AREAS: dict[str, tuple[str, str, str]] = {
    "engagement": ("physician", "Engagement",
                   "The physician takes part in running the practice, not only in clinical work."),
    "org_understanding": ("physician", "Understanding of the organisation",
                          "The physician understands how the practice works as a business."),
    "professionalism": ("physician", "Professionalism",
                        "The physician behaves professionally with the team and with patients."),
    "constructive_feedback": ("physician", "Constructive feedback",
                              "The physician gives feedback that helps, in private and in time."),
    "quality_commitment": ("physician", "Commitment to quality",
                           "The physician champions quality and safety in daily work."),
    "advocacy": ("physician", "Advocacy",
                 "The physician speaks up for the administrator and the team's decisions."),
    "admin_effectiveness": ("physician", "Support for administrative effectiveness",
                            "The physician makes it easier for the administrator to do the job well."),
    "supportive_environment": ("administrator", "Supportive environment",
                               "The administrator builds an environment where clinicians can work well."),
    "shared_vision": ("administrator", "Shared vision",
                      "The administrator works toward a vision both partners share."),
    "respect_trust": ("administrator", "Respect and trust",
                      "The administrator shows respect for clinical judgement and earns trust."),
    "clear_communication": ("administrator", "Clear communication",
                            "The administrator communicates plans, numbers and changes clearly."),
    "autonomy_accountability": ("administrator", "Autonomy with accountability",
                                "The administrator gives clinicians room to decide, with clear accountability."),
    "recognition": ("administrator", "Recognition",
                    "The administrator recognises the physician's contribution."),
    "professional_development": ("administrator", "Professional development",
                                 "The administrator supports the physician's growth."),
}
DYAD_AREA_CODES = tuple(DYAD_AREAS)

PRACTICE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")

# --- metric ids -------------------------------------------------------------------------------

#: The metric registry: the vocabulary of every `metric_id` column (an action item, a conflict, a
#: decision or a decision-grid row may name the number it is meant to move). The contract reads
#: only the ids from it; the definitions belong to the metrics stage (`dyad_lib.metrics.registry`),
#: which this stage must not import.
REGISTRY_FILE = Path(__file__).resolve().parents[1] / "metrics" / "registry.yaml"
#: The code lists the registry's templates expand over (`overhead_ratio_<category>`, …).
REGISTRY_ITEM_LISTS: dict[str, tuple[str, ...]] = {
    "overhead_categories": OVERHEAD_CATEGORIES, "meeting_cadences": MEETING_CADENCES, "team_roles": TEAM_ROLES}
#: `quality_<measure_id>` ids name a measure of the practice's own quality_measures table.
QUALITY_PREFIX = "quality_"


@lru_cache(maxsize=1)
def metric_ids() -> tuple[str, ...]:
    """Every static metric id of the registry, templates expanded (quality ids come from the data)."""
    from dyad_lib.data.yamltext import read_yaml

    raw = read_yaml(REGISTRY_FILE) or {}
    ids = [str(d["id"]) for d in raw.get("metrics", [])]
    for t in raw.get("templates", []):
        ids += [str(t["id"]).replace("{item}", item) for item in REGISTRY_ITEM_LISTS.get(t.get("over"), ())]
    return tuple(dict.fromkeys(ids))


def known_metric_id(metric_id: str, measure_ids=()) -> bool:
    """A registry id, or `quality_<m>` for a measure `m` of the practice's quality_measures."""
    if metric_id in metric_ids():
        return True
    return metric_id.startswith(QUALITY_PREFIX) and metric_id[len(QUALITY_PREFIX):] in set(measure_ids)

METRIC_ID_NOTE = "optional: the id of the number this row is meant to move (docs/metrics.md)"

# --- tables ---------------------------------------------------------------------------------

#: Column kinds the loader knows how to coerce (`metric`: a metric id, read lower-case like a code).
KINDS = ("month", "date", "money", "number", "integer", "bool", "enum", "str", "text", "metric")


@dataclass(frozen=True)
class Column:
    """One column of an input table."""

    name: str
    kind: str
    required: bool = True
    codes: tuple[str, ...] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        assert self.kind in KINDS, self.kind
        assert (self.kind == "enum") == (self.codes is not None), self.name


@dataclass(frozen=True)
class Table:
    """One input table: its columns and what makes a row unique."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = False
    #: Which report sections or instruments the table switches on (for "missing" notes).
    enables: str = ""
    collects: str = field(default="")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, kind: str, required: bool = True, codes=None, description: str = "") -> Column:
    return Column(name, kind, required, tuple(codes) if codes is not None else None, description)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "financials",
            "One row per month (optionally per provider): production, adjustments, collections, A/R.",
            (
                _c("month", "month", description="YYYY-MM"),
                _c("provider_id", "str", False, description="blank = whole practice"),
                _c("gross_production", "money", description="charges at full fee, >= 0"),
                _c("adjustments", "money", description="write-offs and contractual adjustments, >= 0"),
                _c("collections", "money", description="money received in the month, >= 0"),
                _c("ar_balance", "money", False, description="accounts receivable at month end"),
                _c("ar_over_90", "money", False, description="part of ar_balance older than 90 days"),
                _c("patient_collections", "money", False,
                   description="the part of collections paid by patients, >= 0 (payer mix)"),
                _c("insurance_collections", "money", False,
                   description="the part of collections paid by insurers, >= 0; patient + insurance = collections"),
            ),
            key=("month", "provider_id"),
            required=True,
            enables="every financial section",
        ),
        Table(
            "expenses",
            "One row per month and expense category.",
            (
                _c("month", "month"),
                _c("category", "enum", codes=EXPENSE_CATEGORIES),
                _c("amount", "money"),
            ),
            key=("month", "category"),
            enables="overhead, operating margin and the goal budget",
        ),
        Table(
            "capacity",
            "One row per month: hours open for booking and working days.",
            (
                _c("month", "month"),
                _c("chair_hours_available", "number"),
                _c("provider_hours_available", "number", False),
                _c("working_days", "number", False),
            ),
            key=("month",),
            enables="chair utilization, production per hour and goal phasing by working days",
        ),
        Table(
            "appointments",
            "One row per appointment.",
            (
                _c("appointment_id", "str"),
                _c("date", "date"),
                _c("provider_id", "str"),
                _c("patient_id", "str"),
                _c("chair_minutes", "integer"),
                _c("status", "enum", codes=APPOINTMENT_STATUSES),
                _c("visit_type", "enum", codes=VISIT_TYPES),
                _c("production", "money", False),
                _c("next_visit_booked", "bool", False),
                _c("documented_date", "date", False),
                _c("late_cancellation", "bool", False,
                   description="for a cancelled appointment: cancelled with less than 24 hours' notice"),
            ),
            key=("appointment_id",),
            enables="schedule, patient and clinical-production sections",
        ),
        Table(
            "treatment_plans",
            "One row per treatment plan presented.",
            (
                _c("plan_id", "str"),
                _c("patient_id", "str"),
                _c("provider_id", "str"),
                _c("presented_date", "date"),
                _c("amount_presented", "money"),
                _c("amount_accepted", "money"),
                _c("accepted_date", "date", False),
            ),
            key=("plan_id",),
            enables="the acceptance of treatment plans",
        ),
        Table(
            "charges",
            "One row per billed visit: when it was seen, when its charges were entered, and its claim.",
            (
                _c("charge_id", "str", description="the visit's bill (an encounter), unique"),
                _c("service_date", "date", description="the day of the visit"),
                _c("entry_date", "date", description="the day its charges were entered, >= service_date"),
                _c("provider_id", "str"),
                _c("amount", "money", description="the visit's charges at full fee, >= 0"),
                _c("submitted_date", "date", False,
                   description="the day the first claim for it went to an insurer; blank = not billed to insurance"),
                _c("denied", "bool", False,
                   description="a payer denied the claim at least once; blank when the source does not record it"),
            ),
            key=("charge_id",),
            enables="charge lag and the claim denial rate",
        ),
        Table(
            "quality_measures",
            "Clinical quality: one row per month and measure.",
            (
                _c("month", "month"),
                _c("measure_id", "str"),
                _c("measure_name", "str"),
                _c("numerator", "integer"),
                _c("denominator", "integer"),
                _c("target_rate", "number", False),
            ),
            key=("month", "measure_id"),
            enables="clinical quality measures",
        ),
        Table(
            "patient_survey",
            "One row per patient survey response.",
            (
                _c("response_date", "date"),
                _c("recommend_score", "integer"),
                _c("rating", "integer", False),
                _c("comment", "text", False),
            ),
            enables="patient NPS and comments",
            collects="a patient survey (0-10 'would you recommend us?')",
        ),
        Table(
            "team_survey",
            "One row per anonymous team survey response.",
            (
                _c("response_date", "date"),
                _c("role", "enum", codes=TEAM_ROLES),
                _c("satisfaction", "integer"),
                _c("burnout", "integer"),
                _c("recommend_workplace", "integer"),
            ),
            enables="team satisfaction, burnout and eNPS",
            collects="an anonymous team survey (Mini-Z single items and eNPS)",
        ),
        Table(
            "dyad_assessment",
            "Each partner rates all 14 partnership areas (1-5).",
            (
                _c("assessment_date", "date"),
                _c("respondent", "enum", codes=PARTNER_ROLES),
                _c("area", "enum", codes=DYAD_AREA_CODES),
                _c("rating", "integer"),
                _c("importance", "integer", False),
                _c("note", "text", False),
            ),
            key=("assessment_date", "respondent", "area"),
            enables="the partnership assessment",
            collects="the 14-area partnership needs assessment",
        ),
        Table(
            "feedback_360",
            "Multi-rater feedback on each partner.",
            (
                _c("collected_date", "date"),
                _c("subject", "enum", codes=PARTNER_ROLES),
                _c("rater_group", "enum", codes=RATER_GROUPS),
                _c("competency", "str"),
                _c("rating", "integer"),
            ),
            enables="360 feedback",
            collects="360-degree feedback on each partner",
        ),
        Table(
            "meetings",
            "The rhythm of collaboration: one row per planned or held meeting.",
            (
                _c("date", "date"),
                _c("cadence", "enum", codes=MEETING_CADENCES),
                _c("held", "bool"),
                _c("duration_minutes", "integer", False),
            ),
            enables="meeting rhythm",
            collects="a log of partnership meetings",
        ),
        Table(
            "decision_grid",
            "Who leads which decisions.",
            (
                _c("decision_area", "str"),
                _c("lead", "enum", codes=DECISION_LEADS),
                _c("consulted", "str", False),
                _c("notes", "text", False),
                _c("metric_id", "metric", False, description=METRIC_ID_NOTE),
            ),
            key=("decision_area",),
            enables="the decision grid",
            collects="the decision grid (who leads which decisions)",
        ),
        Table(
            "conflicts",
            "The conflict-resolution log.",
            (
                _c("conflict_id", "str"),
                _c("opened_date", "date"),
                _c("topic", "text"),
                _c("resolved_date", "date", False),
                _c("mediated", "bool", False),
                _c("metric_id", "metric", False, description=METRIC_ID_NOTE),
            ),
            key=("conflict_id",),
            enables="the conflict log",
            collects="a conflict-resolution log",
        ),
        Table(
            "action_plan",
            "What the partners agreed to improve.",
            (
                _c("item_id", "str"),
                _c("title", "text"),
                _c("area", "enum", False, codes=DYAD_AREA_CODES),
                _c("owner", "enum", codes=ACTION_OWNERS),
                _c("created_date", "date"),
                _c("due_date", "date"),
                _c("status", "enum", codes=ACTION_STATUSES),
                _c("completed_date", "date", False),
                _c("metric_id", "metric", False, description=METRIC_ID_NOTE),
            ),
            key=("item_id",),
            enables="the action plan",
            collects="the partners' action plan",
        ),
        Table(
            "partner_questions",
            "Answers to the recurring checkpoint questions.",
            (
                _c("date", "date"),
                _c("respondent", "enum", codes=PARTNER_ROLES),
                _c("question", "enum", codes=PARTNER_QUESTIONS),
                _c("answer", "text"),
            ),
            enables="the checkpoint questions",
            collects="the recurring checkpoint questions",
        ),
        Table(
            "focus_areas",
            "The one or two partnership areas the partners chose to work on.",
            (
                _c("chosen_date", "date"),
                _c("area", "enum", codes=DYAD_AREA_CODES),
                _c("note", "text", False, description="why, or what good looks like"),
                _c("closed_date", "date", False, description="the partners moved on; blank while it is open"),
            ),
            key=("chosen_date", "area"),
            enables="the chosen focus areas and their progress",
            collects="the focus areas the partners chose",
        ),
        Table(
            "decisions",
            "What the partners decided in a meeting.",
            (
                _c("decision_id", "str"),
                _c("date", "date", description="the day of the meeting"),
                _c("cadence", "enum", codes=MEETING_CADENCES, description="the meeting it was taken in"),
                _c("decision", "text"),
                _c("lead", "enum", codes=DECISION_LEADS, description="who carries it out"),
                _c("metric_id", "metric", False, description=METRIC_ID_NOTE),
                _c("area", "enum", False, codes=DYAD_AREA_CODES),
                _c("review_date", "date", False, description="when the partners look at it again"),
            ),
            key=("decision_id",),
            enables="the decisions log and the decisions up for review",
            collects="the partners' meeting decisions",
        ),
        Table(
            "providers",
            "Who the provider ids are: one row per provider.",
            (
                _c("provider_id", "str", description="the id the other tables use"),
                _c("name", "text", description="as shown on reports"),
                _c("role", "enum", codes=PROVIDER_ROLES),
                _c("active", "bool", False),
                _c("fte", "number", False, description="full-time equivalent, 0-1.5"),
            ),
            key=("provider_id",),
            enables="provider names on reports and hygiene apart from dentistry",
        ),
    )
}

TABLE_NAMES = tuple(TABLES)

#: Wording of the recurring checkpoint questions, as asked.
QUESTION_TEXT = {
    "biggest_challenge": "What is the biggest challenge you face in your role right now?",
    "success_this_year": "What would make this year a success for you?",
    "wish_understood": "What do you wish your partner understood better about your work?",
    "feedback_needed": "What feedback would help you most from your partner?",
    "appreciate_most": "What do you appreciate most about working with your partner?",
}

#: Keys of practice.yaml and what each must be.
PRACTICE_YAML_KEYS = {
    "practice_id": "the folder name: lower-case letters, digits and dashes (e.g. harbor-dental)",
    "name": "the practice's name as it should appear on reports",
    "kind": "dental or medical",
    "fiscal_year_start_month": "a month number 1-12 (1 = the fiscal year is the calendar year)",
    "currency": "a currency code such as USD",
    "active_patient_months": "how many months define an active patient (12, 18 or 36 are common)",
    "date_format": "optional: the one non-ISO date format of your exports, e.g. %m/%d/%Y",
    "partners": "clinical_lead and business_lead names",
    "capacity": "optional: exam_rooms and open_hours per weekday (mon: 08:00-17:00 …), read by `dyad import openemr` "
                "when the practice's calendar has no office hours",
}
