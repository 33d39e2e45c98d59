"""Writes of customers: finding the person behind a contact, creating them, their keys."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from customers.keys import email_key, phone_key
from customers.models import Customer
from tenants.errors import ApplicationError
from tenants.models import Tenant


def contact_keys(*, tenant: Tenant, email: str = "", phone: str = "") -> dict[str, str]:
    """The stored keys of a contact in ``tenant`` (its country reads the phone)."""
    return {"email_key": email_key(email), "phone_key": phone_key(phone, region=tenant.country)}


@transaction.atomic
def customer_match_or_create(
    *,
    tenant: Tenant,
    name: str,
    email: str = "",
    phone: str = "",
    language: str = "en",
    learn: bool = True,
) -> Customer:
    """The customer with this email or phone, created if there is none.

    Email is tried first, then phone (the earliest customer with it: a phone is not unique to
    one person). With ``learn`` (staff intake only) a match learns a contact it did not have.
    Unauthenticated channels never add a contact to an existing customer: whoever knows an
    email address could otherwise attach their own phone to it and open that customer's
    complaints.
    """
    keys = contact_keys(tenant=tenant, email=email, phone=phone)
    if not any(keys.values()):
        raise ApplicationError(
            _("Give an email address or a phone number so we can answer you."),
            fields={"email": [_("An email address or a phone number is needed.")]},
        )
    customers = Customer.objects.for_tenant(tenant).select_for_update()
    customer = None
    for key, value in keys.items():
        if value:
            customer = customers.filter(**{key: value}).order_by("pk").first()
            if customer:
                break
    if customer is None:
        try:
            with transaction.atomic():
                return Customer.objects.create(
                    tenant=tenant,
                    name=name.strip(),
                    email=email.strip(),
                    phone=phone.strip(),
                    language=language,
                    **keys,
                )
        except IntegrityError:
            # Someone created them a moment ago: take that row.
            return customer_match_or_create(
                tenant=tenant, name=name, email=email, phone=phone, language=language, learn=learn
            )
    # Learn what the customer did not tell before, unless it is another customer's.
    learned = {}
    for key, field, value in (("email_key", "email", email), ("phone_key", "phone", phone)):
        if (
            learn
            and keys[key]
            and not getattr(customer, key)
            and not customers.filter(**{key: keys[key]}).exists()
        ):
            learned.update({field: value.strip(), key: keys[key]})
    if learned:
        Customer.objects.for_tenant(tenant).filter(pk=customer.pk).update(**learned)
        customer.refresh_from_db()
    return customer


def customer_keys_refresh(customer: Customer) -> None:
    """Recompute ``customer``'s keys from its contacts (after an edit in the admin)."""
    keys = contact_keys(tenant=customer.tenant, email=customer.email, phone=customer.phone)
    customer.email_key, customer.phone_key = keys["email_key"], keys["phone_key"]
