"""A tenant's admin sets up complaint handling: categories, root causes, the settings and the
priority matrix. (SLA policies: ``complaints.policies``; routing rules:
``complaints.routing_rules``.)

Every function takes the acting membership, refuses one who may not ``MANAGE_TENANT``, checks
the values (an :class:`ApplicationError` with a message per field) and records what changed in
the audit trail, in the transaction that changes it. A row of another tenant is
:class:`NotFound`, as if it did not exist.
"""

import re

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from complaints.models import Category, ComplaintSettings, Priority, RootCause, Severity
from complaints.services import category_create
from customers.models import Segment
from tenants.audit import audit_record, field_changes
from tenants.errors import ApplicationError, NotFound
from tenants.models import Membership
from tenants.permissions import Action, require

CODE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
CODE_LENGTH = 50
NAME_LENGTH = 200


def _own(actor: Membership, row, message: str):
    if row is None or row.tenant_id != actor.tenant_id:
        raise NotFound(message)
    return row


def _name_problems(name: str) -> list[str]:
    name = (name or "").strip()
    if not name:
        return [_("Give it a name.")]
    if len(name) > NAME_LENGTH:
        return [_("At most %(count)s characters.") % {"count": NAME_LENGTH}]
    return []


def _code_problems(model, actor: Membership, code: str) -> list[str]:
    if not CODE.match(code) or len(code) > CODE_LENGTH:
        return [
            _(
                "Lower-case letters, digits and single hyphens or underscores between them, "
                "at most %(count)s characters."
            )
            % {"count": CODE_LENGTH}
        ]
    if model.objects.for_tenant(actor.tenant_id).filter(code=code).exists():
        return [_("%(code)s is already taken: codes are unique.") % {"code": code}]
    return []


def _refuse_if(errors: dict, message: str) -> None:
    errors = {field: problems for field, problems in errors.items() if problems}
    if errors:
        raise ApplicationError(message, fields=errors)


def _taken(code: str) -> ApplicationError:
    # Two admins adding the same code at once: the unique constraint decides.
    return ApplicationError(
        _("It was not added."),
        fields={"code": [_("%(code)s is already taken: codes are unique.") % {"code": code}]},
    )


# --- categories (a tree) --------------------------------------------------------------------


@transaction.atomic
def category_add(
    *, actor: Membership, code: str, name: str, parent: Category | None = None
) -> Category:
    """Add a category at the top or under an active ``parent``; its code is unique in the
    tenant and never changes (reports and imports name categories by it)."""
    require(actor, Action.MANAGE_TENANT)
    code = (code or "").strip().lower()
    if parent is not None:
        _own(actor, parent, _("No such parent category."))
    errors = {
        "code": _code_problems(Category, actor, code),
        "name": _name_problems(name),
        "parent": [_("Choose an active parent category.")]
        if parent is not None and not parent.is_active
        else [],
    }
    _refuse_if(errors, _("The category was not added."))
    try:
        with transaction.atomic():
            return category_create(
                tenant=actor.tenant, actor=actor.user, code=code, name=name.strip(), parent=parent
            )
    except IntegrityError:
        raise _taken(code) from None


@transaction.atomic
def category_rename(*, actor: Membership, category: Category, name: str) -> Category:
    """Give a category another name (its complaints, rules and policies keep it)."""
    require(actor, Action.MANAGE_TENANT)
    _own(actor, category, _("No such category."))
    _refuse_if({"name": _name_problems(name)}, _("The category was not renamed."))
    category = Category.objects.for_tenant(actor.tenant_id).select_for_update().get(pk=category.pk)
    before, category.name = category.name, name.strip()
    if before != category.name:
        category.save(update_fields=["name"])
        audit_record(
            tenant=actor.tenant,
            actor=actor.user,
            action="category.renamed",
            target=category,
            changes={"name": [before, category.name]},
        )
    return category


