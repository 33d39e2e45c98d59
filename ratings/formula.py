"""The rating formula, pure: no database, no clock. Given each component's raw value and how
many answers or cases it rests on, and the tenant's scheme (weights, norms, smoothing, minimums),
it gives each component's normalised score and the rating. README "Figures" → "Ratings" works
an example through it.

* The customer score is smoothed towards the tenant's mean for the period:
  ``(sum of scores + m × tenant mean) / (n + m)`` — a performer with three answers sits near the
  mean, one with three hundred near their own.
* Each component maps linearly from its norm's floor (0 %) to its target (100 %), clamped. For a
  component where lower is better the floor is the larger number (e.g. resolution time: floor
  80 h, target 16 h), so the same line inverts it.
* The rating is the weighted mean of the normalised components that rest on enough answers or
  cases; the weights are renormalised over those. None has enough: no rating (never 0 %).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import median

from django.utils.translation import gettext_lazy as _

CUSTOMER_SCORE = "customer_score"
SLA_COMPLIANCE = "sla_compliance"
RESOLUTION_HOURS = "resolution_hours"
REOPEN_RATE = "reopen_rate"
FOLLOW_UPS_IN_TIME = "follow_ups_in_time"


@dataclass(frozen=True)
class ComponentKind:
    key: str
    label: str
    unit: str  # "score" (CSAT mean 1–5 or NPS −100…100), "%" or "h"
    is_lower_better: bool
    counts: str  # what its minimum counts: "answers" or "cases"
    explanation: str  # one line: what moves it


COMPONENTS = (
    ComponentKind(
        CUSTOMER_SCORE,
        _("Customer score"),
        "score",
        False,
        "answers",
        _("Customers' first answers about your visits, drawn towards everyone's mean while few."),
    ),
    ComponentKind(
        SLA_COMPLIANCE,
        _("Resolved within target"),
        "%",
        False,
        "cases",
        _("Share of the complaints you resolved in the period that met their resolution target."),
    ),
    ComponentKind(
        RESOLUTION_HOURS,
        _("Median resolution time"),
        "h",
        True,
        "cases",
        _("Working hours from receipt to resolution, the middle one of your complaints."),
    ),
    ComponentKind(
        REOPEN_RATE,
        _("Reopened"),
        "%",
        True,
        "cases",
        _("Share of the complaints you resolved in the period that were reopened."),
    ),
    ComponentKind(
        FOLLOW_UPS_IN_TIME,
        _("Follow-ups in time"),
        "%",
        False,
        "cases",
        _("Share of your critics' call-backs due in the period that were done by their due time."),
    ),
)
COMPONENT_KINDS = {kind.key: kind for kind in COMPONENTS}


@dataclass(frozen=True)
class Norm:
    floor: float  # scores 0 %
    target: float  # scores 100 %


@dataclass(frozen=True)
class Scheme:
    """A tenant's rating settings (one version of them), as plain values."""

    weights: Mapping[str, float]
    norms: Mapping[str, Norm]
    smoothing: float  # m: how many answers at the tenant's mean are added
    min_answers: int
    min_cases: int

    def minimum(self, key: str) -> int:
        return self.min_answers if COMPONENT_KINDS[key].counts == "answers" else self.min_cases


@dataclass(frozen=True)
class Component:
    key: str
    raw: float | None  # None: no data
    count: int  # answers or cases it rests on
    normalised: float | None  # 0–100, None without enough data
    weight: float
    has_enough: bool


def smoothed(*, total: float, count: int, tenant_mean: float | None, m: float) -> float | None:
    """``(total + m × tenant_mean) / (count + m)``; without answers, None (the tenant's mean
    says nothing about this performer). With no tenant mean (no answers at all) the raw mean."""
    if count == 0:
        return None
    if tenant_mean is None or m == 0:
        return total / count
    return (total + m * tenant_mean) / (count + m)


def normalised(value: float, norm: Norm) -> float:
    """0–100 along the line from the norm's floor to its target, clamped at both ends (a
    norm's floor and target differ: the scheme's writer refuses one where they do not)."""
    share = (value - norm.floor) / (norm.target - norm.floor)
    return 100.0 * min(max(share, 0.0), 1.0)


def _share(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def raw_components(
    *,
    score_total: float,
    answers: int,
    tenant_mean: float | None,
    smoothing: float,
    resolved: int,
    resolved_in_time: int,
    reopened: int,
    resolution_hours: Sequence[float],
    follow_ups_due: int,
    follow_ups_in_time: int,
) -> dict[str, tuple[float | None, int]]:
    """``{component: (raw value, count)}`` from a performer's (or a subtree's) inputs
    (``ratings.inputs``): shares in %, the resolution time's median in working hours."""
    return {
        CUSTOMER_SCORE: (
            smoothed(total=score_total, count=answers, tenant_mean=tenant_mean, m=smoothing),
            answers,
        ),
        SLA_COMPLIANCE: (_share(resolved_in_time, resolved), resolved),
        RESOLUTION_HOURS: (
            median(resolution_hours) if resolution_hours else None,
            len(resolution_hours),
        ),
        REOPEN_RATE: (_share(reopened, resolved), resolved),
        FOLLOW_UPS_IN_TIME: (_share(follow_ups_in_time, follow_ups_due), follow_ups_due),
    }


def components_scored(raw: Mapping[str, tuple[float | None, int]], scheme: Scheme):
    """Each component of ``raw`` (``{key: (raw value, count)}``) normalised against the
    scheme's norm, with its weight and whether it rests on enough data; in ``COMPONENTS``
    order."""
    scored = []
    for kind in COMPONENTS:
        if kind.key not in raw:
            continue
        value, count = raw[kind.key]
        enough = value is not None and count >= scheme.minimum(kind.key)
        scored.append(
            Component(
                key=kind.key,
                raw=value,
                count=count,
                normalised=normalised(value, scheme.norms[kind.key]) if enough else None,
                weight=float(scheme.weights.get(kind.key, 0)),
                has_enough=enough,
            )
        )
    return scored


def rating_of(components: list[Component]) -> float | None:
    """The weighted mean of the components with enough data, the weights renormalised over
    them; None when none has (or their weights add up to nothing)."""
    counted = [each for each in components if each.has_enough and each.weight > 0]
    total_weight = sum(each.weight for each in counted)
    if not counted or total_weight == 0:
        return None
    return sum(each.normalised * each.weight for each in counted) / total_weight
