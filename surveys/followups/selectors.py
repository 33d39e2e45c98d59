"""Reads of the closed loop: the follow-up list, one follow-up, a response's answers as the
customer saw them, and the re-rate invitation of a follow-up.

A follow-up belongs to the department of its response's, that is its interaction's performer
(``responses.selectors``): the response, its follow-up and the re-rate are one row of the loop,
seen by the same members, so no page links to a 404. An agent sees and completes the follow-ups
of their department subtree; admins, managers and analysts (their role may
``SEE_ALL_SURVEY_DATA``) all the tenant's, and only they those without a performer.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.utils import timezone

from surveys.models import (
    Answer,
    FollowUp,
    Invitation,
    Response,
    localized,
    may_complete_follow_up,
)
from tenants.models import Membership
from tenants.paging import Page, page_or_404
from tenants.permissions import Action, get_visible_or_404, visible_to

PAGE_SIZE = 50

# A follow-up's department: its response's (the interaction's performer's).
FOLLOW_UP_DEPARTMENT = "response__interaction__performer__department"


def visible_follow_ups(member: Membership) -> QuerySet[FollowUp]:
    """The follow-ups the member may list (their subtree's or all the tenant's), for
    ``FollowUpFilterSet``."""
    return visible_to(
        FollowUp.objects.all(),
        member,
        department_field=FOLLOW_UP_DEPARTMENT,
        whole_tenant=Action.SEE_ALL_SURVEY_DATA,
    )


def follow_up_page(
    follow_ups: QuerySet[FollowUp], *, number: int = 1, now: datetime | None = None
) -> Page:
    """Page ``number`` of ``follow_ups`` (filtered): open ones by due time, then done ones,
    latest first (one query, no COUNT: ``tenants.paging``).

    Each row has its response, interaction, customer, brand, touchpoint and assignee loaded
    and ``is_overdue``.
    """
    now = now or timezone.now()
    page = page_or_404(follow_up_rows(follow_ups), number=number, size=PAGE_SIZE)
    for follow_up in page.rows:
        follow_up.is_overdue = is_overdue(follow_up, now)
    return page


def is_overdue(follow_up: FollowUp, now: datetime) -> bool:
    """Whether the follow-up is still open after its due time."""
    return follow_up.status == FollowUp.Status.OPEN and follow_up.due_at < now


def follow_up_rows(follow_ups: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    """``follow_ups`` (filtered) in the list's order, open ones by due time, then done ones,
    latest first; with the response, its interaction's customer, brand and touchpoint, and the
    assignee joined (one query for any number; the page takes one page, an export all)."""
    is_open = Case(
        When(status=FollowUp.Status.OPEN, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    open_due = Case(When(status=FollowUp.Status.OPEN, then=F("due_at")))
    return follow_ups.select_related(
        "response__interaction__customer",
        "response__interaction__brand",
        "response__interaction__touchpoint",
        "assignee__user",
    ).order_by(
        is_open,
        open_due.asc(nulls_last=True),
        F("completed_at").desc(nulls_last=True),
        "pk",
    )


def follow_up_for_member_or_404(member: Membership, follow_up_id: int) -> FollowUp:
    """One follow-up the member may see with its response and interaction (and the performer's
    department, which ``services.follow_up_complete`` checks), or the 404 of a follow-up that
    does not exist."""
    return get_visible_or_404(
        FollowUp.objects.select_related(
            "response__invitation",
            "response__interaction__customer",
            "response__interaction__brand",
            "response__interaction__touchpoint",
            "response__interaction__performer__user",
            "response__interaction__performer__department",
            "response__interaction__complaint",
            "assignee__user",
            "rerate",
        ),
        member,
        department_field=FOLLOW_UP_DEPARTMENT,
        whole_tenant=Action.SEE_ALL_SURVEY_DATA,
        pk=follow_up_id,
    )


@dataclass
class AnswerLine:
    question: str
    value: str
    is_primary: bool


def response_answers(response: Response, *, default_language: str = "en") -> list[AnswerLine]:
    """The response's answers in question order, as the customer's language showed them."""
    language = response.invitation.language
    answers = (
        Answer.objects.for_tenant(response.tenant_id)
        .filter(response=response)
        .select_related("question")
        .order_by("question__position")
    )
    lines = []
    for answer in answers:
        question = answer.question
        if answer.score is not None:
            value = str(answer.score)
        elif answer.choice:
            labels = next(
                (c.get("label") or {} for c in question.choices if c["value"] == answer.choice),
                {},
            )
            value = localized(labels, language, default_language) or answer.choice
        else:
            value = answer.text
        lines.append(
            AnswerLine(
                question=question.text_in(language, default_language),
                value=value,
                is_primary=question.is_primary,
            )
        )
    return lines


def rerate_invitation_of(follow_up: FollowUp) -> Invitation | None:
    """The re-rate invitation of the follow-up's interaction, if one was scheduled."""
    return (
        Invitation.objects.for_tenant(follow_up.tenant_id)
        .filter(
            interaction_id=follow_up.response.interaction_id,
            purpose=Invitation.Purpose.RERATE,
        )
        .first()
    )


def may_complete(member: Membership) -> bool:
    """Whether the member's role may complete follow-ups (the transition's own permission)."""
    return may_complete_follow_up(None, member)


def follow_up_department(follow_up: FollowUp):
    """The department a follow-up belongs to (its performer's), None without a performer."""
    performer = follow_up.response.interaction.performer
    return performer.department if performer is not None else None
