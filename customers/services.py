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
    """The customer with this email, or with this phone when no email is given; created
    if there is none.

    An email decides on its own: given and unknown, it is a new customer, even when another
    customer has the same phone (a household or an office shares one; filing the complaint
    under that other person would send them its receipt and its access link). A phone alone
    finds the earliest customer with it. With ``learn`` (staff intake only) a customer found by
    email learns a phone it did not have, unless another customer has it. Unauthenticated
    channels never add a contact to an existing customer: whoever knows an email address could
    otherwise attach their own phone to it and open that customer's complaints.
    """
    keys = contact_keys(tenant=tenant, email=email, phone=phone)
    if not any(keys.values()):
        raise ApplicationError(
            _("Give an email address or a phone number so we can answer you."),
            fields={"email": [_("An email address or a phone number is needed.")]},
        )
    customers = Customer.objects.for_tenant(tenant).select_for_update()
    key = "email_key" if keys["email_key"] else "phone_key"
    customer = customers.filter(**{key: keys[key]}).order_by("pk").first()
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
    # Learn the phone the customer did not tell before, unless it is another customer's (a
    # customer found by phone was given no email to learn).
    if (
        learn
        and keys["phone_key"]
        and not customer.phone_key
        and not customers.filter(phone_key=keys["phone_key"]).exists()
    ):
        learned = {"phone": phone.strip(), "phone_key": keys["phone_key"]}
        Customer.objects.for_tenant(tenant).filter(pk=customer.pk).update(**learned)
        customer.refresh_from_db()
    return customer


def customer_keys_refresh(*, customer: Customer) -> None:
    """Recompute ``customer``'s keys from its contacts (after an edit in the admin)."""
    keys = contact_keys(tenant=customer.tenant, email=customer.email, phone=customer.phone)
    customer.email_key, customer.phone_key = keys["email_key"], keys["phone_key"]
