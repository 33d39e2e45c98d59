"""The programme summary's data: plain values, every figure from a metrics module.

For the filtered period, and the compared one, the summary reads:

* **the survey programme** over the service events that *happened* in the period
  (``DashboardFilterSet.interactions``) and the first invitations of those events:
  ``metrics.coverage`` (customers invited of the sample, every skip beside it) and
  ``metrics.response_rate`` (answered of the invitations whose email was accepted). Taking the
  invitations of the period's events (not those sent in it) keeps the programme's figures one
  story, the survey funnel's: each stage part of the one before;
* **what customers said** in answers *received* in the period, as the NPS page reads them
  (``DashboardFilterSet.answers``): ``metrics.csat``, ``metrics.nps``, and
  ``metrics.follow_up_recovery`` over the follow-ups of the critics who answered in it;
* **complaints handled**: received in the period (``complaints.metrics.volume`` over
  ``DashboardFilterSet.complaints``) and resolved in it (``complaints.metrics.resolved``).

Each figure stands beside the tenant's norm where it has one (the survey programme's
response-rate band and CSAT target, ``surveys.models.survey_settings_for``) and its change
since the compared period (``metrics.nps_difference``, ``metrics.csat_difference``,
``metrics.share_difference``).
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from complaints import metrics as complaint_metrics
from dashboards.filters import EARLIEST, DashboardFilterSet, Period
from surveys import metrics
from surveys.models import FollowUp, Interaction, Invitation, survey_settings_for
from tenants.models import Membership

BELOW, WITHIN, ABOVE = "below", "within", "above"


# --- the rows --------------------------------------------------------------------------------


def survey_rows(
    filters: DashboardFilterSet, period: Period
) -> tuple[QuerySet[Interaction], QuerySet[Invitation]]:
    """The service events of ``period`` through every filter, and their invitations (what
    ``metrics.coverage``, ``response_rate`` and ``funnel`` take)."""
    interactions = filters.interactions(period)
    invitations = Invitation.objects.for_tenant(filters.request.tenant).filter(
        interaction__in=interactions
    )
    return interactions, invitations


def complaints_resolved(filters: DashboardFilterSet, period: Period) -> int:
    """Complaints the member sees, through every filter, resolved in ``period``
    (``complaints.metrics.resolved``) over every complaint received up to its end."""
    first, after = period.instants(filters.request.tenant.time_zone)
    received_by_the_end = filters.complaints(Period(EARLIEST, period.end))
    return complaint_metrics.resolved(received_by_the_end, first, after)


# --- the figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Programme:
    """The summary's figures for one period."""

    coverage: metrics.Coverage  # invited (part) of the sample (whole), skips by reason
    response_rate: metrics.ResponseRate  # answered (part) of the accepted invitations (whole)
    csat: metrics.Csat
    nps: metrics.Nps
    recovery: metrics.Share  # re-rated critics no longer critics (part) of those re-rated
    complaints_received: int
    complaints_resolved: int


def programme(filters: DashboardFilterSet, period: Period) -> Programme:
    """Every figure of the summary for ``period``, through every filter (seven queries)."""
    interactions, invitations = survey_rows(filters, period)
    answers = filters.answer_days(period)
    follow_ups = FollowUp.objects.for_tenant(filters.request.tenant).filter(
        response__in=filters.responses(period)
    )
    return Programme(
        coverage=metrics.coverage(interactions),
        response_rate=metrics.response_rate(invitations),
        csat=metrics.csat(answers),
        nps=metrics.nps(answers),
        recovery=metrics.follow_up_recovery(follow_ups),
        complaints_received=complaint_metrics.volume(filters.complaints(period)),
        complaints_resolved=complaints_resolved(filters, period),
    )


@dataclass(frozen=True)
class Norms:
    """The tenant's norms (its survey programme's settings), in %."""

    response_rate_low: int
    response_rate_high: int
    csat_target: int

    def response_rate_status(self, rate: metrics.Share) -> str | None:
        """``BELOW``, ``WITHIN`` or ``ABOVE`` the band (its ends inside), None without a rate."""
        if rate.percent is None:
            return None
        if rate.percent < self.response_rate_low:
            return BELOW
        return ABOVE if rate.percent > self.response_rate_high else WITHIN

    def csat_met(self, csat: metrics.Csat) -> bool | None:
        """Whether the CSAT reaches the target, None without answers."""
        return None if csat.percent is None else csat.percent >= self.csat_target


@dataclass(frozen=True)
class Changes:
    """Each figure against the compared period's: in points for a share or an NPS (with its
    test where the metrics module has one), in number for a count."""

    coverage: float | None
    response_rate: float | None
    csat: metrics.Difference
    csat_mean: float | None
    nps: metrics.Difference
    recovery: float | None
    invited: int
    answered: int
    complaints_received: int
    complaints_resolved: int


def changes(now: Programme, before: Programme) -> Changes:
    """``now`` − ``before``, figure by figure."""
    mean_change = None
    if now.csat.mean is not None and before.csat.mean is not None:
        mean_change = now.csat.mean - before.csat.mean
    return Changes(
        coverage=metrics.share_difference(now.coverage, before.coverage),
        response_rate=metrics.share_difference(now.response_rate, before.response_rate),
        csat=metrics.csat_difference(now.csat, before.csat),
        csat_mean=mean_change,
        nps=metrics.nps_difference(now.nps, before.nps),
        recovery=metrics.share_difference(now.recovery, before.recovery),
        invited=now.coverage.part - before.coverage.part,
        answered=now.response_rate.part - before.response_rate.part,
        complaints_received=now.complaints_received - before.complaints_received,
        complaints_resolved=now.complaints_resolved - before.complaints_resolved,
    )


@dataclass(frozen=True)
class SummaryDashboard:
    period: Period
    compared_period: Period | None
    now: Programme
    previous: Programme | None
    changes: Changes | None
    norms: Norms

    @property
    def response_rate_status(self) -> str | None:
        return self.norms.response_rate_status(self.now.response_rate)

    @property
    def csat_met(self) -> bool | None:
        return self.norms.csat_met(self.now.csat)


def norms_of(member: Membership) -> Norms:
    settings = survey_settings_for(member.tenant_id)
    return Norms(
        response_rate_low=settings.response_rate_low_percent,
        response_rate_high=settings.response_rate_high_percent,
        csat_target=settings.csat_target_percent,
    )


def summary_dashboard(member: Membership, filters: DashboardFilterSet) -> SummaryDashboard:
    """Everything the programme summary shows, for the member and the (valid) filters: a
    fixed number of queries whatever the number of rows."""
    period, compared = filters.period, filters.compared_period
    now = programme(filters, period)
    previous = programme(filters, compared) if compared is not None else None
    return SummaryDashboard(
        period=period,
        compared_period=compared,
        now=now,
        previous=previous,
        changes=changes(now, previous) if previous is not None else None,
        norms=norms_of(member),
    )