@transaction.atomic
def category_set_active(*, actor: Membership, category: Category, is_active: bool) -> int:
    """Deactivate a category and every one below it (new complaints can no longer choose
    them; complaints, rules and policies that name them keep them), or activate one again,
    under an active parent. Returns how many categories changed."""
    require(actor, Action.MANAGE_TENANT)
    _own(actor, category, _("No such category."))
    categories = Category.objects.for_tenant(actor.tenant_id)
    category = categories.select_for_update().get(pk=category.pk)
    if is_active:
        if (
            category.parent_id
            and not categories.filter(pk=category.parent_id, is_active=True).exists()
        ):
            raise ApplicationError(_("Activate the category above it first."))
        changed = categories.filter(pk=category.pk, is_active=False)
    else:
        changed = categories.filter(path__startswith=category.path, is_active=True)
    codes = sorted(changed.values_list("code", flat=True))
    count = changed.update(is_active=is_active)
    if count:
        audit_record(
            tenant=actor.tenant,
            actor=actor.user,
            action="category.activated" if is_active else "category.deactivated",
            target=category,
            changes={"is_active": [not is_active, is_active], "categories": [None, codes]},
        )
    return count


# --- root causes (a list) -------------------------------------------------------------------


@transaction.atomic
def root_cause_add(*, actor: Membership, code: str, name: str) -> RootCause:
    """Add a root cause that resolutions can pick; its code is unique in the tenant."""
    require(actor, Action.MANAGE_TENANT)
    code = (code or "").strip().lower()
    errors = {"code": _code_problems(RootCause, actor, code), "name": _name_problems(name)}
    _refuse_if(errors, _("The root cause was not added."))
    try:
        with transaction.atomic():
            cause = RootCause.objects.create(tenant=actor.tenant, code=code, name=name.strip())
    except IntegrityError:
        raise _taken(code) from None
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="root_cause.created",
        target=cause,
        changes={"code": [None, code], "name": [None, cause.name]},
    )
    return cause


@transaction.atomic
def root_cause_rename(*, actor: Membership, cause: RootCause, name: str) -> RootCause:
    """Give a root cause another name (resolved complaints keep pointing at it)."""
    require(actor, Action.MANAGE_TENANT)
    _own(actor, cause, _("No such root cause."))
    _refuse_if({"name": _name_problems(name)}, _("The root cause was not renamed."))
    cause = RootCause.objects.for_tenant(actor.tenant_id).select_for_update().get(pk=cause.pk)
    before, cause.name = cause.name, name.strip()
    if before != cause.name:
        cause.save(update_fields=["name"])
        audit_record(
            tenant=actor.tenant,
            actor=actor.user,
            action="root_cause.renamed",
            target=cause,
            changes={"name": [before, cause.name]},
        )
    return cause


@transaction.atomic
def root_cause_set_active(*, actor: Membership, cause: RootCause, is_active: bool) -> bool:
    """Take a root cause off the resolution form (or put it back); whether it changed."""
    require(actor, Action.MANAGE_TENANT)
    _own(actor, cause, _("No such root cause."))
    changed = (
        RootCause.objects.for_tenant(actor.tenant_id)
        .filter(pk=cause.pk)
        .exclude(is_active=is_active)
        .update(is_active=is_active)
    )
    if changed:
        audit_record(
            tenant=actor.tenant,
            actor=actor.user,
            action="root_cause.activated" if is_active else "root_cause.deactivated",
            target=cause,
            changes={"is_active": [not is_active, is_active]},
        )
    return bool(changed)


# --- the settings and the priority matrix ---------------------------------------------------

# field: (lowest, highest) of the whole numbers it takes
SETTINGS_RANGES = {
    "reopen_window_days": (1, 365),
    "repeat_threshold": (2, 100),
    "repeat_window_days": (1, 3650),
    "acknowledgement_hours": (1, 24 * 365),
    "first_response_hours": (1, 24 * 365),
    "resolution_days": (1, 365),
    "warning_percent": (1, 99),
    "escalation_hours": (1, 24 * 30),
    "max_attachment_mb": (1, 100),
}
SETTINGS_TEXTS = {"internal_review": 5000, "external_body": 300}
SETTINGS_FLAGS = ("transfer_sideways",)
SETTINGS_FIELDS = (*SETTINGS_RANGES, *SETTINGS_TEXTS, *SETTINGS_FLAGS)


def largest_attachment_mb() -> int:
    """The largest attachment a request can carry: the request cap less 1 MB for the form's
    other fields and the multipart framing (``tenants.limits``)."""
    return django_settings.LOOPDESK_MAX_REQUEST_BYTES // (1024 * 1024) - 1


