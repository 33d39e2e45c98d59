"""Writes of the surveys app: interactions and the decision to survey them, the invitations'
emails (first, reminder, expiry), the customer's answers and the follow-up of critics.

The decision is taken once, when the interaction is recorded, and kept on the interaction
(``Interaction.decision``), so coverage can be explained row by row. The rules, in order:

1. a complaint that is not closed (rejected, withdrawn, merged, reopened…) → NOT_ELIGIBLE;
2. the first active rule (by ``order``) whose brand, touchpoint and source match and whose
   survey has a published version; none → NO_RULE;
3. the customer opted out of surveys or does not agree to email → OPTED_OUT;
4. no email address → NO_EMAIL;
5. the event is more than 24 hours old → TOO_OLD;
6. the customer has an invitation (not cancelled) whose sending time is less than
   ``tenant.survey_throttle_days`` before this one's → THROTTLED;
7. the interaction falls outside the rule's sample (a stable hash of its id) → NOT_SAMPLED;
8. otherwise INVITED: an invitation is scheduled ``rule.delay_minutes`` after the event, but
   never later than 24 hours after it.

The customer's row is locked (``SELECT … FOR UPDATE``) while deciding, so two events of one
customer recorded at once decide one after the other and the second sees the first's
invitation: one invitation, not two.
"""

import hashlib
import logging
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints import sla, workflow
from complaints.business_time import add_business_time
from complaints.events import ComplaintClosed
from complaints.lifecycle import State
from complaints.models import Complaint, Customer
from notifications.services import delivery_enqueue
from surveys import followups, tokens
from surveys.models import (
    CRITIC_MAX,
    SCALE_ENDS,
    Answer,
    FollowUp,
    Interaction,
    Invitation,
    InvitationToken,
    Question,
    QuestionKind,
    Response,
    SurveyRule,
    SurveyVersion,
)
from tenants.audit import audit_record
from tenants.errors import ApplicationError, Conflict
from tenants.models import Brand, Department, Membership, Role, Tenant, Touchpoint

logger = logging.getLogger(__name__)

MAX_EVENT_AGE = timedelta(hours=24)  # DESIGN: "no later than a day after the event"
INVITATION_VALID_FOR = timedelta(days=14)  # from sending to expiry
REMINDER_AFTER = timedelta(days=3)  # one reminder, this long after the first email
# Two working days of the tenant's business calendar (the complaint SLA's: hours, weekends,
# public holidays, closures), counted as two 8-hour days of working time.
FOLLOW_UP_WITHIN = timedelta(hours=16)
SCAN_LIMIT = 500  # rows per scan and per kind: the beat runs every minute
# A score clicked in the email and not followed by "Send" is kept as the answer this long after
# the click (or at the invitation's expiry, if sooner): the person has moved on.
HELD_SCORE_KEPT_AFTER = timedelta(hours=1)


# --- interactions and the decision ---------------------------------------------------------


@transaction.atomic
def interaction_record(
    *,
    tenant: Tenant,
    brand: Brand,
    customer: Customer,
    occurred_at: datetime,
    source: str,
    external_reference: str,
    touchpoint: Touchpoint | None = None,
    performer: Membership | None = None,
    complaint: Complaint | None = None,
    now: datetime | None = None,
) -> tuple[Interaction, bool]:
    """Record one service event and decide at once whether to survey it (see the module).

    The same (source, reference) again returns the first interaction, decided as it was.
    """
    # The lock that makes the throttle race-safe; it also reads the customer's current flags.
    customer = Customer.objects.for_tenant(tenant).select_for_update().get(pk=customer.pk)
    interaction, created = Interaction.objects.get_or_create(
        tenant=tenant,
        source=source,
        external_reference=external_reference,
        defaults={
            "brand": brand,
            "customer": customer,
            "occurred_at": occurred_at,
            "touchpoint": touchpoint,
            "performer": performer,
            "complaint": complaint,
        },
    )
    if created:
        _decide(interaction, tenant=tenant, customer=customer, now=now or timezone.now())
    return interaction, created


def on_complaint_closed(event: ComplaintClosed) -> None:
    """A closed complaint is a service interaction of its handler, for the survey after it."""
    complaint = (
        Complaint.objects.for_tenant(event.tenant_id)
        .select_related("tenant", "brand", "customer", "touchpoint", "assignee")
        .get(pk=event.complaint_id)
    )
    interaction_record(
        tenant=complaint.tenant,
        brand=complaint.brand,
        customer=complaint.customer,
        occurred_at=event.closed_at,
        source=Interaction.Source.COMPLAINT,
        # A reopened and closed-again complaint is a second service event.
        external_reference=f"{complaint.reference}@{event.closed_at.isoformat()}",
        touchpoint=complaint.touchpoint,
        performer=complaint.assignee,
        complaint=complaint,
    )


