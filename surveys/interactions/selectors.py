"""Reads of the interactions page: the summary of an import, the recent imports, the list of
interactions, and the template file."""

import csv
import io
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from complaints.selectors import visible_complaints
from surveys.interactions.checking import RowError
from surveys.interactions.importing import IMPORT_ACTION
from surveys.interactions.reading import COLUMNS
from surveys.models import Interaction
from tenants.models import AuditEntry, Brand, Membership, Touchpoint
from tenants.paging import Page, page_or_404
from tenants.permissions import Action, visible_to

PAGE_SIZE = 50  # interactions per page of the list


@dataclass(frozen=True)
class ImportSummary:
    entry: AuditEntry
    file_name: str
    row_count: int
    created: int
    already_imported: int
    skipped: int
    # (decision, label, count), in the order of ``Interaction.Decision``
    decisions: list[tuple[str, str, int]]
    skipped_rows: list[RowError]

    @property
    def has_more_skipped(self) -> bool:
        """Whether more rows were skipped than the summary keeps."""
        return len({error.row for error in self.skipped_rows}) < self.skipped

    @classmethod
    def of(cls, entry: AuditEntry) -> "ImportSummary":
        after = {name: change[1] for name, change in entry.changes.items()}
        counts = after.get("decisions") or {}
        return cls(
            entry=entry,
            file_name=after.get("file") or "",
            row_count=after.get("rows") or 0,
            created=after.get("created") or 0,
            already_imported=after.get("already_imported") or 0,
            skipped=after.get("skipped") or 0,
            decisions=[
                (value, label, counts[value])
                for value, label in Interaction.Decision.choices
                if counts.get(value)
            ],
            skipped_rows=[RowError(*row) for row in after.get("skipped_rows") or []],
        )


def _imports(member: Membership):
    # Served by the audit index (tenant, target_type, target_id, created_at).
    return (
        AuditEntry.objects.for_tenant(member.tenant_id)
        .filter(action=IMPORT_ACTION, target_type="tenants.tenant", target_id=str(member.tenant_id))
        .select_related("actor")
    )


def import_summary_for_member_or_404(member: Membership, entry_id: int) -> ImportSummary:
    """The summary of one import of the member's workspace, or the 404 of a missing one."""
    try:
        return ImportSummary.of(_imports(member).get(pk=entry_id))
    except AuditEntry.DoesNotExist as missing:
        raise Http404("No import matches the given query.") from missing


def recent_imports(member: Membership, *, limit: int = 5) -> list[ImportSummary]:
    return [ImportSummary.of(entry) for entry in _imports(member).order_by("-created_at")[:limit]]


def visible_interactions(member: Membership) -> QuerySet[Interaction]:
    """The interactions the member may list, for ``InteractionFilterSet``.

    An interaction belongs to its performer's department: an agent lists those of their
    department subtree (as they see complaints); admins, managers and analysts (their role may
    ``SEE_ALL_SURVEY_DATA``) all the tenant's, and only they those without a performer.
    """
    return visible_to(
        Interaction.objects.all(),
        member,
        department_field="performer__department",
        whole_tenant=Action.SEE_ALL_SURVEY_DATA,
    )


def interactions_page(
    member: Membership, interactions: QuerySet[Interaction] | None = None, *, number: int = 1
) -> Page:
    """Page ``number`` of ``interactions`` (filtered; all the member's without), newest first,
    with brand, touchpoint, customer, performer and complaint loaded (one query, no COUNT:
    ``tenants.paging``)."""
    if interactions is None:
        interactions = visible_interactions(member)
    # A complaint is linked only for a member who may open it (the link would 404 otherwise).
    may_open_complaint = Exists(visible_complaints(member).filter(pk=OuterRef("complaint_id")))
    rows = interaction_rows(interactions).annotate(may_open_complaint=may_open_complaint)
    return page_or_404(rows, number=number, size=PAGE_SIZE)


def interaction_rows(interactions: QuerySet[Interaction]) -> QuerySet[Interaction]:
    """``interactions`` (filtered) newest first, with brand, touchpoint, customer, performer and
    complaint joined (one query for any number; the page takes one page, an export all)."""
    return interactions.select_related(
        "brand", "touchpoint", "customer", "performer__user", "complaint"
    ).order_by("-occurred_at", "-id")


# --- the template file ----------------------------------------------------------------------


def template_csv(member: Membership) -> str:
    """A CSV file with every column and two example rows in the member's workspace.

    The examples are dated in the past, so a template imported as it is surveys nobody.
    """
    brand = Brand.objects.for_tenant(member.tenant_id).filter(is_active=True).order_by("name")
    brand = brand.first()
    touchpoint = (
        Touchpoint.objects.for_tenant(member.tenant_id)
        .filter(is_active=True)
        .order_by("name")
        .first()
    )
    prefix = brand.reference_prefix if brand else ""
    out = io.StringIO()
    out.write("\ufeff")  # so Excel reads it as UTF-8
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "EXAMPLE-0001",
            "2025-03-01 14:30",
            prefix,
            touchpoint.name if touchpoint else "",
            "maria.rossi@example.com",
            "",
            "Maria Rossi",
            "it",
            member.user.email,
        ]
    )
    writer.writerow(
        [
            "EXAMPLE-0002",
            "2025-03-01T16:05:00+02:00",
            prefix,
            "",
            "",
            "+30 210 000 1000",
            "Nikos Papadopoulos",
            "el",
            "",
        ]
    )
    return out.getvalue()
