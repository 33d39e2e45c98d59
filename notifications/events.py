"""Domain events the outbox announces. Apps above subscribe in their ``AppConfig.ready()``;
notifications imports none of them.

``surveys`` subscribes to :class:`DeliverySent` to stamp when the SMTP server accepted an
invitation's first email (the response rate's denominator). Handlers run inside the
transaction that marks the delivery sent, so the stamp commits (or rolls back) with it; they do
no I/O themselves.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DeliverySent:
    """The server we send through accepted the message (an email's SMTP server, an SMS
    gateway) at ``sent_at``."""

    tenant_id: int
    delivery_id: int
    sent_at: datetime
