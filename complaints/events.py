"""Domain events the complaints app announces through :mod:`tenants.events`; complaints
imports none of its subscribers.

``surveys`` subscribes to :class:`ComplaintClosed` to turn a closed complaint into a service
interaction, in the transaction that closes it: a closed complaint is never left without its
interaction.
"""

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
