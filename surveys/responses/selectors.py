"""Reading responses: the managers' browser (filters, a page, the figures of what is shown) and
one response with its interaction, complaint, follow-up and re-rate history.

Like surveys and follow-ups, responses are not held by a department: every member who may see
surveys sees all the tenant's. Pages are fetched without COUNT(*) (one row more tells whether
a next page exists); the figures above the list are four SQL aggregates over the same filter.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from surveys import metrics, scoring
from surveys.models import Answer, FollowUp, Response
from tenants.models import Membership
from tenants.paging import Page, page_of
from tenants.permissions import get_visible_or_404, visible_to

PAGE_SIZE = 50

# The score bands (``surveys.scoring``): the filter's choices, the rows' colours.
BANDS = scoring.BANDS
band_of = scoring.band_of


@dataclass
class ResponseFilters:
    brand: int | None = None
    touchpoint: int | None = None
    performer: int | None = None
    band: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None
    with_comment: bool = False
    page: int = 1
    errors: dict = field(default_factory=dict)


def responses_filtered(member: Membership, filters: ResponseFilters) -> QuerySet[Response]:
    responses = visible_to(Response.objects.all(), member, department_field=None)
    for name in ("brand", "touchpoint", "performer"):
        if getattr(filters, name):
            responses = responses.filter(**{f"interaction__{name}_id": getattr(filters, name)})
    if filters.band:
        responses = responses.filter(scoring.band_q(filters.band))
    zone = timezone.get_current_timezone()
    if filters.submitted_from:
        start = datetime.combine(filters.submitted_from, time.min, tzinfo=zone)
        responses = responses.filter(submitted_at__gte=start)
    if filters.submitted_to:
        end = datetime.combine(filters.submitted_to, time.max, tzinfo=zone)
        responses = responses.filter(submitted_at__lte=end)
    if filters.with_comment:
        responses = responses.exclude(comment="")
    return responses


def response_page(member: Membership, filters: ResponseFilters) -> Page:
    """One page of the filtered responses, latest first, each with ``band`` set."""
    responses = responses_filtered(member, filters).select_related(
        "interaction__brand",
        "interaction__touchpoint",
        "interaction__customer",
        "interaction__performer__user",
        "follow_up",
    )
    page = page_of(responses.order_by("-submitted_at", "-pk"), number=filters.page, size=PAGE_SIZE)
    for response in page.rows:
        response.band = band_of(response.primary_kind, response.primary_score)
    return page


@dataclass(frozen=True)
class Figures:
    nps: metrics.Nps
    csat: metrics.Csat
    # The re-rates among the shown responses, apart: history, never counted twice.
    nps_after_follow_up: metrics.Nps
    csat_after_follow_up: metrics.Csat


def figures(member: Membership, filters: ResponseFilters) -> Figures:
    """NPS and CSAT (``surveys.metrics``, on the primary question) of the filtered responses,
    and the same over the re-rates after a follow-up among them (four aggregates)."""
    answers = Answer.objects.for_tenant(member.tenant_id).filter(
        response__in=responses_filtered(member, filters)
    )
    return Figures(
        nps=metrics.nps(answers),
        csat=metrics.csat(answers),
        nps_after_follow_up=metrics.nps(answers, after_follow_up=True),
        csat_after_follow_up=metrics.csat(answers, after_follow_up=True),
    )


# --- one response ------------------------------------------------------------------------------


def response_for_member_or_404(member: Membership, response_id: int) -> Response:
    return get_visible_or_404(
        Response.objects.select_related(
            "invitation",
            "version__survey",
            "interaction__brand",
            "interaction__touchpoint",
            "interaction__customer",
            "interaction__performer__user",
            "interaction__complaint",
            "follow_up__assignee__user",
            "follow_up__rerate",
        ),
        member,
        department_field=None,
        pk=response_id,
    )


def rerate_of(response: Response) -> FollowUp | None:
    """The follow-up whose re-rate this response is (its "before" response loaded), or None."""
    return (
        FollowUp.objects.for_tenant(response.tenant_id)
        .select_related("response")
        .filter(rerate=response)
        .first()
    )


def follow_up_of(response: Response) -> FollowUp | None:
    try:
        return response.follow_up
    except FollowUp.DoesNotExist:
        return None
