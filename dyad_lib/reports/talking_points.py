"""Talking points for the monthly review, and recommendations for the assessment.

The monthly review ends with three to five things worth talking about, generated from the numbers
so the doctor and the manager start from the same facts: the largest misses and movements against
the goal, against last year and against the benchmark band, including slow trends (a cost that
creeps up a few tenths of a point a month). Each point is one neutral sentence (what happened, not
who is to blame) that names the number behind it, and every candidate gets a transparent score:
its size in dollars per month. The largest ones are shown.

Windows: "recent" is the three months ending with the review month (one month is too noisy for a
ratio), compared with the same three months a year earlier so seasonality cancels out. All values
come from `dyad_lib.metrics.compute.compute_metrics`; nothing is recomputed here except the dollar sizes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Mapping

from dyad_lib import fmt
from dyad_lib.data.contract import OVERHEAD_CATEGORIES
from dyad_lib.metrics.periods import Period, add_months, month_range_period

if TYPE_CHECKING:
    from dyad_lib.data.load import Practice
    from dyad_lib.metrics.opportunities import Opportunities

#: Months in the "recent" window.
WINDOW = 3
#: A share of collections (or a rate) must move at least this much (in points) to be mentioned.
MIN_SHARE_MOVE = 0.005
#: Money figures must move at least this much (relative) against last year to be mentioned.
MIN_MONEY_MOVE = 0.05
#: Case acceptance must move at least this much (in points) to be mentioned.
MIN_ACCEPTANCE_MOVE = 0.03
MIN_POINTS, MAX_POINTS = 3, 5


@dataclass(frozen=True)
class TalkingPoint:
    """One thing to talk about: a neutral sentence, the metric behind it and its size."""

    topic: str  # goal | goal_ytd | last_year | overhead | collections | schedule | treatment
    metric_id: str
    text: str  # a fmt.Sentence: plain text, and in a report each number carries its metric and period
    dollars_per_month: float  # the ranking score (absolute size)
    favourable: bool  # the movement is in the better direction
    notable: bool = True  # past the thresholds above; others only fill up to MIN_POINTS

    def __str__(self) -> str:
        return self.text


def window(end: Period | Any, months: int = WINDOW, fy_start_month: int = 1) -> Period:
    """The `months` months ending with the period's last month (a range of whole months)."""
    last = end.end if isinstance(end, Period) else end
    fy = end.fy_start_month if isinstance(end, Period) else fy_start_month
    return month_range_period(add_months(last, -(months - 1)), last, fy)


def span_text(p: Period) -> str:
    """'July–September 2026' / 'November 2025 – January 2026' / 'September 2026'."""
    if p.start == p.end:
        return f"{p.start:%B %Y}"
    if p.start.year == p.end.year:
        return f"{p.start:%B}–{p.end:%B %Y}"
    return f"{p.start:%B %Y} – {p.end:%B %Y}"


def _val(values: Mapping[str, Any], mid: str) -> float | None:
    mv = values.get(mid)
    return None if mv is None or mv.value is None else float(mv.value)


def _label(practice: "Practice", mid: str) -> str:
    from dyad_lib.metrics.compute import metric_def

    return metric_def(practice, mid).label(practice.kind)


def _lower(label: str) -> str:
    """Sentence-case a label inside a sentence, keeping acronyms (A/R, NPS) as they are."""
    first = label.split(" ")[0]
    return label if first.isupper() or "/" in first else label[0].lower() + label[1:]


def _band(practice: "Practice", mid: str):
    """The reference band of a rate for this kind of practice (`benchmarks.reference`)."""
    from dyad_lib.metrics import benchmarks
    from dyad_lib.metrics.compute import metric_def

    return benchmarks.reference(benchmarks.for_kind(metric_def(practice, mid), practice.kind))


# --- candidates ---------------------------------------------------------------------------------


def _fig(values: Mapping[str, Any], mid: str, period: Period, unit: str = "money"):
    """The value of `mid` printed, remembering its metric and period."""
    return fmt.figure(_val(values, mid), unit, mid, period)


def _versus_last_year(x: float, y: float | None, when: Period, mid: str = "collections"):
    """' and 8.8% below September 2025 ($317.2K)' (empty without a value a year earlier)."""
    if not y:
        return ""
    change = fmt.pct_change(x, y)
    side = "above" if change >= 0 else "below"
    return fmt.say(", and {c} {side} {when} ({y})", c=fmt.percent(abs(change)), side=side,
                   when=span_text(when.year_earlier()), y=fmt.figure(y, "money", mid, when.year_earlier()))


