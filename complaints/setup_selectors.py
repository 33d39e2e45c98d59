"""Reads of the complaint settings pages: the tenant's categories, root causes, SLA policies
and routing rules, one of them by id (another tenant's is the 404 of a missing one), and the
routing tester's answer."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from complaints import sla
from complaints.models import Category, Complaint, RootCause, RoutingRule, SlaPolicy
from complaints.selectors import complaint_settings
from complaints.services import Route, route_for
from tenants.calendar import calendar_for
from tenants.models import Brand, Membership, Touchpoint
from tenants.trees import tree_depth


def category_tree(tenant_id: int) -> list[Category]:
    """Every category, active or not, in tree order, each with its ``depth`` (0: top) and an
    ``indent`` of that many em spaces to print before its name."""
    categories = list(Category.objects.for_tenant(tenant_id).order_by("path"))
    for category in categories:
        category.depth = tree_depth(category.path)
        category.indent = "\u2003" * category.depth
    return categories


def category_or_404(member: Membership, category_id: int) -> Category:
    return get_object_or_404(Category.objects.for_tenant(member.tenant_id), pk=category_id)


def all_root_causes(tenant_id: int) -> QuerySet[RootCause]:
    """Active ones first, then the rest, each by name."""
    return RootCause.objects.for_tenant(tenant_id).order_by("-is_active", "name", "pk")


def root_cause_or_404(member: Membership, cause_id: int) -> RootCause:
    return get_object_or_404(RootCause.objects.for_tenant(member.tenant_id), pk=cause_id)


def sla_policies(tenant_id: int) -> QuerySet[SlaPolicy]:
    """Active ones first, then by name; with their brand and category."""
    return (
        SlaPolicy.objects.for_tenant(tenant_id)
        .select_related("brand", "category")
        .order_by("-is_active", "name", "pk")
    )


def sla_policy_or_404(member: Membership, policy_id: int) -> SlaPolicy:
    return get_object_or_404(SlaPolicy.objects.for_tenant(member.tenant_id), pk=policy_id)


def routing_rules(tenant_id: int) -> QuerySet[RoutingRule]:
    """In the order intake tries them, with what they name."""
    return (
        RoutingRule.objects.for_tenant(tenant_id)
        .select_related("brand", "touchpoint", "category", "department")
        .order_by("order", "pk")
    )


def routing_rule_or_404(member: Membership, routing_rule_id: int) -> RoutingRule:
    return get_object_or_404(RoutingRule.objects.for_tenant(member.tenant_id), pk=routing_rule_id)


@dataclass(frozen=True)
class RouteTrial:
    """Where a complaint with these details would go if it were filed now, and its SLA."""

    route: Route
    policy: SlaPolicy | None
    targets: sla.Targets
    warning_percent: int

    @property
    def target_hours(self) -> list[int]:
        """Acknowledgement, first response, resolution, in working hours."""
        return [
            round(target / timedelta(hours=1))
            for target in (
                self.targets.acknowledgement,
                self.targets.first_response,
                self.targets.resolution,
            )
        ]


def route_trial(
    member: Membership,
    *,
    brand: Brand,
    touchpoint: Touchpoint | None = None,
    category: Category | None = None,
    severity: str,
    text: str = "",
) -> RouteTrial:
    """Ask intake's own routing (``route_for``) and SLA choice (``sla.policy_for``) about a
    complaint that is not filed: nothing is written, the handler is the one who would be
    picked at this moment."""
    tenant = member.tenant
    draft = Complaint(
        tenant=tenant,
        brand=brand,
        touchpoint=touchpoint,
        category=category,
        severity=severity,
        subject="",
        description=text,
    )
    policy = sla.policy_for(draft)
    settings = complaint_settings(tenant.pk)
    return RouteTrial(
        route=route_for(draft),
        policy=policy,
        targets=sla.targets_for(policy, settings, calendar_for(tenant)),
        warning_percent=sla.warning_percent_of(policy, settings),
    )
