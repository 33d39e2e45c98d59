"""The one writer of a complaint's ``state`` and ``version``: the guarded compare-and-set move.

Every step, the transfer included, goes through :func:`move`: django-fsm checks the source
state and the permission (``complaints.lifecycle``), the row is updated only if its
``version`` and ``state`` are still what the actor saw (a concurrent change is refused, never
overwritten), and a :class:`Transition` row records who did what, from where to where.
"""

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from complaints import sla
from complaints.models import Complaint, Transition
from tenants.errors import ApplicationError, Conflict, NotAllowed
from tenants.models import Membership


class TransitionNotAllowed(NotAllowed):
    """The member's role (or assignment) does not allow this step."""


class TransitionNotAvailable(Conflict):
    """The complaint is not in a state this step starts from."""

    code = "wrong_state"


class StaleComplaint(Conflict):
    code = "stale"


CUSTOMER = "customer"

# The steps offered on the case page, in the order of the process. ``transfer`` is a
# transition too (the state stays), with a form of its own.
TRANSITION_NAMES = [
    "acknowledge",
    "assess",
    "assign",
    "start_investigation",
    "request_information",
    "receive_information",
    "resolve",
    "send_response",
    "accept_decision",
    "request_review",
    "complete_review",
    "close",
    "reopen",
    "reject",
    "withdraw",
    "merge",
]

# Steps that answer the complainant for the first time (stop the first-response clock).
FIRST_RESPONSES = {"request_information", "send_response", "reject"}


def available_transitions(complaint: Complaint, member: Membership | None) -> list[str]:
    """Names of the steps ``member`` may take on ``complaint`` now (the detail page's buttons)."""
    return [
        name
        for name in TRANSITION_NAMES
        if can_proceed(getattr(complaint, name))
        and has_transition_perm(getattr(complaint, name), member)
    ]


def guard(
    complaint: Complaint,
    *,
    actor: Membership | None,
    name: str,
    unavailable: str | None = None,
    not_allowed: str | None = None,
) -> None:
    """Refuse step ``name`` when the state does not allow it (checked first) or the actor may
    not take it; ``unavailable`` and ``not_allowed`` replace the general messages."""
    method = getattr(complaint, name)
    if not can_proceed(method):
        raise TransitionNotAvailable(
            unavailable
            or _("This complaint is now “%(state)s”: that step is no longer possible.")
            % {"state": complaint.get_state_display()}
        )
    if not has_transition_perm(method, actor):
        raise TransitionNotAllowed(
            not_allowed or _("Your role does not allow this step on this complaint.")
        )


def move(
    complaint: Complaint,
    *,
    actor: Membership | None,
    name: str,
    fields: dict | None = None,
    note: str = "",
    data: dict | None = None,
    expected_version: int | None = None,
) -> Complaint:
    """Take transition ``name``: guard, compare-and-set the row, write the Transition row.

    Call inside the step's transaction; ``fields`` are written in the same ``UPDATE``.
    """
    guard(complaint, actor=actor, name=name)
    source = complaint.state
    version = expected_version if expected_version is not None else complaint.version
    getattr(complaint, name)()
    now = timezone.now()
    fields = {**(fields or {}), "updated_at": now}
    if name in FIRST_RESPONSES and complaint.first_responded_at is None:
        fields["first_responded_at"] = now
    updated = (
        Complaint.objects.for_tenant(complaint.tenant_id)
        .filter(pk=complaint.pk, version=version, state=source)
        .update(state=complaint.state, version=F("version") + 1, **fields)
    )
    if updated != 1:
        complaint.refresh_from_db()  # undo the in-memory move
        raise StaleComplaint(
            _(
                "Someone changed this complaint while you were looking at it. "
                "Reload the page to see their change, then try again."
            )
        )
    complaint.refresh_from_db()
    sla.sync_next_check(complaint)
    Transition.objects.create(
        tenant_id=complaint.tenant_id,
        complaint=complaint,
        name=name,
        source=source,
        target=complaint.state,
        actor=actor,
        actor_label="" if actor else CUSTOMER,
        note=note,
        data=data or {},
    )
    return complaint


def require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(message, fields={field: [message]})
    return value
