from celery import shared_task
from django.db import connection

from tenants.idempotency import purge_old
from tenants.models import Tenant


@shared_task(bind=True)
def ping_task(self) -> dict:
    """A round trip through the broker: which worker ran it and which tenants its database has."""
    return {
        "worker": self.request.hostname,
        "database": connection.vendor,
        "tenants": sorted(Tenant.objects.values_list("slug", flat=True)),
    }


@shared_task
def purge_submission_tokens_task() -> int:
    """Forget the forms' idempotency tokens older than a week (every tenant's, by age)."""
    return purge_old()
