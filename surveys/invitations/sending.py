"""Sending invitations: the first email when it is due, one reminder, expiry.

Every step is a compare-and-set on the invitation's status (``invitations.status``, the one
writer of it) or reminder time, and every email has a unique outbox key, so running a scan
twice, or twice at once, sends each once.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from notifications.emails import customer_email_enqueue
from notifications.links import LINK_KEY_SLOT
from notifications.models import Delivery
from surveys.invitations import tokens
from surveys.invitations.consent import may_email, may_email_q
from surveys.invitations.status import (
    invitation_cancel,
    invitation_first_email_record,
    invitation_mark_sent,
)
from surveys.models import Invitation, primary_question
from surveys.scoring import SCALE_ENDS

logger = logging.getLogger(__name__)


REMINDER_AFTER = timedelta(days=3)  # one reminder, this long after the first email


SCAN_LIMIT = 500  # rows per scan and per kind


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
    invitation = _with_context(Invitation.objects.for_tenant(tenant_id)).get(pk=invitation_id)
    if not may_email(invitation.customer):
        invitation_cancel(tenant_id=tenant_id, invitation_id=invitation_id)
        return False
    if not invitation_mark_sent(tenant_id=tenant_id, invitation_id=invitation_id, now=now):
        return False  # sent by another run, or cancelled/expired meanwhile
    delivery = _email(invitation, kind="invitation")
    invitation_first_email_record(invitation=invitation, delivery=delivery)
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
        )
        .filter(may_email_q(customer="customer"))
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
    if not may_email(invitation.customer):
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


def outbox_key(*, invitation_id: int, kind: str) -> str:
    """The outbox key of an invitation's ``kind`` email ("invitation": the first, "reminder"):
    unique per tenant, so a step run twice queues it once. Migration 0006 found the first
    emails sent before it by this key (frozen there)."""
    return f"survey-invitation-{invitation_id}-{kind}"


def public_url(name: str, token: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse(name, kwargs={'token': token})}"


def _email(invitation: Invitation, *, kind: str) -> Delivery:
    """Queue the ``kind`` email (templates/surveys/email/<kind>.txt/.html) with a new token.

    The primary question is in the email: one link per score opens the page with that score
    chosen (the page records nothing until the customer submits it). The links hold the
    outbox's slot, which it fills with the row's link key when it sends: that key is the token
    (``tokens.token_record`` keeps its hash), stored nowhere.
    """
    tenant = invitation.tenant
    survey_url = public_url("public-survey", LINK_KEY_SLOT)
    question = primary_question(list(invitation.version.questions.all()))
    scale = question.scale if question else None
    delivery = customer_email_enqueue(
        tenant=tenant,
        brand=invitation.interaction.brand,
        recipient=invitation.customer.email,
        language=invitation.language,
        template=f"surveys/email/{kind}",
        context={
            "customer": invitation.customer,
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
        },
        dedupe_key=outbox_key(invitation_id=invitation.pk, kind=kind),
        unsubscribe_url=public_url("public-survey-unsubscribe", LINK_KEY_SLOT),
        # Sent by the thousand after an import: a receipt must not wait behind them.
        priority=Delivery.Priority.BULK,
    )
    tokens.token_record(invitation=invitation, delivery=delivery)
    return delivery
