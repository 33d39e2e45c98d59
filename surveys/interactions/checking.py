"""Reading and checking an import file: every row validated, every problem reported.

Row numbers are the spreadsheet's: the column names are row 1, blank rows count.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from surveys.interactions.reading import (
    COLUMNS,
    cell_at,
    column_positions,
    file_error,
    read_records,
)
from surveys.models import Interaction
from tenants.models import Brand, Membership, Tenant, Touchpoint
from tenants.permissions import Action, require

# A clock a little ahead of ours is not an event from the future.
FUTURE_TOLERANCE = timedelta(minutes=5)

REQUIRED_COLUMNS = ("external_reference", "occurred_at")
CONTACT_COLUMNS = ("customer_email", "customer_phone")
LANGUAGES = {code for code, _name in settings.LANGUAGES}
REFERENCE_MAX_LENGTH = Interaction._meta.get_field("external_reference").max_length
NAME_MAX_LENGTH = Customer._meta.get_field("name").max_length
PHONE_MAX_LENGTH = Customer._meta.get_field("phone").max_length
EMAIL_MAX_LENGTH = Customer._meta.get_field("email").max_length
PHONE = re.compile(r"\+?[\d\s().\-/]+")
DATE_ONLY = re.compile(r"\d{4}-?\d{2}-?\d{2}")


class RowError(NamedTuple):
    row: int
    column: str  # "" when the problem is the row as a whole
    message: str
    value: str = ""


@dataclass(frozen=True)
class ImportRow:
    """One valid row, resolved to the workspace's brand, touchpoint and performer."""

    row: int
    external_reference: str
    occurred_at: datetime
    brand: Brand
    touchpoint: Touchpoint | None
    email: str
    phone: str
    name: str
    language: str
    performer: Membership | None


@dataclass(frozen=True)
class AlreadyImported:
    row: int
    external_reference: str
    decision: str

    @property
    def decision_label(self) -> str:
        return Interaction.Decision(self.decision).label


@dataclass
class Check:
    """What a file holds: rows to import, rows imported before, and every problem."""

    row_count: int
    rows: list[ImportRow] = field(default_factory=list)
    already_imported: list[AlreadyImported] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    delimiter: str = ","

    @property
    def error_row_count(self) -> int:
        return len({error.row for error in self.errors})


# --- what the names in the file refer to ----------------------------------------------------


class _Lookups:
    """The workspace's active brands, touchpoints and members, by the names a file uses."""

    def __init__(self, tenant: Tenant):
        brands = list(Brand.objects.for_tenant(tenant).filter(is_active=True).order_by("name"))
        self.brand_count = len(brands)
        self.only_brand = brands[0] if len(brands) == 1 else None
        self.brands: dict[str, list[Brand]] = {}
        for brand in brands:
            # A prefix is unique and tried first; names are not unique.
            self.brands.setdefault(f"prefix:{brand.reference_prefix.upper()}", []).append(brand)
            self.brands.setdefault(f"name:{brand.name.strip().lower()}", []).append(brand)
        self.touchpoints: dict[str, list[Touchpoint]] = {}
        for touchpoint in Touchpoint.objects.for_tenant(tenant).filter(is_active=True):
            self.touchpoints.setdefault(f"code:{touchpoint.code.lower()}", []).append(touchpoint)
            self.touchpoints.setdefault(f"name:{touchpoint.name.strip().lower()}", []).append(
                touchpoint
            )
        self.members: dict[str, list[Membership]] = {}
        members = (
            Membership.objects.for_tenant(tenant).filter(is_active=True).select_related("user")
        )
        for member in members:
            if member.user.email:
                self.members.setdefault(f"email:{member.user.email.lower()}", []).append(member)
            if member.external_code:
                self.members.setdefault(f"code:{member.external_code.lower()}", []).append(member)

    @staticmethod
    def _find(table: dict, keys: list[str]) -> list:
        for key in keys:
            if key in table:
                return table[key]
        return []

    def brand(self, value: str) -> list[Brand]:
        return self._find(self.brands, [f"prefix:{value.upper()}", f"name:{value.lower()}"])

    def touchpoint(self, value: str) -> list[Touchpoint]:
        return self._find(self.touchpoints, [f"code:{value.lower()}", f"name:{value.lower()}"])

    def member(self, value: str) -> list[Membership]:
        return self._find(self.members, [f"email:{value.lower()}", f"code:{value.lower()}"])


