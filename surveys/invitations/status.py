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
(the demo), which insert through :func:`invitations_history_create`.

The time the SMTP server accepted the first email (``accepted_at``, what the response rate
counts) is stamped here too, when the outbox announces it (:func:`invitation_accepted_stamp`).
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from customers.models import Customer
from notifications.events import DeliverySent
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
    """Keep the outbox row of the first email: when the SMTP server accepts it,
    :func:`invitation_accepted_stamp` stamps ``accepted_at`` (at once, if it was already)."""
    accepted_at = delivery.sent_at if delivery.status == Delivery.Status.SENT else None
    _invitations(invitation.tenant_id).filter(pk=invitation.pk).update(
        delivery=delivery, accepted_at=accepted_at
    )
    invitation.delivery, invitation.accepted_at = delivery, accepted_at


def invitation_accepted_stamp(event: DeliverySent) -> int:
    """The SMTP server accepted an invitation's first email: stamp ``accepted_at`` (the
    response rate counts from it). Subscribed to ``notifications.events.DeliverySent``, in the
    transaction that marks the delivery sent; a delivery that is no invitation's first email
    stamps nothing, and a second report of the same one changes nothing."""
    return (
        _invitations(event.tenant_id)
        .filter(delivery_id=event.delivery_id, accepted_at__isnull=True)
        .update(accepted_at=event.sent_at)
    )


def invitations_first_emails_record(*, tenant_id: int, invitations: list[Invitation]) -> None:
    """:func:`invitation_first_email_record` for many saved invitations at once, each with its
    saved ``delivery`` set (code that writes history in bulk: the demo)."""
    for invitation in invitations:
        delivery = invitation.delivery
        is_accepted = delivery is not None and delivery.status == Delivery.Status.SENT
        invitation.accepted_at = delivery.sent_at if is_accepted else None
    _invitations(tenant_id).bulk_update(invitations, ["delivery", "accepted_at"], batch_size=500)


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


def invitations_history_create(
    *, invitations: list[Invitation], now: datetime, batch_size: int = 500
) -> None:
    """Insert unsaved invitations in the status their times mean at ``now``, for code that
    writes history in bulk (the demo): rows are created in their final state, never moved.

    Answered once ``answered_at`` is set; else scheduled until ``sent_at``; else expired past
    ``expires_at``; else sent. The invitations get their ids (PostgreSQL, SQLite).
    """
    _final_statuses_set(invitations, now=now)
    Invitation.objects.bulk_create(invitations, batch_size=batch_size)


def _final_statuses_set(invitations: Iterable[Invitation], *, now: datetime) -> None:
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
