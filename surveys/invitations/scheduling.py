"""Scheduling invitations: the first one after an interaction the decision invited, and a
re-rate after a critic's follow-up. ``invitations.sending`` sends them when they are due."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Max

from customers.models import Customer
from surveys.models import FollowUp, Interaction, Invitation, SurveyVersion

INVITATION_VALID_FOR = timedelta(days=14)  # from sending to expiry


def invitation_schedule(
    *, interaction: Interaction, version: SurveyVersion, customer: Customer, send_at: datetime
) -> Invitation:
    """The first invitation of an interaction, in the customer's language, due at ``send_at``."""
    return Invitation.objects.create(
        tenant_id=interaction.tenant_id,
        interaction=interaction,
        version=version,
        customer=customer,
        language=customer.language,
        send_at=send_at,
        expires_at=send_at + INVITATION_VALID_FOR,
    )


def last_invited_at(*, customer: Customer) -> datetime | None:
    """When ``customer``'s latest first invitation is (or was) due to go out, cancelled ones
    aside; None: never invited. What the decision's throttle compares (a re-rate, asked for on
    the phone, does not count)."""
    return last_invited_at_by_customer(
        tenant_id=customer.tenant_id, customer_ids=[customer.pk]
    ).get(customer.pk)


def last_invited_at_by_customer(
    *, tenant_id: int, customer_ids: Iterable[int]
) -> dict[int, datetime]:
    """:func:`last_invited_at` for many customers of one tenant in one query: customer id →
    latest send time of a first invitation that was not cancelled (the never invited are left
    out). The demo's history plans its throttle from it."""
    return dict(
        Invitation.objects.for_tenant(tenant_id)
        .filter(customer_id__in=list(customer_ids), purpose=Invitation.Purpose.FIRST)
        .exclude(status=Invitation.Status.CANCELLED)
        .values("customer_id")
        .annotate(last=Max("send_at"))
        .values_list("customer_id", "last")
    )


def invitation_rerate_schedule(*, follow_up: FollowUp, now: datetime) -> Invitation:
    """A RERATE invitation to send now, on the first one's version, expiring like it does.

    No throttle: the customer was just called and asked. One per interaction (unique
    ``invitation_once``): a second re-rate of the same interaction returns the existing one.
    A customer who opted out meanwhile is not written to: ``sending.invitation_send`` cancels
    it.
    """
    response = follow_up.response
    first = response.invitation
    invitation, _created = Invitation.objects.get_or_create(
        tenant_id=follow_up.tenant_id,
        interaction_id=response.interaction_id,
        purpose=Invitation.Purpose.RERATE,
        defaults={
            "version_id": response.version_id,
            "customer_id": first.customer_id,
            "language": first.language,
            "send_at": now,
            "expires_at": now + INVITATION_VALID_FOR,
        },
    )
    return invitation
