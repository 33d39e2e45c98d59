"""The demo's history is not news: the SLA events of complaints filed weeks ago are raised
while seeding and left read, so the first beat tick does not fill every bell with 99+."""

from datetime import datetime

from django.utils import timezone

from complaints.sla_scan import sla_scan
from notifications.services import notifications_mark_history_read
from tenants.models import Tenant

# A scan takes at most 5,000 due complaints; the demo has a few hundred.
MAX_SCANS = 100


def settle_demo_alerts(tenant: Tenant, *, now: datetime | None = None) -> int:
    """Raise every SLA event of the demo's history until ``now`` (as the beat scan would have,
    had it run all along) and mark the notifications they made read. Returns how many were
    marked."""
    now = now or timezone.now()
    for _scan in range(MAX_SCANS):
        if not sla_scan(now=now):
            break
    return notifications_mark_history_read(tenant=tenant, until=now)
