"""The tenant models' validators and defaults (referenced by the migrations through
``tenants.models``, which imports them)."""

import functools
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# First path segments the site itself uses; a tenant may not take one as its slug.
RESERVED_SLUGS = frozenset(
    {"accounts", "admin", "api", "c", "healthz", "i18n", "media", "s", "static", "workspaces"}
)
# Brand slugs share /c/<tenant>/ with the status pages.
RESERVED_BRAND_SLUGS = frozenset({"status"})


@functools.cache
def known_time_zones() -> frozenset[str]:
    """The zones of this machine's tz database (read from disk once per process)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in known_time_zones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def time_zone_choices() -> list[tuple[str, str]]:
    """Every zone this machine's tz database knows, for the admin's select (not the model's
    ``choices``: a tzdata update would otherwise change a migration)."""
    return [(name, name) for name in sorted(known_time_zones())]


def validate_tenant_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("“%(value)s” is reserved."), params={"value": value})


def default_working_hours() -> dict:
    return {str(day): ["09:00-17:00"] for day in range(5)}


def validate_brand_slug(value: str) -> None:
    if value in RESERVED_BRAND_SLUGS:
        raise ValidationError(_("“%(value)s” is reserved."), params={"value": value})
