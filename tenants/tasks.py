from celery import shared_task
from django.db import connection

from tenants.idempotency import purge_old
from tenants.models import Membership, Tenant


@shared_task(bind=True)
def ping_task(self, tenant_id: int | None = None) -> dict:
    """A round trip through the broker: which worker ran it, which tenants its database has,
    and how many memberships the task can see — on PostgreSQL, only those of its
    ``tenant_id`` (row-level security: ``tenants.rls``), whatever the query asks."""
    return {
        "worker": self.request.hostname,
        "database": connection.vendor,
        "tenants": sorted(Tenant.objects.values_list("slug", flat=True)),
        "visible_memberships": Membership.objects.unscoped().count(),
    }


@shared_task
def purge_submission_tokens_task() -> int:
    """Forget the forms' idempotency tokens older than a week (every tenant's, by age)."""
    return purge_old()
