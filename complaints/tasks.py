from celery import shared_task

from complaints.sla_scan import sla_scan
from tenants.rls import all_tenants


@shared_task
def sla_scan_task() -> int:
    """Raise the SLA warnings, breaches and escalations that are due (beat: every minute)."""
    with all_tenants():  # one indexed scan over every tenant's due clocks
        return sla_scan()
