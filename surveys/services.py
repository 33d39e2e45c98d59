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
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from complaints.events import ComplaintClosed
from complaints.lifecycle import State
from complaints.models import Complaint
from customers.models import Customer
from notifications.services import delivery_enqueue
from surveys import responding, tokens
from surveys.models import (
    SCALE_ENDS,
    Interaction,
    Invitation,
    SurveyRule,
    SurveyVersion,
)
from tenants.audit import audit_record
from tenants.branding import accent_of
from tenants.models import Brand, Membership, Tenant, Touchpoint

logger = logging.getLogger(__name__)

MAX_EVENT_AGE = timedelta(hours=24)  # DESIGN: "no later than a day after the event"
INVITATION_VALID_FOR = timedelta(days=14)  # from sending to expiry
REMINDER_AFTER = timedelta(days=3)  # one reminder, this long after the first email
SCAN_LIMIT = 500  # rows per scan and per kind
# The beat runs every minute; a busy minute takes scan after scan for this long, then leaves
# the rest to the next minute (so two runs seldom overlap; when they do, the compare-and-set
# on each invitation sends it once).
RUN_FOR_SECONDS = 45.0


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


def invitations_run(
    *, now: datetime | None = None, run_for: float = RUN_FOR_SECONDS
) -> dict[str, int]:
    """The sender's minute: keep clicked scores, expire what is past its time, send what is
    due, remind once — scan after scan while there is more and ``run_for`` seconds last.

    Every step is a compare-and-set on the invitation's status (or reminder time) and every
    email has a unique outbox key, so running this twice, or twice at once, sends each once.
    """
    now = now or timezone.now()
    stop_at = time.monotonic() + run_for
    return {
        # Before expiry: a score clicked in time is an answer even if the link has run out.
        "settled": responding.invitations_settle(now=now, limit=SCAN_LIMIT),
        "expired": invitations_expire(now=now),
        "sent": _scans(invitations_send_due, now=now, stop_at=stop_at),
        "reminded": _scans(invitations_remind, now=now, stop_at=stop_at),
    }


def _scans(scan, *, now: datetime, stop_at: float) -> int:
    """Run ``scan`` (which takes up to ``SCAN_LIMIT`` rows and says how many it found and how
    many it sent) again while it finds a full scan's worth and time is left; the total sent."""
    total = 0
    while True:
        found, sent = scan(now=now, limit=SCAN_LIMIT)
        total += sent
        if found < SCAN_LIMIT or time.monotonic() >= stop_at:
            return total


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


def invitations_send_due(*, now: datetime, limit: int = SCAN_LIMIT) -> tuple[int, int]:
    """Send the first email of up to ``limit`` scheduled invitations whose time has come:
    (how many were due, how many this call sent). Each due one leaves SCHEDULED: sent, or
    cancelled when it may no longer be."""
    due = (
        Invitation.objects.unscoped()
        .filter(status=Invitation.Status.SCHEDULED, send_at__lte=now, expires_at__gt=now)
        .order_by("send_at")
        .values_list("tenant_id", "pk")[:limit]
    )
    due = list(due)
    sent = sum(invitation_send(tenant_id=t, invitation_id=pk, now=now) for t, pk in due)
    return len(due), sent


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


def invitations_remind(*, now: datetime, limit: int = SCAN_LIMIT) -> tuple[int, int]:
    """One reminder, ``REMINDER_AFTER`` the first email, to up to ``limit`` of those who have
    not answered: (how many were due, how many this call sent)."""
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
    due = list(due)
    sent = sum(invitation_remind(tenant_id=t, invitation_id=pk, now=now) for t, pk in due)
    return len(due), sent


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
    question = responding.primary_question(list(invitation.version.questions.all()))
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
            "accent": accent_of(brand),
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