def _settings_problems(values: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, (lowest, highest) in SETTINGS_RANGES.items():
        value = values[field]
        if not isinstance(value, int) or not lowest <= value <= highest:
            errors[field] = [
                _("A whole number from %(lowest)s to %(highest)s.")
                % {"lowest": lowest, "highest": highest}
            ]
    for field, length in SETTINGS_TEXTS.items():
        text = values[field]
        if not text:
            errors[field] = [_("Customers read this in decisions: write it.")]
        elif len(text) > length:
            errors[field] = [_("At most %(count)s characters.") % {"count": length}]
    for field in SETTINGS_FLAGS:
        if not isinstance(values[field], bool):
            errors[field] = [_("Yes or no.")]
    if not errors and values["acknowledgement_hours"] > values["first_response_hours"]:
        errors["first_response_hours"] = [
            _("The first response cannot be due before the acknowledgement.")
        ]
    most_mb = largest_attachment_mb()
    if "max_attachment_mb" not in errors and values["max_attachment_mb"] > most_mb:
        errors["max_attachment_mb"] = [
            _(
                "At most %(most)s MB: the server takes no larger requests "
                "(LOOPDESK_MAX_REQUEST_BYTES)."
            )
            % {"most": most_mb}
        ]
    return errors


def _settings_for_update(actor: Membership) -> ComplaintSettings:
    # The row is made by its first save (reading never writes); the unique constraint on the
    # tenant makes two first saves at once one row.
    row, _created = (
        ComplaintSettings.objects.for_tenant(actor.tenant_id)
        .select_for_update()
        .get_or_create(tenant_id=actor.tenant_id)
    )
    return row


@transaction.atomic
def complaint_settings_update(*, actor: Membership, **values) -> ComplaintSettings:
    """Change the tenant's complaint settings (``SETTINGS_FIELDS``: reopen window, repeat
    complainant threshold and window, the default SLA targets, warning share, escalation
    interval, recourse texts, largest attachment, sideways transfers). Clocks already running
    keep their due times; audited with what changed."""
    require(actor, Action.MANAGE_TENANT)
    if set(values) != set(SETTINGS_FIELDS):
        raise TypeError(f"complaint settings take exactly {sorted(SETTINGS_FIELDS)}")
    for field in SETTINGS_TEXTS:
        values[field] = (values[field] or "").strip()
    _refuse_if(_settings_problems(values), _("The settings were not saved."))
    row = _settings_for_update(actor)
    before = {field: getattr(row, field) for field in SETTINGS_FIELDS}
    changes = field_changes(before, values)
    if changes:
        for field, value in values.items():
            setattr(row, field, value)
        row.save(update_fields=list(changes))
        audit_record(
            tenant=actor.tenant,
            actor=actor.user,
            action="complaint_settings.changed",
            target=row,
            changes=changes,
        )
    return row


def priority_matrix_of(row: ComplaintSettings) -> dict[str, dict[str, int]]:
    """Every cell of the severity × customer segment matrix, the tenant's or the default."""
    return {
        severity: {segment: row.priority_for(severity, segment) for segment in Segment.values}
        for severity in Severity.values
    }


@transaction.atomic
def priority_matrix_update(
    *, actor: Membership, matrix: dict[str, dict[str, int]]
) -> ComplaintSettings:
    """Set the priority (1 urgent … 4 low) a new complaint gets for each severity and the
    customer's segment; every cell must be given. Complaints already filed keep theirs."""
    require(actor, Action.MANAGE_TENANT)
    errors = {}
    for severity in Severity.values:
        for segment in Segment.values:
            value = (matrix.get(severity) or {}).get(segment)
            if value not in Priority.values:
                errors[f"{severity}__{segment}"] = [_("Choose a priority.")]
    _refuse_if(errors, _("The priority matrix was not saved."))
    wanted = {
        severity: {segment: int(matrix[severity][segment]) for segment in Segment.values}
        for severity in Severity.values
    }
    row = _settings_for_update(actor)
    before = priority_matrix_of(row)
    if wanted != before:
        # Stored whole: the default may change without moving a tenant's chosen cells.
        row.priority_matrix = wanted
        row.save(update_fields=["priority_matrix"])
        cells = {
            f"{severity}/{segment}": [before[severity][segment], priority]
            for severity, row_ in wanted.items()
            for segment, priority in row_.items()
            if before[severity][segment] != priority
        }
        audit_record(
            tenant=actor.tenant,
            actor=actor.user,
            action="priority_matrix.changed",
            target=row,
            changes=cells,
        )
    return row