def _goal_points(practice: "Practice", month: Period, goals: Mapping[str, Any] | None,
                 now: Mapping[str, Any], ago: Mapping[str, Any]) -> list[TalkingPoint]:
    from dyad_lib.goals.lines import monthly_goal, ytd_goal
    from dyad_lib.metrics.compute import compute_metrics

    out: list[TalkingPoint] = []
    if not goals:
        return out
    actual, goal = _val(now, "collections"), monthly_goal(goals, month.end)
    if actual is not None and goal:
        gap = actual - goal
        side = "above" if gap >= 0 else "under"
        out.append(TalkingPoint(
            "goal", "collections",
            fmt.say("Collections in {when} were {x}, {gap} ({share}) {side} the month's goal of {goal}{vs}.",
                    when=span_text(month), x=_fig(now, "collections", month), gap=fmt.money(abs(gap)),
                    share=fmt.percent(abs(gap) / goal), side=side, goal=fmt.money(goal),
                    vs=_versus_last_year(actual, _val(ago, "collections"), month)),
            abs(gap), gap >= 0, abs(gap) / goal >= MIN_MONEY_MOVE / 2))
    ytd = month.view("ytd")
    ygoal = ytd_goal(goals, month.end)
    yvals = compute_metrics(practice, ytd, ["collections"])
    yact = _val(yvals, "collections")
    if yact is not None and ygoal:
        gap = yact - ygoal
        side = "ahead of" if gap >= 0 else "behind"
        out.append(TalkingPoint(
            "goal_ytd", "collections",
            fmt.say("Year to date ({span}) collections are {x}, {gap} ({share}) {side} the phased goal of {goal}.",
                    span=span_text(ytd), x=_fig(yvals, "collections", ytd), gap=fmt.money(abs(gap)),
                    share=fmt.percent(abs(gap) / ygoal), side=side, goal=fmt.money(ygoal)),
            abs(gap) / ytd.n_months, gap >= 0, abs(gap) / ygoal >= MIN_MONEY_MOVE / 5))
    return out


def _last_year_points(practice: "Practice", month: Period, now, ago, goals) -> list[TalkingPoint]:
    """The month against the same month a year earlier (collections only when no goal point
    already says it)."""
    from dyad_lib.goals.lines import monthly_goal

    out = []
    ids = ["net_production"] if goals and monthly_goal(goals, month.end) else ["collections", "net_production"]
    for mid in ids:
        x, y = _val(now, mid), _val(ago, mid)
        if x is None or not y or x == y:
            continue
        change = fmt.pct_change(x, y)
        out.append(TalkingPoint(
            "last_year", mid,
            fmt.say("{name} in {when} {verb} {x}, {word} {diff} ({pct}) on {then} ({y}).",
                    name=_label(practice, mid), when=span_text(month),
                    # collections, and a medical practice's net charges, are plural; net production is not
                    verb="were" if mid == "collections" or practice.kind == "medical" else "was",
                    x=_fig(now, mid, month),
                    word="up" if change > 0 else "down", diff=fmt.money(abs(x - y)), pct=fmt.percent(abs(change)),
                    then=span_text(month.year_earlier()), y=_fig(ago, mid, month.year_earlier())),
            abs(x - y), change > 0, abs(change) >= MIN_MONEY_MOVE))
    return out


def _overhead_points(practice: "Practice", recent: Period, now, ago) -> list[TalkingPoint]:
    """A cost category whose share of collections moved against last year (creep or relief)."""
    from dyad_lib.metrics import benchmarks

    out = []
    coll = _val(now, "collections")
    if not coll:
        return out
    per_month = coll / recent.n_months
    for cat in OVERHEAD_CATEGORIES:
        mid = f"overhead_ratio_{cat}"
        x, y = _val(now, mid), _val(ago, mid)
        if x is None or y is None or x == y:
            continue
        dollars = abs(x - y) * per_month
        band = _band(practice, mid)
        pos = benchmarks.position(x, band)
        where = ""
        if band is not None and pos == "above":
            where = f", above its {fmt.band_text(band, 'ratio')} band"
        elif band is not None and pos == "within" and band.low is not None and band.high is not None:
            where = f", within its {fmt.band_text(band, 'ratio')} band"
        name = _label(practice, mid).split(": ", 1)[-1]
        name = name[0].upper() + name[1:]
        out.append(TalkingPoint(
            "overhead", mid,
            fmt.say("{name} took {x} of collections in {when}, {word} from {y} in the same months a year "
                    "earlier{where}: about {dollars} a month {more} than at last year's share.",
                    name=name, x=_fig(now, mid, recent, "ratio"), when=span_text(recent),
                    word="up" if x > y else "down", y=_fig(ago, mid, recent.year_earlier(), "ratio"), where=where,
                    dollars=fmt.money(dollars), more="more" if x > y else "less"),
            dollars, x < y, abs(x - y) >= MIN_SHARE_MOVE))
    return out


