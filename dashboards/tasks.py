from datetime import date

from celery import shared_task

from dashboards.reports import monthly_report_issue, monthly_reports_due
from tenants.models import Tenant


@shared_task
def monthly_reports_task() -> int:
    """Beat, on the first day of each month: one report task for each tenant whose report of
    the month before is due (``dashboards.reports``)."""
    due = monthly_reports_due()
    for tenant_id, month in due:
        monthly_report_task.delay(tenant_id=tenant_id, month=month.isoformat())
    return len(due)


@shared_task
def monthly_report_task(tenant_id: int, month: str) -> int:
    """Issue and email the tenant's report of ``month`` (its first day, ISO), once."""
    tenant = Tenant.objects.get(pk=tenant_id)
    return monthly_report_issue(tenant=tenant, month=date.fromisoformat(month)).pk
