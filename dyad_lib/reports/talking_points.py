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
from dyad_lib.metrics.periods import Period, add_months

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
    text: str
    dollars_per_month: float  # the ranking score (absolute size)
    favourable: bool  # the movement is in the better direction
    notable: bool = True  # past the thresholds above; others only fill up to MIN_POINTS

    def __str__(self) -> str:
        return self.text


def window(end: Period | Any, months: int = WINDOW, fy_start_month: int = 1) -> Period:
    """The `months` months ending with the period's last month (a range of whole months)."""
    last = end.end if isinstance(end, Period) else end
    fy = end.fy_start_month if isinstance(end, Period) else fy_start_month
    return Period("range", add_months(last, -(months - 1)), last, fy)


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
    from dyad_lib.metrics.compute import metric_def

    return metric_def(practice, mid).band(practice.kind)


# --- candidates ---------------------------------------------------------------------------------


def _versus_last_year(x: float, y: float | None, when: Period) -> str:
    """' and 8.8% below September 2025' (empty without a value a year earlier)."""
    if not y:
        return ""
    change = x / y - 1
    side = "above" if change >= 0 else "below"
    return f", and {fmt.percent(abs(change))} {side} {span_text(when.year_earlier())} ({fmt.money(y)})"


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
            f"Collections in {span_text(month)} were {fmt.money(actual)}, {fmt.money(abs(gap))} "
            f"({fmt.percent(abs(gap) / goal)}) {side} the month's goal of {fmt.money(goal)}"
            f"{_versus_last_year(actual, _val(ago, 'collections'), month)}.",
            abs(gap), gap >= 0, abs(gap) / goal >= MIN_MONEY_MOVE / 2))
    ytd = month.view("ytd")
    ygoal = ytd_goal(goals, month.end)
    yact = _val(compute_metrics(practice, ytd, ["collections"]), "collections")
    if yact is not None and ygoal:
        gap = yact - ygoal
        side = "ahead of" if gap >= 0 else "behind"
        out.append(TalkingPoint(
            "goal_ytd", "collections",
            f"Year to date ({span_text(ytd)}) collections are {fmt.money(yact)}, {fmt.money(abs(gap))} "
            f"({fmt.percent(abs(gap) / ygoal)}) {side} the phased goal of {fmt.money(ygoal)}.",
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
        change = x / y - 1
        word = "up" if change > 0 else "down"
        # collections, and a medical practice's net charges, are plural; net production is not
        verb = "were" if mid == "collections" or practice.kind == "medical" else "was"
        out.append(TalkingPoint(
            "last_year", mid,
            f"{_label(practice, mid)} in {span_text(month)} {verb} {fmt.money(x)}, {word} {fmt.money(abs(x - y))} "
            f"({fmt.percent(abs(change))}) on {span_text(month.year_earlier())}.",
            abs(x - y), change > 0, abs(change) >= MIN_MONEY_MOVE))
    return out


def _overhead_points(practice: "Practice", recent: Period, now, ago) -> list[TalkingPoint]:
    """A cost category whose share of collections moved against last year (creep or relief)."""
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
        where = ""
        if band is not None and band.high is not None and x > band.high:
            where = f", above its {fmt.band_text(band, 'ratio')} band"
        elif band is not None and band.low is not None and band.high is not None and band.low <= x <= band.high:
            where = f", within its {fmt.band_text(band, 'ratio')} band"
        name = _label(practice, mid).split(": ", 1)[-1]
        name = name[0].upper() + name[1:]
        more = "more" if x > y else "less"
        out.append(TalkingPoint(
            "overhead", mid,
            f"{name} took {fmt.percent(x)} of collections in {span_text(recent)}, "
            f"{'up' if x > y else 'down'} from {fmt.percent(y)} in the same months a year earlier{where}: "
            f"about {fmt.money(dollars)} a month {more} than at last year's share.",
            dollars, x < y, abs(x - y) >= MIN_SHARE_MOVE))
    return out


def _collection_points(practice: "Practice", recent: Period, now, ago) -> list[TalkingPoint]:
    from dyad_lib.metrics.targets import target_for

    x, y, net = _val(now, "collection_ratio"), _val(ago, "collection_ratio"), _val(now, "net_production")
    tgt = target_for("collection_ratio", practice.kind)
    if x is None or net is None or tgt is None:
        return []
    target = tgt[0]
    label = _label(practice, "collection_ratio")
    per_month = net / recent.n_months
    if x < target:
        dollars = (target - x) * per_month
        before = f" ({fmt.percent(y)} a year earlier)" if y is not None else ""
        return [TalkingPoint(
            "collections", "collection_ratio",
            f"The {_lower(label)} was {fmt.percent(x)} in {span_text(recent)}{before}, under the "
            f"{fmt.percent(target)} target: about {fmt.money(dollars)} a month not yet collected.",
            dollars, False, target - x >= MIN_SHARE_MOVE)]
    if y is not None and y < target and x - y >= MIN_SHARE_MOVE:
        dollars = (x - y) * per_month
        return [TalkingPoint(
            "collections", "collection_ratio",
            f"The {_lower(label)} recovered to {fmt.percent(x)} in {span_text(recent)}, from {fmt.percent(y)} "
            f"a year earlier: about {fmt.money(dollars)} a month more collected.", dollars, True)]
    return []


def _no_show_points(practice: "Practice", recent: Period, now, ago) -> list[TalkingPoint]:
    from dyad_lib.metrics.targets import target_for

    rate, done, net = _val(now, "no_show_rate"), _val(now, "visits_completed"), _val(now, "net_production")
    tgt = target_for("no_show_rate", practice.kind)
    if rate is None or not done or net is None or tgt is None or rate >= 1:
        return []
    target = tgt[0]
    before = _val(ago, "no_show_rate")
    booked = done / (1 - rate)  # no_show_rate = no-shows ÷ (completed + no-shows)
    per_visit = net / done
    since = f", against {fmt.percent(before)} a year earlier" if before is not None else ""
    if rate > target:
        excess = (rate - target) * booked / recent.n_months
        dollars = excess * per_visit
        visits = fmt.count(excess)
        return [TalkingPoint(
            "schedule", "no_show_rate",
            f"{fmt.percent(rate)} of booked visits were no-shows in {span_text(recent)}{since}; above the "
            f"{fmt.percent(target)} benchmark that is about {visits} visit{'' if visits == '1' else 's'} and "
            f"{fmt.money(dollars)} of {_lower(_label(practice, 'net_production'))} a month.",
            dollars, False, rate - target >= MIN_SHARE_MOVE)]
    if before is not None and before > target and before - rate >= MIN_SHARE_MOVE:
        dollars = (before - rate) * booked * per_visit / recent.n_months
        return [TalkingPoint(
            "schedule", "no_show_rate",
            f"No-shows fell to {fmt.percent(rate)} of booked visits in {span_text(recent)}{since}: about "
            f"{fmt.money(dollars)} a month of visits kept.", dollars, True)]
    return []


def _acceptance_points(practice: "Practice", recent: Period, now, ago) -> list[TalkingPoint]:
    x, y = _val(now, "case_acceptance_value"), _val(ago, "case_acceptance_value")
    presented, coll = _val(now, "treatment_presented_value"), _val(now, "collection_ratio")
    if x is None or y is None or not presented or x == y:
        return []
    dollars = abs(x - y) * presented * (coll or 1.0) / recent.n_months
    return [TalkingPoint(
        "treatment", "case_acceptance_value",
        f"Case acceptance by value was {fmt.percent(x)} in {span_text(recent)}, "
        f"{'up' if x > y else 'down'} from {fmt.percent(y)} a year earlier, on {fmt.money(presented)} of "
        f"treatment presented: about {fmt.money(dollars)} a month {'more' if x > y else 'less'} to collect.",
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
