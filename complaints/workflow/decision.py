"""The decision: resolve, send it with the recourse, and the internal review when the
complainant does not accept it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import notify
from complaints.models import Complaint, Message, RootCause
from complaints.selectors import complaint_settings
from complaints.workflow.moves import move, require_text
from tenants.errors import ApplicationError
from tenants.models import Membership


@transaction.atomic
def complaint_resolve(
    *,
    complaint: Complaint,
    actor: Membership,
    root_cause: RootCause | None,
    resolution: str,
    note: str = "",
    expected_version=None,
) -> Complaint:
    """Record the root cause (from the tenant's list) and the response to the complainant."""
    errors = {}
    if (
        root_cause is None
        or root_cause.tenant_id != complaint.tenant_id
        or not root_cause.is_active
    ):
        errors["root_cause"] = [_("Choose the root cause.")]
    if not (resolution or "").strip():
        errors["resolution"] = [_("Write the response to the complainant.")]
    if errors:
        raise ApplicationError(_("A resolution needs a root cause and a response."), fields=errors)
    return move(
        complaint,
        actor=actor,
        name="resolve",
        fields={
            "root_cause": root_cause,
            "resolution": resolution.strip(),
            "resolved_at": timezone.now(),
        },
        note=note,
        data={"root_cause": root_cause.code},
        expected_version=expected_version,
    )


def default_recourse(complaint: Complaint) -> str:
    settings = complaint_settings(complaint.tenant_id)
    return _(
        "%(internal)s If you are still not satisfied, you may refer your complaint to %(external)s."
    ) % {"internal": settings.internal_review.strip(), "external": settings.external_body}


@transaction.atomic
def complaint_send_response(
    *, complaint: Complaint, actor: Membership, recourse: str = "", expected_version=None
) -> Complaint:
    """Send the decision, with the recourse offered, and ask whether it is accepted."""
    complaint = move(
        complaint,
        actor=actor,
        name="send_response",
        fields={
            "recourse": (recourse or "").strip() or default_recourse(complaint),
            "response_sent_at": timezone.now(),
        },
        expected_version=expected_version,
    )
    notify.customer(complaint, "decision", key=f"decision-v{complaint.version}")
    return complaint


@transaction.atomic
def complaint_request_review(
    *, complaint: Complaint, actor: Membership | None, reason: str, expected_version=None
) -> Complaint:
    """The complainant does not accept the decision: it goes to internal review."""
    reason = require_text(reason, "reason", _("Tell us what you disagree with."))
    complaint = move(
        complaint,
        actor=actor,
        name="request_review",
        fields={"customer_accepted": False},
        note=reason,
        expected_version=expected_version,
    )
    Message.objects.create(
        tenant_id=complaint.tenant_id,
        complaint=complaint,
        kind=Message.Kind.CUSTOMER,
        author=actor,
        body=reason,
    )
    notify.customer(complaint, "review_requested", key=f"review-v{complaint.version}")
    return complaint


@transaction.atomic
def complaint_complete_review(
    *,
    complaint: Complaint,
    actor: Membership,
    resolution: str,
    note: str = "",
    expected_version=None,
) -> Complaint:
    """The reviewer confirms or revises the decision; it is sent again."""
    resolution = require_text(resolution, "resolution", _("Write the reviewed decision."))
    complaint = move(
        complaint,
        actor=actor,
        name="complete_review",
        fields={
            "resolution": resolution,
            "customer_accepted": None,
            "response_sent_at": timezone.now(),
        },
        note=note,
        expected_version=expected_version,
    )
    notify.customer(complaint, "decision", key=f"decision-v{complaint.version}")
    return complaint
