"""Domain events the complaints app announces. Other apps subscribe; complaints imports none.

``surveys`` subscribes to :class:`ComplaintClosed` in its ``AppConfig.ready()`` to turn a closed
complaint into a service interaction. Handlers run inside the transaction of the change that
publishes the event, so what they write commits (or rolls back) with it: a closed complaint is
never left without its interaction. Handlers do no I/O themselves; anything slow or external
goes through the outbox or ``transaction.on_commit``.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ComplaintReceived:
    tenant_id: int
    complaint_id: int


@dataclass(frozen=True)
class ComplaintClosed:
    tenant_id: int
    complaint_id: int
    closed_at: datetime
    customer_accepted: bool | None


_subscribers: dict[type, list[Callable]] = defaultdict(list)


def subscribe(event_type: type, handler: Callable) -> None:
    if handler not in _subscribers[event_type]:
        _subscribers[event_type].append(handler)


def publish(event) -> None:
    """Call every subscriber of the event's type, in the current transaction."""
    for handler in list(_subscribers[type(event)]):
        handler(event)