def _already_imported(tenant: Tenant, references: set[str]) -> dict[str, str]:
    """Reference → decision of the IMPORT interactions among ``references``."""
    found, ordered = {}, sorted(references)
    for start in range(0, len(ordered), 500):
        found.update(
            Interaction.objects.for_tenant(tenant)
            .filter(
                source=Interaction.Source.IMPORT,
                external_reference__in=ordered[start : start + 500],
            )
            .values_list("external_reference", "decision")
        )
    return found


# --- checking every row ---------------------------------------------------------------------


def import_check(*, actor: Membership, text: str, now: datetime | None = None) -> Check:
    """Validate every row of the CSV ``text`` for ``actor``'s workspace; write nothing.

    Raises ApplicationError (code ``bad_file``, field ``file``) for a problem of the whole
    file: unreadable, too many rows, a required column missing. A problem of one row is a
    :class:`RowError` in the result, and the other rows are still checked.
    """
    require(actor, Action.MANAGE_SURVEYS)
    tenant = actor.tenant
    now = now or timezone.now()
    header, records, delimiter = read_records(text)
    columns, ignored = column_positions(header, records)
    lookups = _Lookups(tenant)
    _requirecolumn_positions(columns, lookups)
    check = Check(row_count=len(records), ignored_columns=ignored, delimiter=delimiter)
    reference_index = columns["external_reference"]
    existing = _already_imported(
        tenant, {cell_at(cells, reference_index) for _number, cells in records} - {""}
    )
    first_row_of: dict[str, int] = {}
    context = _RowContext(
        columns=columns,
        width=len(header),
        lookups=lookups,
        zone=ZoneInfo(tenant.time_zone),
        default_language=tenant.default_language,
        now=now,
    )
    for number, cells in records:
        reference = cell_at(cells, reference_index)
        if reference in existing:
            check.already_imported.append(AlreadyImported(number, reference, existing[reference]))
            continue
        row, errors = _check_row(number, cells, context)
        if reference:
            if reference in first_row_of:
                errors.insert(
                    0,
                    RowError(
                        number,
                        "external_reference",
                        _("Also on row %(row)s: each reference is imported once.")
                        % {"row": first_row_of[reference]},
                        reference,
                    ),
                )
                row = None
            else:
                first_row_of[reference] = number
        if row is not None:
            check.rows.append(row)
        check.errors.extend(errors)
    return check


def _requirecolumn_positions(columns: dict[str, int], lookups: _Lookups) -> None:
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            raise file_error(
                _(
                    "The file has no “%(name)s” column. Its first row must name the columns: "
                    "see the list on this page."
                )
                % {"name": name}
            )
    if not any(name in columns for name in CONTACT_COLUMNS):
        raise file_error(
            _("The file needs a “customer_email” or a “customer_phone” column, or both.")
        )
    if lookups.brand_count == 0:
        raise file_error(_("This workspace has no active brand: add one before importing."))
    if lookups.brand_count > 1 and "brand" not in columns:
        raise file_error(_("This workspace has several brands: the file needs a “brand” column."))


@dataclass(frozen=True)
class _RowContext:
    columns: dict[str, int]
    width: int
    lookups: _Lookups
    zone: ZoneInfo
    default_language: str
    now: datetime


