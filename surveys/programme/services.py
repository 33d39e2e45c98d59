"""The survey programme's one writer: an admin changes it, audited with what changed."""

from django.db import transaction
from django.utils.translation import gettext as _

from surveys.models import SurveySettings
from tenants.audit import audit_record, field_changes
from tenants.errors import ApplicationError
from tenants.models import Membership
from tenants.permissions import Action, require

PROGRAMME_FIELDS = (
    "throttle_days",
    "max_event_age_hours",
    "follow_up_critics_without_comment",
    "response_rate_low_percent",
    "response_rate_high_percent",
    "csat_target_percent",
)
MAX_THROTTLE_DAYS = 365
# A week: an event older than that is history, not a service to ask about.
MAX_EVENT_AGE_HOURS = 168
PERCENT_FIELDS = ("response_rate_low_percent", "response_rate_high_percent", "csat_target_percent")


def programme_values(programme: SurveySettings) -> dict:
    """The programme's settings as plain values, by field name."""
    return {name: getattr(programme, name) for name in PROGRAMME_FIELDS}


def _problems(values: dict) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}

    def within(name: str, low: int, high: int, message: str) -> bool:
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            problems[name] = [message]
            return False
        return True

    within(
        "throttle_days",
        0,
        MAX_THROTTLE_DAYS,
        _("Between 0 and %(days)s days.") % {"days": MAX_THROTTLE_DAYS},
    )
    within(
        "max_event_age_hours",
        1,
        MAX_EVENT_AGE_HOURS,
        _("Between 1 hour and %(hours)s hours (a week).") % {"hours": MAX_EVENT_AGE_HOURS},
    )
    in_range = [within(name, 0, 100, _("Between 0 and 100 %.")) for name in PERCENT_FIELDS]
    if (
        all(in_range[:2])
        and values["response_rate_low_percent"] >= values["response_rate_high_percent"]
    ):
        problems["response_rate_high_percent"] = [
            _("The highest response rate of the norm must be above the lowest.")
        ]
    if not isinstance(values["follow_up_critics_without_comment"], bool):
        problems["follow_up_critics_without_comment"] = [_("Yes or no.")]
    return problems


@transaction.atomic
def survey_settings_update(*, actor: Membership, **values) -> SurveySettings:
    """Change the survey programme of ``actor``'s tenant (any of ``PROGRAMME_FIELDS``; the
    others stay as they are). Admins only; audited with what changed. The first save creates
    the tenant's row. Decisions already taken stay as they were: a new throttle or maximum age
    applies to the interactions recorded from now on."""
    require(actor, Action.MANAGE_TENANT)
    unknown = set(values) - set(PROGRAMME_FIELDS)
    if unknown:
        raise TypeError(f"not survey programme settings: {sorted(unknown)}")
    # Locked first (a refusal rolls back the row it may have created): the values not given
    # are checked together with the given ones as they are now.
    programme, _created = (
        SurveySettings.objects.for_tenant(actor.tenant_id)
        .select_for_update()
        .get_or_create(tenant_id=actor.tenant_id)
    )
    merged = {**programme_values(programme), **values}
    problems = _problems(merged)
    if problems:
        raise ApplicationError(_("The survey programme was not saved: see below."), fields=problems)
    changes = field_changes(programme_values(programme), merged)
    if changes:
        for name, value in merged.items():
            setattr(programme, name, value)
        programme.save(update_fields=list(changes))
        audit_record(
            tenant=actor.tenant,
            actor=actor.user,
            action="survey_settings.changed",
            target=programme,
            changes=changes,
        )
    return programme
