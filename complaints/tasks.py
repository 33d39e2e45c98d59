from celery import shared_task

from complaints.access import access_keys_purge
from complaints.sla_scan import sla_scan


@shared_task
def sla_scan_task() -> int:
    """Raise the SLA warnings, breaches and escalations that are due (beat: every minute)."""
    return sla_scan()


@shared_task
def purge_access_keys_task() -> int:
    """Delete the status-page keys that have expired, unused (beat: every minute)."""
    return access_keys_purge()
