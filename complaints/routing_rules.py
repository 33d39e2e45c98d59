"""A tenant's admin writes the routing rules: which department a new complaint goes to, and
how a handler is picked there. Intake reads them (``complaints.services.route_for``, the one
place a rule is matched); the settings page's tester asks that same function.

Rules are tried by ``order`` (then by id); the first active one whose conditions all hold
decides. Every write takes the acting membership, is checked and is audited.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from complaints.models import Category, RoutingRule, Severity
from tenants.audit import audit_record, field_changes
from tenants.errors import ApplicationError, NotFound
from tenants.models import Brand, Department, Membership, Touchpoint
from tenants.permissions import Action, require

MAX_ORDER = 32767
ORDER_STEP = 10  # the gap left between rules when they are renumbered


def keywords_normalised(keywords: str) -> str:
    """ "Glass,  windscreen ,," → "glass, windscreen": how a rule's words are stored."""
    words = [word.strip().lower() for word in (keywords or "").split(",")]
    return ", ".join(dict.fromkeys(word for word in words if word))


def _state(rule: RoutingRule) -> dict:
    return {
        "name": rule.name,
        "order": rule.order,
        "brand": rule.brand_id,
        "touchpoint": rule.touchpoint_id,
        "category": rule.category_id,
        "severity": rule.severity,
        "keywords": rule.keywords,
        "department": rule.department_id,
        "strategy": rule.strategy,
        "is_active": rule.is_active,
    }


def _problems(actor: Membership, values: dict, rule: RoutingRule | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not values["name"]:
        errors["name"] = [_("Give the rule a name.")]
    for field in ("brand", "touchpoint", "category", "department"):
        related = values[field]
        if related is not None and related.tenant_id != actor.tenant_id:
            errors[field] = [_("Choose one of this organisation.")]
    department = values["department"]
    if department is None:
        errors["department"] = [_("Choose the department that gets the complaints.")]
    elif not department.is_active and (rule is None or rule.department_id != department.pk):
        errors["department"] = [_("That department is closed: it receives no complaints.")]
    if values["severity"] and values["severity"] not in Severity.values:
        errors["severity"] = [_("Choose a severity.")]
    if values["strategy"] not in RoutingRule.Strategy.values:
        errors["strategy"] = [_("Choose how a handler is picked.")]
    order = values["order"]
    if not isinstance(order, int) or not 0 <= order <= MAX_ORDER:
        errors["order"] = [_("Between %(low)s and %(high)s.") % {"low": 0, "high": MAX_ORDER}]
    if len(values["keywords"]) > RoutingRule._meta.get_field("keywords").max_length:
        errors["keywords"] = [_("Too many words: at most 500 characters.")]
    return errors


@transaction.atomic
def routing_rule_save(
    *,
    actor: Membership,
    name: str,
    department: Department | None,
    strategy: str = RoutingRule.Strategy.LEAST_OPEN,
    order: int = 100,
    brand: Brand | None = None,
    touchpoint: Touchpoint | None = None,
    category: Category | None = None,
    severity: str = "",
    keywords: str = "",
    is_active: bool = True,
    rule: RoutingRule | None = None,
) -> RoutingRule:
    """Create a rule (``rule`` None) or change one (deactivating it with ``is_active=False``).

    Conditions left empty match anything; a rule without any condition catches every
    complaint that reaches it. Audited with what changed.
    """
    require(actor, Action.MANAGE_TENANT)
    if rule is not None and rule.tenant_id != actor.tenant_id:
        raise NotFound(_("No such routing rule."))
    values = {
        "name": (name or "").strip()[:200],
        "order": order,
        "brand": brand,
        "touchpoint": touchpoint,
        "category": category,
        "severity": severity or "",
        "keywords": keywords_normalised(keywords),
        "department": department,
        "strategy": strategy,
        "is_active": bool(is_active),
    }
    errors = _problems(actor, values, rule)
    if errors:
        raise ApplicationError(_("The routing rule was not saved."), fields=errors)
    if rule is not None:
        rule = RoutingRule.objects.for_tenant(actor.tenant_id).select_for_update().get(pk=rule.pk)
    before = _state(rule) if rule is not None else {}
    rule = rule or RoutingRule(tenant_id=actor.tenant_id)
    for field, value in values.items():
        setattr(rule, field, value)
    created = rule.pk is None
    changes = field_changes(before, _state(rule))
    if created or changes:
        rule.save()
        audit_record(
            tenant=actor.tenant,
            actor=actor.user,
            action="routing_rule.created" if created else "routing_rule.changed",
            target=rule,
            changes=changes,
        )
    return rule


@transaction.atomic
def routing_rule_move(*, actor: Membership, rule: RoutingRule, offset: int) -> RoutingRule:
    """Move a rule ``offset`` places up (negative) or down in the order rules are tried.

    The tenant's rules are renumbered 10, 20, 30… in their new order (rules with the same
    order number are told apart by id, which a user cannot see), so the move is what the list
    shows. Moving the first rule up or the last down changes nothing.
    """
    require(actor, Action.MANAGE_TENANT)
    if rule.tenant_id != actor.tenant_id:
        raise NotFound(_("No such routing rule."))
    rules = list(
        RoutingRule.objects.for_tenant(actor.tenant_id).select_for_update().order_by("order", "pk")
    )
    position = next(index for index, each in enumerate(rules) if each.pk == rule.pk)
    target = min(max(position + offset, 0), len(rules) - 1)
    if target == position:
        return rules[position]
    moved = rules.pop(position)
    rules.insert(target, moved)
    before = moved.order
    for index, each in enumerate(rules, start=1):
        number = min(index * ORDER_STEP, MAX_ORDER)
        if each.order != number:
            each.order = number
            each.save(update_fields=["order"])
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="routing_rule.moved",
        target=moved,
        changes={"order": [before, moved.order], "position": [position + 1, target + 1]},
    )
    return moved
