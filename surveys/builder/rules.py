"""The survey rules: which interactions get which survey, after what delay, in what sample.

Written by managers like the rest of the builder (``MANAGE_SURVEYS``, audited); read by the
decision taken when an interaction is recorded (``interactions.recording.matching_rule``).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from surveys.builder.publishing import require_manager
from surveys.models import Interaction, Survey, SurveyRule, survey_settings_for
from tenants.audit import audit_record, field_changes
from tenants.errors import ApplicationError
from tenants.models import Brand, Membership, Touchpoint
from tenants.permissions import Action, require

MAX_ORDER = 32767


def _clean_rule(
    actor: Membership,
    *,
    survey: Survey,
    brand: Brand | None,
    touchpoint: Touchpoint | None,
    source: str,
    delay_minutes: int,
    sample_percent: int,
    order: int,
    is_active: bool,
) -> dict:
    errors: dict[str, list[str]] = {}
    tenant_id = actor.tenant_id
    if survey is None or survey.tenant_id != tenant_id:
        errors["survey"] = [_("Choose a survey of this organisation.")]
    if brand is not None and brand.tenant_id != tenant_id:
        errors["brand"] = [_("Choose a brand of this organisation.")]
    if touchpoint is not None and touchpoint.tenant_id != tenant_id:
        errors["touchpoint"] = [_("Choose a touchpoint of this organisation.")]
    source = source or ""
    if source and source not in Interaction.Source.values:
        errors["source"] = [_("Unknown source.")]
    max_delay = max_delay_minutes(tenant_id)
    checks = (
        ("delay_minutes", delay_minutes, 0, max_delay),
        ("sample_percent", sample_percent, 0, 100),
        ("order", order, 0, MAX_ORDER),
    )
    for name, value, low, high in checks:
        if not isinstance(value, int) or not low <= value <= high:
            errors[name] = [_("Between %(low)s and %(high)s.") % {"low": low, "high": high}]
    if "delay_minutes" in errors:
        errors["delay_minutes"].append(
            _(
                "Surveys go out no later than %(hours)s hours (%(minutes)s minutes) after the "
                "event: the survey programme's maximum age of an event."
            )
            % {"hours": max_delay // 60, "minutes": max_delay}
        )
    if errors:
        raise ApplicationError(_("The rule was not saved: see below."), fields=errors)
    return {
        "survey": survey,
        "brand": brand,
        "touchpoint": touchpoint,
        "source": source,
        "delay_minutes": delay_minutes,
        "sample_percent": sample_percent,
        "order": order,
        "is_active": bool(is_active),
    }


def max_delay_minutes(tenant) -> int:
    """A rule's longest delay: the programme's maximum age of an event (a longer one would
    only be cut to it by the decision)."""
    return survey_settings_for(tenant).max_event_age_hours * 60


def _rule_state(fields: dict) -> dict:
    """Audit-friendly values: ids rather than objects."""
    return {
        name: getattr(value, "pk", value) if name in ("survey", "brand", "touchpoint") else value
        for name, value in fields.items()
    }


def rule_fields(rule: SurveyRule) -> dict:
    """A rule's settings as plain values (ids for the related rows)."""
    return {
        "survey": rule.survey_id,
        "brand": rule.brand_id,
        "touchpoint": rule.touchpoint_id,
        "source": rule.source,
        "delay_minutes": rule.delay_minutes,
        "sample_percent": rule.sample_percent,
        "order": rule.order,
        "is_active": rule.is_active,
    }


@transaction.atomic
def rule_create(
    *,
    actor: Membership,
    survey: Survey,
    brand: Brand | None = None,
    touchpoint: Touchpoint | None = None,
    source: str = "",
    delay_minutes: int = 60,
    sample_percent: int = 100,
    order: int = 100,
    is_active: bool = True,
) -> SurveyRule:
    """Send ``survey`` after the interactions that match brand, touchpoint and source (empty:
    any), ``delay_minutes`` after the event, to ``sample_percent`` % of them. Lower ``order``
    is tried first."""
    require(actor, Action.MANAGE_SURVEYS)
    fields = _clean_rule(
        actor,
        survey=survey,
        brand=brand,
        touchpoint=touchpoint,
        source=source,
        delay_minutes=delay_minutes,
        sample_percent=sample_percent,
        order=order,
        is_active=is_active,
    )
    rule = SurveyRule.objects.create(tenant_id=actor.tenant_id, **fields)
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="survey_rule.created",
        target=rule,
        changes={name: [None, value] for name, value in _rule_state(fields).items()},
    )
    return rule


@transaction.atomic
def rule_update(
    *,
    actor: Membership,
    rule: SurveyRule,
    survey: Survey,
    brand: Brand | None,
    touchpoint: Touchpoint | None,
    source: str,
    delay_minutes: int,
    sample_percent: int,
    order: int,
    is_active: bool,
) -> SurveyRule:
    """Change a rule; the arguments are those of ``rule_create``."""
    require_manager(actor, rule.tenant_id)
    fields = _clean_rule(
        actor,
        survey=survey,
        brand=brand,
        touchpoint=touchpoint,
        source=source,
        delay_minutes=delay_minutes,
        sample_percent=sample_percent,
        order=order,
        is_active=is_active,
    )
    rules = SurveyRule.objects.for_tenant(rule.tenant_id)
    rule = rules.select_for_update().get(pk=rule.pk)
    changes = field_changes(rule_fields(rule), _rule_state(fields))
    if changes:
        rules.filter(pk=rule.pk).update(**fields)
        for name, value in fields.items():
            setattr(rule, name, value)
        audit_record(
            tenant=actor.tenant,
            actor=actor.user,
            action="survey_rule.changed",
            target=rule,
            changes=changes,
        )
    return rule


@transaction.atomic
def rule_delete(*, actor: Membership, rule: SurveyRule) -> None:
    """Remove a rule. Invitations it already scheduled stay."""
    require_manager(actor, rule.tenant_id)
    rules = SurveyRule.objects.for_tenant(rule.tenant_id)
    rule = rules.select_for_update().filter(pk=rule.pk).first()
    if rule is None:
        return  # someone removed it a moment ago
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="survey_rule.deleted",
        target=rule,
        changes={name: [value, None] for name, value in rule_fields(rule).items()},
    )
    rules.filter(pk=rule.pk).delete()
