"""Writes of the surveys app: service interactions (the survey triggers)."""

from datetime import datetime

from django.db import transaction

from complaints.events import ComplaintClosed
from complaints.models import Complaint, Customer
from surveys.models import Interaction
from tenants.models import Brand, Membership, Tenant, Touchpoint


@transaction.atomic
def interaction_record(
    *,
    tenant: Tenant,
    brand: Brand,
    customer: Customer,
    occurred_at: datetime,
    source: str,
    external_reference: str,
    touchpoint: Touchpoint | None = None,
    performer: Membership | None = None,
    complaint: Complaint | None = None,
) -> tuple[Interaction, bool]:
    """Record one service event; the same (source, reference) again returns the first one."""
    return Interaction.objects.get_or_create(
        tenant=tenant,
        source=source,
        external_reference=external_reference,
        defaults={
            "brand": brand,
            "customer": customer,
            "occurred_at": occurred_at,
            "touchpoint": touchpoint,
            "performer": performer,
            "complaint": complaint,
        },
    )


def on_complaint_closed(event: ComplaintClosed) -> None:
    """A closed complaint is a service interaction of its handler, for the survey after it."""
    complaint = (
        Complaint.objects.for_tenant(event.tenant_id)
        .select_related("tenant", "brand", "customer", "touchpoint", "assignee")
        .get(pk=event.complaint_id)
    )
    interaction_record(
        tenant=complaint.tenant,
        brand=complaint.brand,
        customer=complaint.customer,
        occurred_at=event.closed_at,
        source=Interaction.Source.COMPLAINT,
        # A reopened and closed-again complaint is a second service event.
        external_reference=f"{complaint.reference}@{event.closed_at.isoformat()}",
        touchpoint=complaint.touchpoint,
        performer=complaint.assignee,
        complaint=complaint,
    )
