"""Calibrating the norms: how the tenant's performers did on each component over the last
periods, and the floor and target that follow from it (issue #12).

One selector reads the values from the stored ratings; the rest is pure (no database, no clock)
and is tested without a database: the percentiles and the proposal. ``ratings.charts`` draws
them.

* A value counts when the component rested on enough answers or cases by the current scheme's
  minimums (the norms about to be set are for that scheme), and, for the customer score, when
  the rating used the current kind of score (a CSAT mean and an NPS do not share a scale).
* The proposal puts the floor (0 %) at the 10th percentile and the target (100 %) at the 90th,
  the other way round where lower is better: a performer at the tenant's usual worst scores
  0 %, one at its usual best 100 %. With fewer than ``MIN_VALUES`` values there is none.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from math import floor

from ratings import formula
from ratings.models import CustomerScoreKind, Rating, RatingPeriod, RatingScheme
from ratings.services import formula_scheme

DEFAULT_KIND = RatingPeriod.Kind.MONTH
DEFAULT_PERIODS = 6
MAX_PERIODS = 36
MIN_VALUES = 5  # fewer values: no proposal
FLOOR_PERCENTILE, MEDIAN, TARGET_PERCENTILE = 10, 50, 90


# --- the values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """The periods read (newest first) and each component's values in them, sorted."""

    periods: list[RatingPeriod]
    values: dict[str, list[float]]


def calibration_sample(
    *, tenant_id: int, scheme: RatingScheme, kind: str, periods: int, today: date
) -> Sample:
    """The stored raw values of every component over the tenant's last ``periods`` periods of
    ``kind`` that have begun by ``today`` (open or closed): one value per performer, period and
    component that had enough data by ``scheme``'s minimums. Two queries."""
    chosen = list(
        RatingPeriod.objects.for_tenant(tenant_id)
        .filter(kind=kind, start__lte=today)
        .order_by("-start")[:periods]
    )
    rows = (
        Rating.objects.for_tenant(tenant_id)
        .filter(period__in=[period.pk for period in chosen], performer__isnull=False)
        .values_list("components", "scheme__customer_score_kind")
    )
    rules = formula_scheme(scheme)
    values: dict[str, list[float]] = {each.key: [] for each in formula.COMPONENTS}
    for components, score_kind in rows:
        for component in components:
            key = component["key"]
            if key not in values or component["raw"] is None:
                continue
            if component["count"] < rules.minimum(key):
                continue
            if key == formula.CUSTOMER_SCORE and score_kind != scheme.customer_score_kind:
                continue
            values[key].append(float(component["raw"]))
    return Sample(periods=chosen, values={key: sorted(each) for key, each in values.items()})


# --- pure ------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0–100) of ``values``, by linear interpolation between the
    closest ranks — the "inclusive" definition of numpy's default, R's type 7 and
    spreadsheets' PERCENTILE.INC: sorted x₀ … xₙ₋₁, rank h = (n − 1)·p/100, the value
    x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋). The 0th is the smallest, the 100th the largest."""
    if not values:
        raise ValueError("no values")
    if not 0 <= p <= 100:
        raise ValueError(f"a percentile lies between 0 and 100, not {p}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = floor(rank)
    if low + 1 >= len(ordered):
        return float(ordered[-1])
    return ordered[low] + (rank - low) * (ordered[low + 1] - ordered[low])


def decimals_for(kind: formula.ComponentKind, customer_score_kind: str) -> int:
    """How many decimals a norm of this component is proposed with."""
    if kind.unit == "score":
        return 2 if customer_score_kind == CustomerScoreKind.CSAT else 0
    return 1


def proposal(
    values: Sequence[float], kind: formula.ComponentKind, *, decimals: int
) -> formula.Norm | None:
    """The norm the values suggest: floor at the 10th percentile and target at the 90th
    (swapped where lower is better), rounded to ``decimals``. None with fewer than
    ``MIN_VALUES`` values, or when the two percentiles round to the same number (the values do
    not spread, and a norm needs its floor and target apart)."""
    if len(values) < MIN_VALUES:
        return None
    low = round(percentile(values, FLOOR_PERCENTILE), decimals)
    high = round(percentile(values, TARGET_PERCENTILE), decimals)
    if low == high:
        return None
    return formula.Norm(floor=high, target=low) if kind.is_lower_better else formula.Norm(low, high)


@dataclass(frozen=True)
class Calibration:
    """One component on the calibration page."""

    kind: formula.ComponentKind
    values: list[float]  # sorted
    current: formula.Norm
    proposed: formula.Norm | None
    p10: float | None
    p50: float | None
    p90: float | None
    decimals: int

    @property
    def count(self) -> int:
        return len(self.values)


def calibrations(
    values: dict[str, list[float]], *, norms: dict[str, list[float]], customer_score_kind: str
) -> list[Calibration]:
    """Each component's values, percentiles, current norm (``norms``: a scheme's, as
    ``[floor, target]``) and proposal, in ``formula.COMPONENTS`` order."""
    found = []
    for kind in formula.COMPONENTS:
        each = sorted(values.get(kind.key, []))
        decimals = decimals_for(kind, customer_score_kind)
        found.append(
            Calibration(
                kind=kind,
                values=each,
                current=formula.Norm(*norms[kind.key]),
                proposed=proposal(each, kind, decimals=decimals),
                p10=percentile(each, FLOOR_PERCENTILE) if each else None,
                p50=percentile(each, MEDIAN) if each else None,
                p90=percentile(each, TARGET_PERCENTILE) if each else None,
                decimals=decimals,
            )
        )
    return found
