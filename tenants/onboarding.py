"""A new tenant and its first admin, made by the platform's operator (``manage.py
tenant_create`` or the superuser admin's "add tenant" form): no superuser is needed after it.

The admin's account is created if the address has none, without a usable password; the
invitation email (through the outbox: ``tenants.members``) lets them choose one and sign in.
"""

import holidays
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.utils.translation import gettext as _

from tenants import rls
from tenants.audit import audit_record
from tenants.errors import ApplicationError
from tenants.members import invitation_issue, normalised_email, user_with_email
from tenants.models import (
    MemberInvitation,
    Role,
    Tenant,
    known_time_zones,
    validate_tenant_slug,
)
from tenants.services import membership_grant

# What the first member is: the one who may manage the tenant (data granted, not a check).
FIRST_ROLE = Role.ADMIN


def tenant_problems(*, name, slug, admin_email, country, time_zone, language) -> dict:
    """Field errors of a new tenant's values (empty: fine); the admin's add form shows them."""
    problems = {}
    if not name:
        problems["name"] = [_("Give the organisation a name.")]
    try:
        validate_slug(slug)
        validate_tenant_slug(slug)
    except ValidationError as error:
        problems["slug"] = list(error.messages)
    else:
        if Tenant.objects.filter(slug=slug).exists():
            problems["slug"] = [_("This address is taken by another workspace.")]
    try:
        validate_email(admin_email)
    except ValidationError:
        problems["admin_email"] = [_("Enter a valid email address.")]
    if country not in holidays.list_supported_countries():
        problems["country"] = [_("No public holidays are known for this country code.")]
    if time_zone not in known_time_zones():
        problems["time_zone"] = [_("%(value)s is not a known time zone.") % {"value": time_zone}]
    if language not in dict(settings.LANGUAGES):
        problems["default_language"] = [_("Choose one of the site's languages.")]
    return problems


@transaction.atomic
def tenant_create(
    *,
    actor: AbstractBaseUser | None,
    name: str,
    slug: str,
    admin_email: str,
    country: str = "GR",
    time_zone: str = "Europe/Athens",
    language: str = "en",
) -> tuple[Tenant, MemberInvitation]:
    """Create the tenant, make ``admin_email`` its admin and email them an invitation to set
    their password; audited in the new tenant's trail. ``actor``: the superuser, or None for
    the command line."""
    name, slug, country = (name or "").strip(), (slug or "").strip(), (country or "").upper()
    admin_email = normalised_email(admin_email)
    problems = tenant_problems(
        name=name,
        slug=slug,
        admin_email=admin_email,
        country=country,
        time_zone=time_zone,
        language=language,
    )
    if problems:
        raise ApplicationError(_("The workspace cannot be created."), fields=problems)
    tenant = Tenant.objects.create(
        name=name, slug=slug, country=country, time_zone=time_zone, default_language=language
    )
    user = user_with_email(admin_email)
    if user is None:
        user = get_user_model()(username=admin_email, email=admin_email)
        user.set_unusable_password()
        user.save()
    with rls.tenant(tenant):
        audit_record(
            tenant=tenant,
            actor=actor,
            action="tenant.created",
            target=tenant,
            changes={"slug": [None, slug], "name": [None, name], "admin": [None, admin_email]},
        )
        membership_grant(tenant=tenant, actor=actor, user=user, role=FIRST_ROLE)
        invitation = invitation_issue(
            tenant=tenant, actor=actor, email=admin_email, role=FIRST_ROLE, department=None
        )
    return tenant, invitation
