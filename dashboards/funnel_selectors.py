"""The survey funnel's data: ``surveys.metrics.funnel`` of the period's service events (and of
the compared period's), through the dashboards' filters.

Service events of the period → relevant (the sample: those a survey rule matched) → customers
invited → their first email accepted by the SMTP server → answered; beside them, why the rest
of the sample was not invited (the skips) and why the other events are outside the sample. The
rows are the programme summary's (``summary_selectors.survey_rows``), so both pages show the
same coverage and response rate.
"""

from dataclasses import dataclass

from dashboards.filters import DashboardFilterSet, Period
from dashboards.summary_selectors import survey_rows
from surveys import metrics
from surveys.models import Interaction
from tenants.models import Membership

# The funnel's stages, in order.
INTERACTIONS, SAMPLE, INVITED, ACCEPTED, ANSWERED = (
    "interactions",
    "sample",
    "invited",
    "accepted",
    "answered",
)
STAGES = (INTERACTIONS, SAMPLE, INVITED, ACCEPTED, ANSWERED)


@dataclass(frozen=True)
class Stage:
    key: str  # one of STAGES
    count: int
    previous: int | None  # the compared period's, None without a comparison

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.count - self.previous


@dataclass(frozen=True)
class Reason:
    """A decision that kept events out of the next stage: a skip of the sample, or a reason
    for being outside it."""

    decision: str  # Interaction.Decision's value
    label: str
    count: int
    previous: int | None


@dataclass(frozen=True)
class FunnelDashboard:
    period: Period
    compared_period: Period | None
    funnel: metrics.Funnel
    previous: metrics.Funnel | None
    stages: list[Stage]
    skips: list[Reason]  # of the sample, in ``metrics.SKIP_REASONS``' order
    outside: list[Reason]  # of the events, in ``metrics.OUTSIDE_THE_SAMPLE``' order


def _stage_counts(funnel: metrics.Funnel) -> dict[str, int]:
    return {
        INTERACTIONS: funnel.interactions,
        SAMPLE: funnel.sample,
        INVITED: funnel.invited,
        ACCEPTED: funnel.accepted,
        ANSWERED: funnel.answered,
    }


def _reasons(decisions, now: dict, before: dict | None) -> list[Reason]:
    return [
        Reason(
            decision=decision.value,
            label=str(Interaction.Decision(decision).label),
            count=now[decision.value],
            previous=None if before is None else before[decision.value],
        )
        for decision in decisions
    ]


def funnel_dashboard(member: Membership, filters: DashboardFilterSet) -> FunnelDashboard:
    """Everything the funnel page shows, for the member and the (valid) filters: two queries
    per period whatever the number of rows."""
    period, compared = filters.period, filters.compared_period
    now = metrics.funnel(*survey_rows(filters, period))
    previous = metrics.funnel(*survey_rows(filters, compared)) if compared is not None else None
    counts = _stage_counts(now)
    before = _stage_counts(previous) if previous is not None else None
    return FunnelDashboard(
        period=period,
        compared_period=compared,
        funnel=now,
        previous=previous,
        stages=[
            Stage(key=key, count=counts[key], previous=None if before is None else before[key])
            for key in STAGES
        ],
        skips=_reasons(
            metrics.SKIP_REASONS,
            now.coverage.skipped,
            previous.coverage.skipped if previous is not None else None,
        ),
        outside=_reasons(
            metrics.OUTSIDE_THE_SAMPLE,
            now.outside,
            previous.outside if previous is not None else None,
        ),
    )