def _collection_points(practice: "Practice", recent: Period, now, ago) -> list[TalkingPoint]:
    from dyad_lib.metrics.opportunities import share_gap
    from dyad_lib.metrics.targets import target

    x, y, net = _val(now, "collection_ratio"), _val(ago, "collection_ratio"), _val(now, "net_production")
    tgt = target("collection_ratio", practice.kind)
    if x is None or net is None or tgt is None:
        return []
    goal = tgt.value
    label = _label(practice, "collection_ratio")
    per_month = net / recent.n_months
    if x < goal:
        dollars = share_gap(x, goal, per_month, "up")
        before = fmt.say(" ({y} a year earlier)", y=_fig(ago, "collection_ratio", recent.year_earlier(), "ratio")) \
            if y is not None else ""
        return [TalkingPoint(
            "collections", "collection_ratio",
            fmt.say("The {name} was {x} in {when}{before}, under the {goal} target: about {dollars} a month not yet "
                    "collected.", name=_lower(label), x=_fig(now, "collection_ratio", recent, "ratio"),
                    when=span_text(recent), before=before, goal=fmt.percent(goal), dollars=fmt.money(dollars)),
            dollars, False, goal - x >= MIN_SHARE_MOVE)]
    if y is not None and y < goal and x - y >= MIN_SHARE_MOVE:
        dollars = (x - y) * per_month
        return [TalkingPoint(
            "collections", "collection_ratio",
            fmt.say("The {name} recovered to {x} in {when}, from {y} a year earlier: about {dollars} a month more "
                    "collected.", name=_lower(label), x=_fig(now, "collection_ratio", recent, "ratio"),
                    when=span_text(recent), y=_fig(ago, "collection_ratio", recent.year_earlier(), "ratio"),
                    dollars=fmt.money(dollars)), dollars, True)]
    return []


def _no_show_points(practice: "Practice", recent: Period, now, ago) -> list[TalkingPoint]:
    """Missed visits above the target, sized by the one no-show sizing (`opportunities.no_show_gap`)
    over the recent months, per month."""
    from dyad_lib.metrics.opportunities import no_show_gap
    from dyad_lib.metrics.targets import target

    rate, done, net = _val(now, "no_show_rate"), _val(now, "visits_completed"), _val(now, "net_production")
    tgt = target("no_show_rate", practice.kind)
    gap = None if tgt is None else no_show_gap(rate, done, net, tgt.value)
    if gap is None:
        return []
    goal = tgt.value
    before = _val(ago, "no_show_rate")
    since = fmt.say(", against {y} a year earlier", y=_fig(ago, "no_show_rate", recent.year_earlier(), "ratio")) \
        if before is not None else ""
    word = "benchmark" if tgt.tier == "top" else "typical rate"
    if gap.excess_visits > 0:
        month = gap.per_month(recent.n_months)
        visits = fmt.figure(month.excess_visits, "count", derived="no_show_gap.excess_visits", period=recent,
                            basis="per_month", text=_visits(month.excess_visits))
        dollars = fmt.figure(month.net_dollars, "money", derived="no_show_gap.net_dollars", period=recent,
                             basis="per_month")
        return [TalkingPoint(
            "schedule", "no_show_rate",
            fmt.say("{x} of booked visits were no-shows in {when}{since}; above the {goal} {word} that is about "
                    "{visits} visit{s} and {dollars} of {net} a month.",
                    x=_fig(now, "no_show_rate", recent, "ratio"), when=span_text(recent), since=since,
                    goal=fmt.percent(goal), word=word, visits=visits, s="" if str(visits) == "1" else "s",
                    dollars=dollars, net=_lower(_label(practice, "net_production"))),
            month.net_dollars, False, rate - goal >= MIN_SHARE_MOVE)]
    if before is not None and before > goal and before - rate >= MIN_SHARE_MOVE:
        dollars = (before - rate) * gap.booked * gap.per_visit / recent.n_months
        return [TalkingPoint(
            "schedule", "no_show_rate",
            fmt.say("No-shows fell to {x} of booked visits in {when}{since}: about {dollars} a month of visits kept.",
                    x=_fig(now, "no_show_rate", recent, "ratio"), when=span_text(recent), since=since,
                    dollars=fmt.money(dollars)), dollars, True)]
    return []