def sample_bucket(interaction: Interaction) -> int:
    """0–99, fixed for an interaction: it is in a rule's sample when below ``sample_percent``.

    A hash of the ids rather than a random draw, so a decision can be reproduced and explained.
    """
    digest = hashlib.sha256(f"{interaction.tenant_id}:{interaction.pk}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def matching_rule(interaction: Interaction) -> tuple[SurveyRule, SurveyVersion] | None:
    """The first active rule matching the interaction whose survey has a published version,
    with that version (the latest published one)."""
    rules = (
        SurveyRule.objects.for_tenant(interaction.tenant_id)
        .filter(is_active=True, survey__is_active=True)
        .order_by("order", "pk")
    )
    for rule in rules:
        if rule.brand_id and rule.brand_id != interaction.brand_id:
            continue
        if rule.touchpoint_id and rule.touchpoint_id != interaction.touchpoint_id:
            continue
        if rule.source and rule.source != interaction.source:
            continue
        version = (
            SurveyVersion.objects.for_tenant(interaction.tenant_id)
            .filter(survey_id=rule.survey_id, status=SurveyVersion.Status.PUBLISHED)
            .order_by("-number")
            .first()
        )
        if version is not None:
            return rule, version
    return None


def _decide(interaction: Interaction, *, tenant: Tenant, customer: Customer, now: datetime):
    Decision = Interaction.Decision
    match = None
    send_at = None
    complaint = interaction.complaint
    if complaint is not None and complaint.state != State.CLOSED:
        decision = Decision.NOT_ELIGIBLE
    elif (match := matching_rule(interaction)) is None:
        decision = Decision.NO_RULE
    elif customer.survey_opt_out or not customer.consent_email:
        decision = Decision.OPTED_OUT
    elif not customer.email:
        decision = Decision.NO_EMAIL
    elif now - interaction.occurred_at > MAX_EVENT_AGE:
        decision = Decision.TOO_OLD
    else:
        rule = match[0]
        delay = min(timedelta(minutes=rule.delay_minutes), MAX_EVENT_AGE)
        send_at = interaction.occurred_at + delay
        recent = (
            Invitation.objects.for_tenant(tenant)
            .filter(
                customer=customer,
                purpose=Invitation.Purpose.FIRST,
                send_at__gt=send_at - timedelta(days=tenant.survey_throttle_days),
            )
            .exclude(status=Invitation.Status.CANCELLED)
        )
        if recent.exists():
            decision = Decision.THROTTLED
        elif sample_bucket(interaction) >= rule.sample_percent:
            decision = Decision.NOT_SAMPLED
        else:
            decision = Decision.INVITED
    if decision == Decision.INVITED:
        Invitation.objects.create(
            tenant=tenant,
            interaction=interaction,
            version=match[1],
            customer=customer,
            language=customer.language,
            send_at=send_at,
            expires_at=send_at + INVITATION_VALID_FOR,
        )
    Interaction.objects.for_tenant(tenant).filter(pk=interaction.pk).update(decision=decision)
    interaction.decision = decision


# --- sending: first email, reminder, expiry --------------------------------------------------


def invitations_run(*, now: datetime | None = None) -> dict[str, int]:
    """The sender's minute: expire what is past its time, send what is due, remind once.

    Every step is a compare-and-set on the invitation's status (or reminder time) and every
    email has a unique outbox key, so running this twice, or twice at once, sends each once.
    """
    now = now or timezone.now()
    return {
        # Before expiry: a score clicked in time is an answer even if the link has run out.
        "settled": invitations_settle(now=now),
        "expired": invitations_expire(now=now),
        "sent": invitations_send_due(now=now),
        "reminded": invitations_remind(now=now),
    }


def invitations_settle(*, now: datetime, limit: int = SCAN_LIMIT) -> int:
    """Keep the clicked score of every person who left without pressing "Send" as their answer.

    Taken an hour after the click, or when the invitation expires, whichever comes first.
    """
    held = (
        Invitation.objects.unscoped()
        .filter(status=Invitation.Status.SENT, held_at__isnull=False)
        .filter(Q(held_at__lte=now - HELD_SCORE_KEPT_AFTER) | Q(expires_at__lte=now))
        .order_by("held_at")
        .values_list("tenant_id", "pk")[:limit]
    )
    return sum(invitation_settle(tenant_id=t, invitation_id=pk) for t, pk in list(held))


@transaction.atomic
def invitation_settle(*, tenant_id: int, invitation_id: int) -> bool:
    """The held score of one invitation becomes its response; True when this call made it.

    The invitation is locked, so a score the person changes meanwhile waits for this and is
    then refused (the invitation is answered): the score kept is the one the response has.
    """
    invitation = (
        Invitation.objects.for_tenant(tenant_id)
        .select_for_update(of=("self",))
        .select_related("version")
        .get(pk=invitation_id)
    )
    primary = primary_question(list(invitation.version.questions.all()))
    if invitation.held_score is None or primary is None:
        return False
    try:
        # Dated when the person clicked: that is when they answered.
        response_submit(
            invitation=invitation,
            answers={primary.pk: invitation.held_score},
            now=invitation.held_at,
            partial=True,
        )
    except Conflict:
        return False  # sent by the person meanwhile: their answers won
    return True


def invitations_expire(*, now: datetime) -> int:
    """Unanswered invitations past their expiry become EXPIRED (one UPDATE, all tenants).

    Not one with a held score: that is an answer, which the settle step keeps (in a later
    minute when more were due than one scan takes).
    """
    return (
        Invitation.objects.unscoped()
        .filter(
            status__in=[Invitation.Status.SCHEDULED, Invitation.Status.SENT],
            expires_at__lte=now,
            held_at__isnull=True,
        )
        .update(status=Invitation.Status.EXPIRED)
    )


def invitations_send_due(*, now: datetime, limit: int = SCAN_LIMIT) -> int:
    """Send the first email of every scheduled invitation whose time has come."""
    due = (
        Invitation.objects.unscoped()
        .filter(status=Invitation.Status.SCHEDULED, send_at__lte=now, expires_at__gt=now)
        .order_by("send_at")
        .values_list("tenant_id", "pk")[:limit]
    )
    return sum(invitation_send(tenant_id=t, invitation_id=pk, now=now) for t, pk in list(due))


@transaction.atomic
def invitation_send(*, tenant_id: int, invitation_id: int, now: datetime) -> bool:
    """Send one scheduled invitation; True when this call sent it.

    A customer who opted out (or lost their address) since the decision is not written to:
    the invitation is cancelled instead.
    """
    invitations = Invitation.objects.for_tenant(tenant_id)
    invitation = _with_context(invitations).get(pk=invitation_id)
    if not _may_email(invitation.customer):
        invitations.filter(pk=invitation_id, status=Invitation.Status.SCHEDULED).update(
            status=Invitation.Status.CANCELLED
        )
        return False
    claimed = invitations.filter(pk=invitation_id, status=Invitation.Status.SCHEDULED).update(
        status=Invitation.Status.SENT, sent_at=now
    )
    if claimed != 1:
        return False  # sent by another run, or cancelled/expired meanwhile
    _email(invitation, kind="invitation")
    return True


def invitations_remind(*, now: datetime, limit: int = SCAN_LIMIT) -> int:
    """One reminder, ``REMINDER_AFTER`` the first email, to those who have not answered."""
    due = (
        Invitation.objects.unscoped()
        .filter(
            status=Invitation.Status.SENT,
            reminder_sent_at__isnull=True,
            sent_at__lte=now - REMINDER_AFTER,
            expires_at__gt=now,
            held_at__isnull=True,  # clicked a score: they answered
            customer__survey_opt_out=False,
            customer__consent_email=True,
        )
        .exclude(customer__email="")
        .order_by("sent_at")
        .values_list("tenant_id", "pk")[:limit]
    )
    return sum(invitation_remind(tenant_id=t, invitation_id=pk, now=now) for t, pk in list(due))


@transaction.atomic
def invitation_remind(*, tenant_id: int, invitation_id: int, now: datetime) -> bool:
    """Send the reminder of one unanswered invitation; True when this call sent it."""
    invitations = Invitation.objects.for_tenant(tenant_id)
    invitation = _with_context(invitations).get(pk=invitation_id)
    if not _may_email(invitation.customer):
        return False
    claimed = invitations.filter(
        pk=invitation_id, status=Invitation.Status.SENT, reminder_sent_at__isnull=True
    ).update(reminder_sent_at=now)
    if claimed != 1:
        return False
    _email(invitation, kind="reminder")
    return True


def _with_context(invitations):
    return invitations.select_related("tenant", "customer", "interaction__brand", "version")


def _may_email(customer: Customer) -> bool:
    return bool(customer.email) and customer.consent_email and not customer.survey_opt_out


def public_url(name: str, token: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse(name, kwargs={'token': token})}"


def primary_question(questions: list[Question]) -> Question | None:
    """The overall-impression question: the one marked primary, else the first scored one."""
    return (
        next((q for q in questions if q.is_primary), None)
        or next((q for q in questions if q.scale), None)
        or (questions[0] if questions else None)
    )


def _email(invitation: Invitation, *, kind: str) -> None:
    """Queue the ``kind`` email (templates/surveys/email/<kind>.txt/.html) with a new token.

    The primary question is in the email: one link per score opens the page with that score
    chosen (the page records nothing until the customer submits it).
    """
    token = tokens.token_mint(invitation=invitation)
    tenant = invitation.tenant
    brand = invitation.interaction.brand
    customer = invitation.customer
    survey_url = public_url("public-survey", token)
    unsubscribe_url = public_url("public-survey-unsubscribe", token)
    question = primary_question(list(invitation.version.questions.all()))
    scale = question.scale if question else None
    with translation.override(invitation.language), timezone.override(tenant.time_zone):
        context = {
            "brand": brand,
            "customer": customer,
            "invitation": invitation,
            "question": question.text_in(invitation.language, tenant.default_language)
            if question
            else "",
            "scale": scale,
            "ends": SCALE_ENDS.get(question.kind) if question else None,
            "score_links": [
                (score, f"{survey_url}?score={score}") for score in range(scale[0], scale[1] + 1)
            ]
            if scale
            else [],
            "survey_url": survey_url,
            "unsubscribe_url": unsubscribe_url,
            # The model validates the colour; rows written around full_clean() are not checked.
            "accent": brand.colour if re.fullmatch(r"#[0-9a-fA-F]{6}", brand.colour) else "#1f5fa8",
        }
        text = render_to_string(f"surveys/email/{kind}.txt", context).strip()
        html = render_to_string(f"surveys/email/{kind}.html", context)
    subject, _newline, body = text.partition("\n")
    delivery_enqueue(
        tenant=tenant,
        dedupe_key=f"survey-invitation-{invitation.pk}-{kind}",
        recipient=customer.email,
        sender=f"{brand.sender_name} <{brand.sender_email}>",
        subject=subject.strip(),
        body=body.strip() + "\n",
        html_body=html,
        headers={
            # RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs here.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


# --- answers and the closed loop -----------------------------------------------------------

# A partial response (only the kept score) that the person may still complete: not once a
# follow-up of it is done — the call was about that score, and its history must stay true.
COMPLETABLE = Q(is_partial=True) & ~Q(follow_up__status=FollowUp.Status.DONE)


def is_critic(kind: str, score: int | None, comment: str) -> bool:
    """NPS 0–6, CSAT 1–3 on the primary question, or any comment: someone should call back."""
    if comment.strip():
        return True
    return score is not None and kind in CRITIC_MAX and score <= CRITIC_MAX[kind]


def score_hold(*, invitation: Invitation, score: int, now: datetime | None = None) -> None:
    """Record the score the person clicked in the email, from their page (see ``public``).

    Not yet a response: the token stays usable and the person may still change the score or
    send the whole survey. Raises :class:`Conflict` when the invitation is answered or
    expired, :class:`ApplicationError` for a score off the primary question's scale.
    """
    now = now or timezone.now()
    primary = primary_question(list(invitation.version.questions.all()))
    scale = primary.scale if primary else None
    if not scale or not scale[0] <= score <= scale[1]:
        raise ApplicationError(_("Choose a number on the scale."), code="off_scale")
    held = (
        Invitation.objects.for_tenant(invitation.tenant_id)
        .filter(pk=invitation.pk, status=Invitation.Status.SENT, expires_at__gt=now)
        .update(held_score=score, held_at=now)
    )
    if not held:
        raise Conflict(_("This survey cannot take answers any more."), code="closed")


@transaction.atomic
def response_submit(
    *,
    invitation: Invitation,
    answers: dict[int, object],
    now: datetime | None = None,
    partial: bool = False,
) -> Response:
    """Record the customer's answers (question id → score, choice value or text).

    Takes the invitation (SENT → ANSWERED, compare-and-set), so two submissions at once record
    one response; opens a follow-up for a critic. ``partial``: only the score the person
    clicked before leaving (``invitations_settle``); questions they never saw are not demanded,
    and the link stays open for them to send the whole survey, which completes that response.
    Otherwise every token of the invitation is marked used. Raises :class:`Conflict` when the
    invitation is answered or expired, and :class:`ApplicationError` (fields keyed
    ``q<question id>``) for an answer out of range.
    """
    now = now or timezone.now()
    invitations = Invitation.objects.for_tenant(invitation.tenant_id)
    taken = invitations.filter(
        pk=invitation.pk, status=Invitation.Status.SENT, expires_at__gt=now
    ).update(status=Invitation.Status.ANSWERED, answered_at=now)
    questions = list(invitation.version.questions.all())
    if taken != 1:
        if not partial and (response := _partial_response_locked(invitation, now=now)):
            return _response_complete(response, questions, answers, now=now)
        if invitations.filter(pk=invitation.pk, status=Invitation.Status.ANSWERED).exists():
            raise Conflict(_("This survey has already been answered."), code="answered")
        raise Conflict(_("This survey link has expired."), code="expired")
    rows = _answer_rows(questions, answers, partial=partial)
    interaction = (
        Interaction.objects.for_tenant(invitation.tenant_id)
        .select_related("tenant", "touchpoint")
        .get(pk=invitation.interaction_id)
    )
    response = Response(
        tenant_id=invitation.tenant_id,
        invitation=invitation,
        version_id=invitation.version_id,
        interaction=interaction,
        is_partial=partial,
        submitted_at=now,
    )
    _response_fill(response, questions, rows)
    response.save()
    _answers_save(response, rows)
    # An answer to a re-rate invitation is the follow-up's "after" score.
    followups.follow_up_rerate_link(response=response)
    if not partial:
        _tokens_use(invitation, now=now)
    if response.is_critic:
        _follow_up_open(response, interaction, now=now)
    return response


def _partial_response_locked(invitation: Invitation, *, now: datetime) -> Response | None:
    """The invitation's partial response, locked, while its link is still open; else None."""
    return (
        Response.objects.for_tenant(invitation.tenant_id)
        .select_for_update(of=("self",))
        .select_related("interaction__tenant", "interaction__touchpoint")
        .filter(COMPLETABLE, invitation=invitation, invitation__expires_at__gt=now)
        .first()
    )


def _response_complete(
    response: Response, questions: list[Question], answers: dict, *, now: datetime
) -> Response:
    """The person came back and sent the survey: their answers replace the kept score."""
    rows = _answer_rows(questions, answers)
    response.answers.all().delete()
    response.is_partial = False
    _response_fill(response, questions, rows)
    response.save(update_fields=["primary_score", "comment", "is_critic", "is_partial"])
    _answers_save(response, rows)
    _tokens_use(response.invitation, now=now)
    follow_up = FollowUp.objects.for_tenant(response.tenant_id).filter(response=response).first()
    if response.is_critic and follow_up is None:
        _follow_up_open(response, response.interaction, now=now)
    elif not response.is_critic and follow_up is not None:
        # Opened for the kept low score; the whole survey says otherwise: nobody should call.
        # (A follow-up already done keeps the response closed: see COMPLETABLE.)
        outcome = "Closed by itself: the customer sent the whole survey, and it is not a critic's."
        FollowUp.objects.for_tenant(response.tenant_id).filter(
            pk=follow_up.pk, status=FollowUp.Status.OPEN
        ).update(status=FollowUp.Status.DONE, outcome=outcome, completed_at=now)
        audit_record(
            tenant=response.interaction.tenant,
            actor=None,
            action="survey.follow_up_complete",
            target=follow_up,
            changes={"status": [FollowUp.Status.OPEN, FollowUp.Status.DONE]},
            note=outcome,
        )
    return response


def _response_fill(response: Response, questions: list[Question], rows: list[Answer]) -> None:
    """The primary score, the comment and the critic flag, copied from the answers."""
    primary = primary_question(questions)
    response.primary_kind = primary.kind if primary else QuestionKind.TEXT
    response.primary_score = next((row.score for row in rows if row.question == primary), None)
    response.comment = "\n\n".join(row.text for row in rows if row.text)
    response.is_critic = is_critic(response.primary_kind, response.primary_score, response.comment)


def _answers_save(response: Response, rows: list[Answer]) -> None:
    for row in rows:
        row.tenant_id = response.tenant_id
        row.response = response
    Answer.objects.bulk_create(rows)


def _tokens_use(invitation: Invitation, *, now: datetime) -> None:
    InvitationToken.objects.for_tenant(invitation.tenant_id).filter(
        invitation=invitation, used_at__isnull=True
    ).update(used_at=now)


def _answer_rows(
    questions: list[Question], answers: dict[int, object], *, partial: bool = False
) -> list[Answer]:
    rows, errors = [], {}
    for question in questions:
        value = answers.get(question.pk)
        if value in (None, ""):
            if question.is_required and not partial:
                errors[f"q{question.pk}"] = [_("Please answer this question.")]
            continue
        scale = question.scale
        if scale:
            if not isinstance(value, int) or not scale[0] <= value <= scale[1]:
                errors[f"q{question.pk}"] = [
                    _("Choose a number from %(low)s to %(high)s.")
                    % {"low": scale[0], "high": scale[1]}
                ]
                continue
            rows.append(Answer(question=question, score=value))
        elif question.kind == QuestionKind.CHOICE:
            if value not in {choice["value"] for choice in question.choices}:
                errors[f"q{question.pk}"] = [_("Choose one of the answers.")]
                continue
            rows.append(Answer(question=question, choice=value))
        else:
            rows.append(Answer(question=question, text=str(value).strip()))
    if errors:
        raise ApplicationError(_("Some answers need your attention."), fields=errors)
    if not rows:
        raise ApplicationError(_("Please answer at least one question."))
    return rows


def _follow_up_open(response: Response, interaction: Interaction, *, now: datetime) -> FollowUp:
    """A critic is called back within two working days, by a manager of the department that
    owns the touchpoint (see ``_follow_up_owner``; unassigned when there is none: the
    follow-up list shows it)."""
    tenant = interaction.tenant
    try:
        calendar = sla.calendar_for(tenant, workflow.complaint_settings(tenant.pk))
        due_at = add_business_time(now, FOLLOW_UP_WITHIN, calendar)
    except ValueError:
        # A calendar with no working time is misconfigured; the customer still gets a call.
        logger.warning("tenant %s has no working time; follow-up due in 48 h", tenant.pk)
        due_at = now + timedelta(hours=48)
    return FollowUp.objects.create(
        tenant=tenant,
        response=response,
        assignee=_follow_up_owner(interaction.touchpoint),
        due_at=due_at,
    )


def _follow_up_owner(touchpoint: Touchpoint | None) -> Membership | None:
    """A manager of the touchpoint's owner department; where it has none, of the nearest
    department above it (a head office without a manager of its own passes calls down to
    nobody, so they go up). None without a touchpoint or an owner."""
    if touchpoint is None or touchpoint.owner_department_id is None:
        return None
    owner = Department.objects.for_tenant(touchpoint.tenant_id).get(
        pk=touchpoint.owner_department_id
    )
    # The owner and its ancestors: their ids are the owner's materialised path.
    chain = [int(pk) for pk in owner.path.strip("/").split("/")]
    managers = Membership.objects.for_tenant(touchpoint.tenant_id).filter(
        role=Role.MANAGER, is_active=True, department_id__in=chain
    )
    nearest = {}
    for manager in managers.order_by("pk").only("pk", "department_id"):
        nearest.setdefault(manager.department_id, manager)
    return next((nearest[pk] for pk in reversed(chain) if pk in nearest), None)


# --- opting out ------------------------------------------------------------------------------


@transaction.atomic
def customer_opt_out_of_surveys(*, customer: Customer, note: str = "") -> bool:
    """No more surveys for ``customer``: scheduled invitations are cancelled, no reminder goes
    out. True when this call changed it (a second click changes nothing)."""
    changed = (
        Customer.objects.for_tenant(customer.tenant_id)
        .filter(pk=customer.pk, survey_opt_out=False)
        .update(survey_opt_out=True)
    )
    if not changed:
        return False
    Invitation.objects.for_tenant(customer.tenant_id).filter(
        customer=customer, status=Invitation.Status.SCHEDULED
    ).update(status=Invitation.Status.CANCELLED)
    audit_record(
        tenant=customer.tenant,
        actor=None,
        action="customer.survey_opt_out",
        target=customer,
        changes={"survey_opt_out": [False, True]},
        note=note,
    )
    return True
