"""Reading responses: the managers' browser (a page and the figures of what the filters,
``surveys.responses.filters``, let through) and one response with its interaction, complaint,
follow-up and re-rate history.

A response belongs to the department of its interaction's performer: an agent browses those of
their department subtree (as they see complaints), a member whose role may see all survey data
(admins, managers, analysts) the whole tenant's; a response without a performer only the
latter (``tenants.permissions``, ``Action.SEE_ALL_SURVEY_DATA``). The figures are over the
same rows. Pages are fetched without COUNT(*) (one row more tells whether
a next page exists); the figures above the list are four SQL aggregates over the same filter.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from surveys import metrics, scoring
from surveys.models import Answer, FollowUp, Response
from tenants.models import Membership
from tenants.paging import Page, page_or_404
from tenants.permissions import Action, get_visible_or_404, visible_to

PAGE_SIZE = 50

# A response's department: its interaction's performer's (``interactions.selectors``).
RESPONSE_DEPARTMENT = "interaction__performer__department"

# A row's score band (``surveys.scoring``): its colour.
band_of = scoring.band_of


def visible_responses(member: Membership) -> QuerySet[Response]:
    """The responses the member may browse (their subtree's or all the tenant's), for
    ``ResponseFilterSet``."""
    return visible_to(
        Response.objects.all(),
        member,
        department_field=RESPONSE_DEPARTMENT,
        whole_tenant=Action.SEE_ALL_SURVEY_DATA,
    )


def response_rows(responses: QuerySet[Response]) -> QuerySet[Response]:
    """``responses`` (filtered) latest first, with what a row shows joined: the interaction's
    brand, touchpoint, customer and performer, and the follow-up (one query for any number;
    the page takes one page of them, an export all)."""
    return responses.select_related(
        "interaction__brand",
        "interaction__touchpoint",
        "interaction__customer",
        "interaction__performer__user",
        "follow_up",
    ).order_by("-submitted_at", "-pk")


def response_page(responses: QuerySet[Response], *, number: int) -> Page:
    """Page ``number`` of ``responses`` (filtered), latest first, each with ``band`` set."""
    page = page_or_404(response_rows(responses), number=number, size=PAGE_SIZE)
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


def figures(member: Membership, responses: QuerySet[Response]) -> Figures:
    """NPS and CSAT (``surveys.metrics``, on the primary question) of ``responses`` (filtered),
    and the same over the re-rates after a follow-up among them (four aggregates)."""
    answers = Answer.objects.for_tenant(member.tenant_id).filter(response__in=responses)
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
        department_field=RESPONSE_DEPARTMENT,
        whole_tenant=Action.SEE_ALL_SURVEY_DATA,
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