def _visits(x: float) -> str:
    """Visits a month for people: whole visits from 10 up, a tenth below ('5.2', '12')."""
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:,.1f}"


def _acceptance_points(practice: "Practice", recent: Period, now, ago) -> list[TalkingPoint]:
    x, y = _val(now, "case_acceptance_value"), _val(ago, "case_acceptance_value")
    presented, coll = _val(now, "treatment_presented_value"), _val(now, "collection_ratio")
    if x is None or y is None or not presented or x == y:
        return []
    dollars = abs(x - y) * presented * (coll or 1.0) / recent.n_months
    return [TalkingPoint(
        "treatment", "case_acceptance_value",
        fmt.say("Case acceptance by value was {x} in {when}, {word} from {y} a year earlier, on {p} of treatment "
                "presented: about {dollars} a month {more} to collect.",
                x=_fig(now, "case_acceptance_value", recent, "ratio"), when=span_text(recent),
                word="up" if x > y else "down", y=_fig(ago, "case_acceptance_value", recent.year_earlier(), "ratio"),
                p=_fig(now, "treatment_presented_value", recent), dollars=fmt.money(dollars),
                more="more" if x > y else "less"),
        dollars, x > y, abs(x - y) >= MIN_ACCEPTANCE_MOVE)]


RECENT_IDS = ("collections", "net_production", "collection_ratio", "no_show_rate", "visits_completed",
              "case_acceptance_value", "treatment_presented_value",
              *(f"overhead_ratio_{c}" for c in OVERHEAD_CATEGORIES))


def candidates(practice: "Practice", month: Period, goals: Mapping[str, Any] | None = None) -> list[TalkingPoint]:
    """Every talking point the numbers support for the review month, unranked."""
    from dyad_lib.metrics.compute import compute_metrics

    ids_month = ["collections", "net_production"]
    now_m = compute_metrics(practice, month, ids_month)
    ago_m = compute_metrics(practice, month.year_earlier(), ids_month)
    recent = window(month)
    now_r = compute_metrics(practice, recent, RECENT_IDS)
    ago_r = compute_metrics(practice, recent.year_earlier(), RECENT_IDS)
    out = _goal_points(practice, month, goals, now_m, ago_m)
    out += _last_year_points(practice, month, now_m, ago_m, goals)
    out += _overhead_points(practice, recent, now_r, ago_r)
    out += _collection_points(practice, recent, now_r, ago_r)
    out += _no_show_points(practice, recent, now_r, ago_r)
    out += _acceptance_points(practice, recent, now_r, ago_r)
    # written once for both kinds of practice; a family practice reads charges and care plans
    return [replace(p, text=fmt.vocabulary(p.text, practice.kind)) for p in out]


def rank(points: list[TalkingPoint], n: int = MAX_POINTS, at_least: int = MIN_POINTS) -> list[TalkingPoint]:
    """The `n` largest notable points by dollars a month, filled up to `at_least` with the largest
    of the others; one point per topic and metric."""
    order = sorted((p for p in points if p.dollars_per_month > 0),
                   key=lambda p: (-p.dollars_per_month, p.topic, p.metric_id))
    out: list[TalkingPoint] = []
    seen: set[tuple[str, str]] = set()
    for wanted, limit in ((True, n), (False, at_least)):
        for p in order:
            key = (p.topic, p.metric_id)
            if len(out) >= limit or key in seen or p.notable is not wanted:
                continue
            seen.add(key)
            out.append(p)
    return sorted(out, key=lambda p: -p.dollars_per_month)


def talking_points(practice: "Practice", month: Period, goals: Mapping[str, Any] | None = None,
                   n: int = MAX_POINTS) -> list[TalkingPoint]:
    """The three to five largest movements or misses of the review month (fewer only when the data
    supports fewer), ranked by their size in dollars a month."""
    return rank(candidates(practice, month, goals), n)


# --- recommendations (assessment) -----------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    action: str
    dollars: float
    basis: str  # per year | one time
    lever: str


def recommendations(opps: "Opportunities", n: int = 5) -> list[Recommendation]:
    """The top material opportunities (worth at least 0.5% of a year's collections), largest
    first, worded as actions with the dollars at stake."""
    return [Recommendation(o.action, o.dollars, o.basis, o.lever) for o in opps.material()[:n]]
