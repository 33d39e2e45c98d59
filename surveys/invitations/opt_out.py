"""A customer says no to surveys: from the unsubscribe link, or the mail client's button."""

from django.db import transaction

from customers.models import Customer
from surveys.invitations.status import invitations_cancel_for_customer
from tenants.audit import audit_record


@transaction.atomic
def customer_opt_out_of_surveys(*, customer: Customer, note: str = "") -> bool:
    """No more surveys for ``customer``: scheduled invitations are cancelled, no reminder goes
    out. True when this call changed it (a second click changes nothing)."""
    changed = (
        Customer.objects.for_tenant(customer.tenant_id)
        .filter(pk=customer.pk, survey_opt_out=False)
        .update(survey_opt_out=True)
    )
    if not changed:
        return False
    invitations_cancel_for_customer(customer=customer)
    audit_record(
        tenant=customer.tenant,
        actor=None,
        action="customer.survey_opt_out",
        target=customer,
        changes={"survey_opt_out": [False, True]},
        note=note,
    )
    return True
