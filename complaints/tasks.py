from celery import shared_task

from complaints.sla_scan import sla_scan


@shared_task
def sla_scan_task() -> int:
    """Raise the SLA warnings, breaches and escalations that are due (beat: every minute)."""
    return sla_scan()
