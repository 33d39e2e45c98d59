"""The workspace navigation. Each app adds its entries here; the role decides who sees them."""

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


NAVIGATION = [
    NavItem(_("Home"), "home", Action.VIEW_WORKSPACE),
    NavItem(_("Complaints"), "complaint-queue", Action.VIEW_COMPLAINTS),
    NavItem(_("Corrective actions"), "corrective-action-list", Action.VIEW_COMPLAINTS),
    NavItem(_("Surveys"), "survey-list", Action.VIEW_SURVEYS),
    NavItem(_("Responses"), "response-list", Action.VIEW_SURVEYS),
    NavItem(_("Follow-ups"), "follow-up-list", Action.VIEW_SURVEYS),
    NavItem(_("Interactions"), "interaction-list", Action.VIEW_SURVEYS),
    NavItem(_("Team"), "team", Action.VIEW_TEAM),
]


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
