"""The one writer of ``Invitation.status``.

    scheduled ──send──▶ sent ──answer──▶ answered
        │                 │
        ├─cancel─▶ cancelled (opted out, or lost the address, before it went out)
        └────────────┴─expire─▶ expired (not answered in time, no score held)

Every move is a compare-and-set on the current status (``filter(status=…).update(…)``), so two
sender runs, two submissions or a submission racing the expiry scan move an invitation once;
each function says whether this call moved it. Sending, opting out and answering
(``sending``, ``opt_out``, ``responses.submitting``) call these and nothing else writes the
status. Creating a row sets no status but the default, except for bulk builders of history
(the demo), which use :func:`unsaved_statuses_set`.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from customers.models import Customer
from notifications.models import Delivery
from surveys.models import Invitation

Status = Invitation.Status


def _invitations(tenant_id: int) -> QuerySet[Invitation]:
    return Invitation.objects.for_tenant(tenant_id)


def invitation_mark_sent(*, tenant_id: int, invitation_id: int, now: datetime) -> bool:
    """SCHEDULED → SENT, stamped ``sent_at`` (the first email is being queued)."""
    return (
        _invitations(tenant_id)
        .filter(pk=invitation_id, status=Status.SCHEDULED)
        .update(status=Status.SENT, sent_at=now)
        == 1
    )


def invitation_first_email_record(*, invitation: Invitation, delivery: Delivery) -> None:
    """Keep the outbox row of the first email: it tells when the SMTP server accepted it."""
    _invitations(invitation.tenant_id).filter(pk=invitation.pk).update(delivery=delivery)
    invitation.delivery = delivery


def invitation_cancel(*, tenant_id: int, invitation_id: int) -> bool:
    """SCHEDULED → CANCELLED: the customer may no longer be written to."""
    return (
        _invitations(tenant_id)
        .filter(pk=invitation_id, status=Status.SCHEDULED)
        .update(status=Status.CANCELLED)
        == 1
    )


def invitations_cancel_for_customer(*, customer: Customer) -> int:
    """SCHEDULED → CANCELLED for every invitation of ``customer`` (they opted out)."""
    return (
        _invitations(customer.tenant_id)
        .filter(customer=customer, status=Status.SCHEDULED)
        .update(status=Status.CANCELLED)
    )


def invitation_mark_answered(*, invitation: Invitation, now: datetime) -> bool:
    """SENT → ANSWERED while the link is open (not expired), stamped ``answered_at``."""
    return (
        _invitations(invitation.tenant_id)
        .filter(pk=invitation.pk, status=Status.SENT, expires_at__gt=now)
        .update(status=Status.ANSWERED, answered_at=now)
        == 1
    )


def invitations_expire(*, now: datetime) -> int:
    """SCHEDULED or SENT → EXPIRED past the expiry, for every tenant (one UPDATE).

    Not one with a held score: that is an answer, which the settle step keeps (in a later
    minute when more were due than one scan takes).
    """
    return (
        Invitation.objects.unscoped()
        .filter(
            status__in=[Status.SCHEDULED, Status.SENT], expires_at__lte=now, held_at__isnull=True
        )
        .update(status=Status.EXPIRED)
    )


def unsaved_statuses_set(invitations: Iterable[Invitation], *, now: datetime) -> None:
    """Give unsaved invitations the status their times mean at ``now``, so code that writes
    history in bulk (the demo) creates rows in their final state instead of moving them.

    Answered once ``answered_at`` is set; else scheduled until ``sent_at``; else expired past
    ``expires_at``; else sent.
    """
    for invitation in invitations:
        if invitation.pk is not None:
            raise ValueError("only an invitation not yet saved is built in its final state")
        if invitation.answered_at is not None:
            invitation.status = Status.ANSWERED
        elif invitation.sent_at is None:
            invitation.status = Status.SCHEDULED
        elif invitation.expires_at <= now:
            invitation.status = Status.EXPIRED
        else:
            invitation.status = Status.SENT
