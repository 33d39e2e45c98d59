"""Domain events the outbox announces. Apps above subscribe in their ``AppConfig.ready()``;
notifications imports none of them.

``surveys`` subscribes to :class:`DeliverySent` to stamp when the SMTP server accepted an
invitation's first email (the response rate's denominator). Handlers run inside the
transaction that marks the delivery sent, so the stamp commits (or rolls back) with it; they do
no I/O themselves.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DeliverySent:
    """The server we send through accepted the message (an email's SMTP server, an SMS
    gateway) at ``sent_at``."""

    tenant_id: int
    delivery_id: int
    sent_at: datetime


_subscribers: dict[type, list[Callable]] = defaultdict(list)


def subscribe(event_type: type, handler: Callable) -> None:
    if handler not in _subscribers[event_type]:
        _subscribers[event_type].append(handler)


def publish(event) -> None:
    """Call every subscriber of the event's type, in the current transaction."""
    for handler in list(_subscribers[type(event)]):
        handler(event)
