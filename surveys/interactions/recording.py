"""Recording service interactions: one per event (an integrator posting twice records once),
each decided at once whether to survey it (``interactions.decision``), the decision kept on the
interaction (``Interaction.decision``) so coverage can be explained row by row.

The customer's row is locked (``SELECT … FOR UPDATE``) while deciding, so two events of one
customer recorded at once decide one after the other and the second sees the first's
invitation: one invitation, not two.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from complaints.events import ComplaintClosed
from complaints.models import Complaint
from customers.models import Customer
from surveys.interactions.decision import decide
from surveys.invitations.scheduling import invitation_schedule, last_invited_at
from surveys.models import Interaction, SurveyRule, SurveyVersion, survey_settings_for
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
    now: datetime | None = None,
) -> tuple[Interaction, bool]:
    """Record one service event and decide at once whether to survey it (see the module).

    The same (source, reference) again returns the first interaction, decided as it was.
    """
    # The lock that makes the throttle race-safe; it also reads the customer's current flags.
    customer = Customer.objects.for_tenant(tenant).select_for_update().get(pk=customer.pk)
    interaction, created = Interaction.objects.get_or_create(
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
    if created:
        _decide(interaction, tenant=tenant, customer=customer, now=now or timezone.now())
    return interaction, created


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


def matching_rule(interaction: Interaction) -> tuple[SurveyRule, SurveyVersion] | None:
    """The first active rule matching the interaction whose survey has a published version,
    with that version (the latest published one)."""
    rules = (
        SurveyRule.objects.for_tenant(interaction.tenant_id)
        .filter(is_active=True, survey__is_active=True)
        .order_by("order", "pk")
    )
    for rule in rules:
        if rule.brand_id and rule.brand_id != interaction.brand_id:
            continue
        if rule.touchpoint_id and rule.touchpoint_id != interaction.touchpoint_id:
            continue
        if rule.source and rule.source != interaction.source:
            continue
        version = (
            SurveyVersion.objects.for_tenant(interaction.tenant_id)
            .filter(survey_id=rule.survey_id, status=SurveyVersion.Status.PUBLISHED)
            .order_by("-number")
            .first()
        )
        if version is not None:
            return rule, version
    return None


def _decide(interaction: Interaction, *, tenant: Tenant, customer: Customer, now: datetime):
    """Take the decision (``interactions.decision``) and keep it; schedule the invitation."""
    match = matching_rule(interaction)
    programme = survey_settings_for(tenant)
    verdict = decide(
        interaction=interaction,
        complaint_state=interaction.complaint.state if interaction.complaint_id else None,
        rule=match[0] if match else None,
        customer=customer,
        now=now,
        last_invited_at=last_invited_at(customer=customer),
        throttle_days=programme.throttle_days,
        max_event_age=programme.max_event_age,
    )
    if verdict.decision == Interaction.Decision.INVITED:
        invitation_schedule(
            interaction=interaction, version=match[1], customer=customer, send_at=verdict.send_at
        )
    Interaction.objects.for_tenant(tenant).filter(pk=interaction.pk).update(
        decision=verdict.decision
    )
    interaction.decision = verdict.decision
