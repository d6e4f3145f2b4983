"""What the dashboard figures mean, as code: duration buckets, the percentile estimate, SLA
compliance, age buckets and display formats. No database here.

Definitions (the README repeats them):

- received: cases created on the local day (the service unit's timezone), whatever became of
  them later (merged and rejected included).
- first response: the case's first ``first_response_at``, on the local day it happened; its
  time is the case's ``response_seconds`` (SLA clock time: wall time minus the time it waited
  for the customer) and it is on time unless ``response_breached`` (complaints.sla stores both
  when the response happens). Cases answered before those figures existed: wall time
  ``first_response_at - created_at``, on time when ``first_response_at <= response_due_at``
  (a case without a target counts as on time).
- resolution: cases that are resolved or closed now, on the local day of ``resolved_at``; time
  ``resolution_seconds`` (clock time, without pauses nor the time a reopened case spent
  resolved); on time unless ``resolution_breached`` (a breach before a reopening stays). Older
  cases: ``resolved_at - created_at``, on time when ``resolved_at <= resolution_due_at``. A
  reopened case leaves the figures until it is resolved again.
- SLA compliance % = on time / counted x 100, for first responses and for resolutions whose
  day lies in the range; no figure (not 0 %) when nothing was counted.
- median / 90th percentile: estimated from fixed duration buckets (below), by linear
  interpolation inside the bucket that holds rank q x n, the way Prometheus'
  histogram_quantile does. The estimate always lies in the same bucket as the exact value.
"""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Lower edges of the duration buckets, in minutes; the last bucket is open-ended. One minute
# wide up to ten minutes, then at most a quarter of the value wide up to a week (coarser
# beyond, where nobody reads minutes): every estimate is within one bucket of the truth, and a
# year of daily histograms (70 buckets) still sums in tens of milliseconds.
DURATION_EDGES_MINUTES: tuple[int, ...] = (
    *range(10),
    *range(10, 20, 2),
    *range(20, 60, 5),
    *range(60, 120, 10),
    *range(120, 180, 15),
    *range(180, 300, 30),
    *range(300, 600, 60),
    *range(600, 1440, 120),
    *range(1440, 2880, 240),  # 24-48 h by 4 h
    *range(2880, 5760, 720),  # 2-4 days by 12 h
    *range(5760, 10080, 1440),  # 4-7 days by a day
    10080,
    14400,
    20160,
    30240,
    43200,
    64800,
    86400,
    129600,  # 90 days and more
)
BUCKETS = len(DURATION_EDGES_MINUTES)
DURATION_EDGES_SECONDS: tuple[int, ...] = tuple(m * 60 for m in DURATION_EDGES_MINUTES)

MEDIAN = 0.5
P90 = 0.9


def bucket_of(minutes: float) -> int:
    """0-based bucket index of a duration (negative durations count as zero)."""
    return max(0, bisect_right(DURATION_EDGES_MINUTES, minutes) - 1)


def percentile(counts: Sequence[int], q: float) -> float | None:
    """Estimated q-quantile in minutes of the durations summarised by ``counts``; None when
    there are none. The open-ended last bucket reports its lower edge."""
    total = sum(counts)
    if total == 0:
        return None
    rank = q * total
    below = 0
    for index, count in enumerate(counts):
        if count and below + count >= rank:
            lower = DURATION_EDGES_MINUTES[index]
            if index + 1 == BUCKETS:
                return float(lower)
            width = DURATION_EDGES_MINUTES[index + 1] - lower
            return lower + width * (rank - below) / count
        below += count
    return float(DURATION_EDGES_MINUTES[-1])


def add_counts(into: list[int], counts: Sequence[int]) -> list[int]:
    for index, count in enumerate(counts):
        into[index] += count
    return into


def compliance(on_time: int, counted: int) -> float | None:
    """Percent of ``counted`` that were on time; None when nothing was counted."""
    if counted == 0:
        return None
    return 100.0 * on_time / counted


def per_thousand(count: int, customers: int) -> float | None:
    if customers <= 0:
        return None
    return 1000.0 * count / customers


@dataclass(frozen=True)
class AgeBucket:
    key: str
    label: str
    upper: timedelta | None  # open cases younger than this; None = the rest


# The backlog by how long open cases have waited (from created_at).
AGE_BUCKETS: tuple[AgeBucket, ...] = (
    AgeBucket("lt4h", gettext_lazy("< 4 jam"), timedelta(hours=4)),
    AgeBucket("4h_1d", gettext_lazy("4-24 jam"), timedelta(days=1)),
    AgeBucket("1d_3d", gettext_lazy("1-3 hari"), timedelta(days=3)),
    AgeBucket("3d_7d", gettext_lazy("3-7 hari"), timedelta(days=7)),
    AgeBucket("7d_30d", gettext_lazy("7-30 hari"), timedelta(days=30)),
    AgeBucket("gt30d", gettext_lazy("> 30 hari"), None),
)


def format_minutes(minutes: float | None) -> str:
    """A duration as staff read it: "45 mnt", "3 j 10 mnt", "2 hr 4 j"."""
    if minutes is None:
        return "—"
    total = round(minutes)
    if total < 1:
        return _("< 1 mnt")
    if total < 60:
        return _("%(m)d mnt") % {"m": total}
    if total < 48 * 60:
        hours, rest = divmod(total, 60)
        if rest == 0:
            return _("%(h)d j") % {"h": hours}
        return _("%(h)d j %(m)d mnt") % {"h": hours, "m": rest}
    # Whole hours past two days: round first, so 3 days 23.6 h reads "4 hr", not "3 hr 24 j".
    days, hours = divmod(round(total / 60), 24)
    if hours == 0:
        return _("%(d)d hr") % {"d": days}
    return _("%(d)d hr %(h)d j") % {"d": days, "h": hours}


def format_percent(value: float | None) -> str:
    if value is None:
        return "—"
    # Rounded first: number_format cuts a float's decimals off (66.67 would read "66,6").
    return f"{number_format(round(value, 1), 1)} %"


def format_number(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    return number_format(round(value, decimals), decimals, force_grouping=True)