def _check_row(
    number: int, cells: list[str], context: _RowContext
) -> tuple[ImportRow | None, list[RowError]]:
    """The row resolved, or None and its problems (every one of them, not just the first)."""
    values = {name: cell_at(cells, index) for name, index in context.columns.items()}
    values.update({name: "" for name in COLUMNS if name not in values})
    errors: list[RowError] = []

    def problem(column: str, message: str) -> None:
        errors.append(RowError(number, column, message, values.get(column, "")))

    if any(cell.strip() for cell in cells[context.width :]):
        problem("", _("This row has more cells than the first row has column names."))

    reference = values["external_reference"]
    if not reference:
        problem("external_reference", _("Needed."))
    elif len(reference) > REFERENCE_MAX_LENGTH:
        problem(
            "external_reference",
            _("At most %(count)s characters.") % {"count": REFERENCE_MAX_LENGTH},
        )

    occurred_at = _occurred_at(values["occurred_at"], context, problem)
    brand = _one(values["brand"], "brand", context.lookups.brand, problem)
    if not values["brand"]:
        brand = context.lookups.only_brand
        if brand is None:
            problem("brand", _("Needed: this workspace has several brands."))
    touchpoint = _one(values["touchpoint"], "touchpoint", context.lookups.touchpoint, problem)
    performer = _one(values["performer"], "performer", context.lookups.member, problem)

    email, phone = values["customer_email"], values["customer_phone"]
    if not email and not phone:
        problem("customer_email", _("An email address or a phone number is needed."))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problem("customer_email", _("Not an email address."))
        else:
            if len(email) > EMAIL_MAX_LENGTH:
                problem(
                    "customer_email",
                    _("At most %(count)s characters.") % {"count": EMAIL_MAX_LENGTH},
                )
    if phone and (
        len(phone) > PHONE_MAX_LENGTH
        or not PHONE.fullmatch(phone)
        or len(re.sub(r"\D", "", phone)) < 5
    ):
        problem("customer_phone", _("Not a phone number."))
    name = values["customer_name"]
    if len(name) > NAME_MAX_LENGTH:
        problem("customer_name", _("At most %(count)s characters.") % {"count": NAME_MAX_LENGTH})
    language = context.default_language
    if values["customer_language"]:
        language = re.split(r"[-_]", values["customer_language"].lower())[0]
        if language not in LANGUAGES:
            problem(
                "customer_language",
                _("Not one of the languages: %(codes)s.")
                % {"codes": ", ".join(code for code, _name in settings.LANGUAGES)},
            )

    if errors:
        return None, errors
    return (
        ImportRow(
            row=number,
            external_reference=reference,
            occurred_at=occurred_at,
            brand=brand,
            touchpoint=touchpoint,
            email=email,
            phone=phone,
            name=name,
            language=language,
            performer=performer,
        ),
        [],
    )


def _occurred_at(value: str, context: _RowContext, problem) -> datetime | None:
    if not value:
        problem("occurred_at", _("Needed."))
        return None
    example = _("e.g. 2025-03-01 14:30 or 2025-03-01T14:30:00+02:00")
    if DATE_ONLY.fullmatch(value):
        problem("occurred_at", _("Give the time too, %(example)s.") % {"example": example})
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        problem(
            "occurred_at",
            _("Not a date and time in ISO 8601, %(example)s.") % {"example": example},
        )
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=context.zone)
    if moment > context.now + FUTURE_TOLERANCE:
        problem("occurred_at", _("This is in the future."))
        return None
    return moment


def _one(value: str, column: str, find, problem):
    """The one row ``find(value)`` names; a problem when it names none or several."""
    if not value:
        return None
    found = find(value)
    if len(found) == 1:
        return found[0]
    if not found:
        messages = {
            "brand": _("No active brand has this reference prefix or name."),
            "touchpoint": _("No active touchpoint has this name or code."),
            "performer": _("No active member has this email address or external code."),
        }
    else:
        messages = {
            "brand": _("Several brands have this name: use the reference prefix."),
            "touchpoint": _("Several touchpoints have this name: use the code."),
            "performer": _("Several members have this email address: use the external code."),
        }
    problem(column, messages[column])
    return None
