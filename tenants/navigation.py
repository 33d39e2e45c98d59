"""The workspace navigation. Each app adds its entries in its ``AppConfig.ready()`` with
:func:`navigation_add` (tenants names no page of an app above it); the role decides who sees
them, ``position`` where they stand."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tenants.models import Membership
from tenants.permissions import Action, member_can


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    action: Action
    position: int  # lower first: home 0, complaints 10-19, surveys 30-39, team 90, settings 95


NAVIGATION = [
    NavItem(_("Home"), "home", Action.VIEW_WORKSPACE, 0),
    NavItem(_("Team"), "team", Action.VIEW_TEAM, 90),
    NavItem(_("Settings"), "settings", Action.VIEW_SETTINGS, 95),
]


def navigation_add(*items: NavItem) -> None:
    """Add an app's entries (once each, however often ``ready()`` runs)."""
    NAVIGATION.extend(item for item in items if item not in NAVIGATION)
    NAVIGATION.sort(key=lambda item: item.position)


def navigation_for(member: Membership, current_url_name: str | None) -> list[dict]:
    return [
        {
            "label": item.label,
            "url": reverse(item.url_name, kwargs={"tenant_slug": member.tenant.slug}),
            "is_current": item.url_name == current_url_name,
        }
        for item in NAVIGATION
        if member_can(member, item.action)
    ]
