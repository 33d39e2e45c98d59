"""How a complaint ends, and starts again: accepted or closed (announced to other apps),
reopened within the window, rejected, withdrawn, merged into another."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import notify, sla
from complaints.events import ComplaintClosed
from complaints.lifecycle import OPEN_STATES
from complaints.models import Complaint
from complaints.selectors import complaint_settings
from complaints.workflow.decision import default_recourse
from complaints.workflow.moves import TransitionNotAvailable, guard, move, require_text
from tenants.errors import ApplicationError
from tenants.events import publish
from tenants.models import Membership
from tenants.permissions import require_visible


def _close(complaint: Complaint, **step) -> Complaint:
    complaint = move(complaint, **step)
    publish(
        ComplaintClosed(
            tenant_id=complaint.tenant_id,
            complaint_id=complaint.pk,
            closed_at=complaint.closed_at,
            customer_accepted=complaint.customer_accepted,
        )
    )
    return complaint


@transaction.atomic
def complaint_accept_decision(
    *, complaint: Complaint, actor: Membership | None, note: str = "", expected_version=None
) -> Complaint:
    """The complainant accepts the decision: the complaint closes."""
    complaint = _close(
        complaint,
        actor=actor,
        name="accept_decision",
        fields={"customer_accepted": True, "closed_at": timezone.now()},
        note=note,
        expected_version=expected_version,
    )
    notify.customer(complaint, "closed")
    return complaint


@transaction.atomic
def complaint_close(
    *, complaint: Complaint, actor: Membership, note: str = "", expected_version=None
) -> Complaint:
    """Close after the response without the complainant's answer."""
    complaint = _close(
        complaint,
        actor=actor,
        name="close",
        fields={"closed_at": timezone.now()},
        note=note,
        expected_version=expected_version,
    )
    notify.customer(complaint, "closed")
    return complaint


@transaction.atomic
def complaint_reopen(
    *, complaint: Complaint, actor: Membership, reason: str, expected_version=None
) -> Complaint:
    """Back into investigation, within the tenant's reopen window after closing."""
    reason = require_text(reason, "reason", _("Say why it is reopened."))
    window = timedelta(days=complaint_settings(complaint.tenant_id).reopen_window_days)
    if complaint.closed_at and timezone.now() - complaint.closed_at > window:
        raise TransitionNotAvailable(
            _("It was closed more than %(days)s days ago: file a new complaint instead.")
            % {"days": window.days}
        )
    return move(
        complaint,
        actor=actor,
        name="reopen",
        fields={
            "closed_at": None,
            "customer_accepted": None,
            **sla.restart_resolution_fields(
                complaint, settings=complaint_settings(complaint.tenant_id), now=timezone.now()
            ),
        },
        note=reason,
        expected_version=expected_version,
    )


@transaction.atomic
def complaint_reject(
    *, complaint: Complaint, actor: Membership, reason: str, expected_version=None
) -> Complaint:
    """Not a complaint, or out of scope: the complainant is told why and where else to go."""
    reason = require_text(reason, "reason", _("Give the reason for the rejection."))
    complaint = move(
        complaint,
        actor=actor,
        name="reject",
        fields={
            "rejection_reason": reason,
            "is_in_scope": False,
            "assessed_by": actor,
            "closed_at": timezone.now(),
            "recourse": default_recourse(complaint),
        },
        note=reason,
        expected_version=expected_version,
    )
    notify.customer(complaint, "rejected")
    return complaint


@transaction.atomic
def complaint_withdraw(
    *, complaint: Complaint, actor: Membership | None, reason: str = "", expected_version=None
) -> Complaint:
    """The complainant withdraws it (themselves, or an agent on their word)."""
    complaint = move(
        complaint,
        actor=actor,
        name="withdraw",
        fields={"closed_at": timezone.now()},
        note=reason,
        expected_version=expected_version,
    )
    notify.customer(complaint, "withdrawn")
    return complaint


@transaction.atomic
def complaint_merge(
    *, complaint: Complaint, actor: Membership, into: Complaint, expected_version=None
) -> Complaint:
    """Fold a duplicate into another open complaint of the same organisation, one the actor
    sees (a complaint they cannot see is refused like a missing one)."""
    if into.tenant_id != complaint.tenant_id or into.pk == complaint.pk:
        raise ApplicationError(
            _("Choose another complaint of this organisation."),
            fields={"into": [_("Not a complaint you can merge into.")]},
        )
    guard(complaint, actor=actor, name="merge")  # a step it may not take is refused as such
    require_visible(actor, into)
    # Lock both rows in id order and read the target afresh: two merges crossing each other
    # (A into B while B into A) must not fold both away.
    locked = {
        row.pk: row
        for row in Complaint.objects.for_tenant(complaint.tenant_id)
        .select_for_update()
        .filter(pk__in=[complaint.pk, into.pk])
        .order_by("pk")
    }
    into = locked[into.pk]
    if into.state not in OPEN_STATES:
        raise ApplicationError(
            _("%(reference)s is finished: merge into an open complaint.")
            % {"reference": into.reference},
            fields={"into": [_("That complaint is finished.")]},
        )
    return move(
        complaint,
        actor=actor,
        name="merge",
        fields={"merged_into": into, "closed_at": timezone.now()},
        note=into.reference,
        data={"into": into.reference},
        expected_version=expected_version,
    )
