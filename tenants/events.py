"""The in-process event bus: an app announces what happened, apps above it subscribe.

Each app defines its events (frozen dataclasses) in its own ``events`` module —
``complaints.events``, ``notifications.events`` — and publishes them here; an app above
subscribes in its ``AppConfig.ready()``, so the app below never imports the one above.

Handlers run synchronously inside the transaction of the change that publishes the event, so
what they write commits (or rolls back) with it. They do no I/O themselves: anything slow or
external goes through the outbox or ``transaction.on_commit``.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

_subscribers: dict[type, list[Callable]] = defaultdict(list)


def subscribe(event_type: type, handler: Callable) -> None:
    """Call ``handler(event)`` for every published event of ``event_type`` (once per handler)."""
    if handler not in _subscribers[event_type]:
        _subscribers[event_type].append(handler)


def publish(event) -> None:
    """Call every subscriber of the event's type, in the current transaction."""
    for handler in list(_subscribers[type(event)]):
        handler(event)


# --- the events tenants announces -------------------------------------------------------------


@dataclass(frozen=True)
class MemberInvited:
    """An invitation (``tenants.models.MemberInvitation``) is to be emailed, in its ``round``
    (1, then one more per resend). ``notifications`` subscribes: it queues the email in the
    outbox and records the link's token with ``tenants.members.invitation_token_record``."""

    tenant_id: int
    invitation_id: int
    round: int


@dataclass(frozen=True)
class MemberDeactivated:
    """A member can no longer use the workspace (``tenants.members.membership_deactivate``):
    the apps that give them work hand it back, each through its own writer, with ``actor_id``
    (the admin's membership) as the one who did it."""

    tenant_id: int
    membership_id: int
    actor_id: int
