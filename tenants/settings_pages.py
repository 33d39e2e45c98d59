"""The workspace's settings pages: one pattern for every app's settings.

* Each app adds its sections in its ``AppConfig.ready()`` with :func:`settings_section_add`
  (tenants names no page of an app above it), as it adds its navigation entries.
* Every settings view is wrapped in :func:`settings_page`: admins read and write, managers read
  (a write answers 403 and changes nothing), every other role gets 403, a non-member 404.
* A write is a service call taking the acting membership, audited in its transaction; the view
  only parses the form and shows a domain error on it (``show_application_error``).
* Templates extend ``settings/base.html`` (the section list beside the page) and render their
  forms with ``settings/form.html``, which disables the fields for a reader who may not write.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tenants.decorators import member_required
from tenants.errors import ApplicationError
from tenants.forms import show_application_error
from tenants.models import Membership
from tenants.permissions import Action, member_can, require

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class SettingsSection:
    label: str | Promise
    url_name: str  # takes only ``tenant_slug``
    position: int  # lower first: organisation 0-19, complaints 20-39, surveys 40-59


SETTINGS_SECTIONS: list[SettingsSection] = [
    SettingsSection(_("Organisation"), "settings-organisation", 0),
    SettingsSection(_("Members"), "settings-members", 10),
    SettingsSection(_("Brands"), "settings-brands", 12),
    SettingsSection(_("Touchpoints"), "settings-touchpoints", 14),
    SettingsSection(_("Departments"), "settings-departments", 16),
]


def settings_section_add(*sections: SettingsSection) -> None:
    """Add an app's sections (once each, however often ``ready()`` runs)."""
    SETTINGS_SECTIONS.extend(section for section in sections if section not in SETTINGS_SECTIONS)
    SETTINGS_SECTIONS.sort(key=lambda section: section.position)


def sections_for(member: Membership, path: str) -> list[dict]:
    """The section list, with the current one marked: the section whose address is the longest
    start of ``path`` (a brand's page is in "Brands", a closure's in "Organisation")."""
    sections = [
        {
            "label": each.label,
            "url": reverse(each.url_name, kwargs={"tenant_slug": member.tenant.slug}),
            "is_current": False,
        }
        for each in SETTINGS_SECTIONS
    ]
    current = [each for each in sections if path.startswith(each["url"])]
    if current:
        max(current, key=lambda each: len(each["url"]))["is_current"] = True
    return sections


def may_change_settings(member: Membership) -> bool:
    return member_can(member, Action.MANAGE_TENANT)


def settings_page(view: Callable) -> Callable:
    """A settings view: readable by those who may ``VIEW_SETTINGS``, written (any method but
    GET/HEAD/OPTIONS) only by those who may ``MANAGE_TENANT``. Sets ``request.can_edit``."""

    @member_required(Action.VIEW_SETTINGS)
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            require(request.member, Action.MANAGE_TENANT)
        request.can_edit = may_change_settings(request.member)
        return view(request, *args, **kwargs)

    return wrapper


def render_settings(
    request,
    template: str,
    context: dict | None = None,
    *,
    status: int = 200,
):
    """Render a settings page with the section list and whether the reader may write."""
    return render(
        request,
        template,
        {
            "settings_sections": sections_for(request.member, request.path),
            "can_edit": request.can_edit,
            **(context or {}),
        },
        status=status,
    )


def write(form, call) -> bool:
    """Call the service with the valid form's values; put a refusal on the form."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ApplicationError as error:
        show_application_error(form, error)
        return False
    return True


def saved(request, url_name: str, message: str, **kwargs):
    """After a write: say so, and go back to the page (a reload does not post again)."""
    messages.success(request, message)
    return redirect(url_name, tenant_slug=request.tenant.slug, **kwargs)
