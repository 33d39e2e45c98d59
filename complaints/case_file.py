"""What the case page reads, in a fixed number of queries whatever the case's history.

The complaint itself comes with every to-one relation it shows in one query
(``selectors.complaint_for_member_or_404``); here are its lists, one query each, the other
complaints it points to in one more, and the lists its forms offer (categories, root causes,
departments, handlers) in one more, read only when a form on the page needs one.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.db import connection
from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils.translation import gettext_lazy as _

from complaints.lifecycle import step_label
from complaints.models import Attachment, Complaint, CorrectiveAction, Message, Transition
from complaints.models.case import CLOCKS
from complaints.selectors import (
    categories,
    handlers,
    root_causes,
    routable_departments,
    visible_complaints,
)
from complaints.transfers import offered_handlers, transfer_departments
from tenants.models import Membership

CLOCK_LABELS = {
    "acknowledge": _("Acknowledge by"),
    "first_response": _("First response by"),
    "resolve": _("Resolve by"),
}


@dataclass
class Clock:
    """One SLA clock as the case page shows it; ``is_overdue`` is ``overdue_q``'s answer."""

    label: str
    due: datetime | None
    done: datetime | None
    is_overdue: bool

    @property
    def done_late(self) -> bool:
        return bool(self.due and self.done and self.done > self.due)


@dataclass
class CaseFile:
    """Everything the detail page shows, each list loaded in one query."""

    transitions: list[Transition]
    messages: list[Message]
    attachments: list[Attachment]
    actions: list[CorrectiveAction]
    linked: list[Complaint]
    merged: list[Complaint]
    earlier: list[Complaint]
    clocks: list[Clock]


def clocks_of(complaint: Complaint) -> list[Clock]:
    """The three clocks of a complaint read ``with_overdue(now, per_clock=True)``."""
    return [
        Clock(
            label=CLOCK_LABELS[name],
            due=getattr(complaint, due),
            done=getattr(complaint, done),
            is_overdue=bool(getattr(complaint, f"{name}_overdue")),
        )
        for name, (due, done) in CLOCKS.items()
    ]


def case_file(complaint: Complaint, member: Membership) -> CaseFile:
    """The case's lists; other complaints (linked, merged, the customer's earlier ones) only
    where the member may see them."""
    tenant_id = complaint.tenant_id
    linked, merged, earlier = _related(complaint, member)
    transitions = list(
        Transition.objects.for_tenant(tenant_id)
        .filter(complaint=complaint)
        .select_related("actor__user")
        .order_by("created_at", "id")
    )
    for transition in transitions:
        transition.label = step_label(transition.name)
    return CaseFile(
        transitions=transitions,
        messages=list(
            Message.objects.for_tenant(tenant_id)
            .filter(complaint=complaint)
            .select_related("author__user")
            .order_by("created_at", "id")
        ),
        attachments=list(
            Attachment.objects.for_tenant(tenant_id)
            .filter(complaint=complaint)
            .order_by("created_at", "id")
        ),
        actions=list(
            CorrectiveAction.objects.for_tenant(tenant_id)
            .filter(complaint=complaint)
            .select_related("owner__user")
        ),
        linked=linked,
        merged=merged,
        earlier=earlier,
        clocks=clocks_of(complaint),
    )


LINKED, MERGED, EARLIER = 0, 1, 2


def _related(complaint: Complaint, member: Membership):
    """The complaints linked to this one, merged into it, and the customer's ten latest other
    ones: one ``UNION ALL`` where the database orders and limits inside one (PostgreSQL)."""
    others = visible_complaints(member).only("reference", "subject", "state", "received_at")
    parts = [
        others.filter(links__linked=complaint).order_by(),
        others.filter(merged_into=complaint).order_by(),
        others.filter(customer_id=complaint.customer_id)
        .exclude(pk=complaint.pk)
        .order_by("-received_at")[:10],
    ]
    if connection.features.supports_slicing_ordering_in_compound:
        tagged = [part.annotate(relation=Value(kind)) for kind, part in enumerate(parts)]
        rows = list(tagged[0].union(*tagged[1:], all=True))
        grouped = ([], [], [])
        for row in rows:
            grouped[row.relation].append(row)
        grouped[EARLIER].sort(key=lambda row: row.received_at, reverse=True)
        return grouped
    return tuple(list(part) for part in parts)


class CaseLists:
    """The lists the case page's forms offer, read once and only when a form shows one: active
    categories, active root causes, the departments the member may route to, the handlers
    they may give a complaint to, and the departments they may transfer to — one
    ``UNION ALL``, in the orders the forms used.

    The transfer form (``offers = "transfer"``) lists the departments of
    ``transfers.transfer_departments`` and only the handlers of the department it shows
    (``transfers.offered_handlers``); its handler list is reloaded when the department changes
    (``views.transfer_handlers``)."""

    def __init__(self, member: Membership):
        self.member = member

    @cached_property
    def _rows(self) -> dict[str, list[tuple]]:
        member = self.member
        blank = Value("", output_field=CharField())

        def part(queryset, kind, name, sort_a, sort_b=blank, sort_c=blank, extra=blank):
            return (
                queryset.order_by()
                .annotate(
                    list_kind=Value(kind),
                    label=name,
                    sort_a=sort_a,
                    sort_b=sort_b,
                    sort_c=sort_c,
                    extra=extra,
                )
                .values_list("list_kind", "pk", "label", "sort_a", "sort_b", "sort_c", "extra")
            )

        full_name = Trim(Concat("user__first_name", Value(" "), "user__last_name"))
        rows = part(categories(member.tenant_id), 0, F("name"), F("path")).union(
            part(root_causes(member.tenant_id), 1, F("name"), F("name")),
            part(routable_departments(member), 2, F("name"), F("path")),
            part(
                handlers(member),
                3,
                Coalesce(NullIf(full_name, Value("")), "user__username"),
                F("department__path"),
                F("user__first_name"),
                F("user__last_name"),
                F("department__name"),
            ),
            part(transfer_departments(member), 4, F("name"), F("path")),
            all=True,
        )
        lists = {
            "categories": [],
            "root_causes": [],
            "departments": [],
            "handlers": [],
            "transfer_departments": [],
        }
        names = list(lists)
        for kind, pk, label, sort_a, _b, _c, extra in rows.order_by(
            "list_kind", "sort_a", "sort_b", "sort_c"
        ):
            # (id, label, the handler's department name, the department's or handler's path)
            lists[names[kind]].append((pk, label, extra, sort_a))
        return lists

    def choices(self, field_name: str) -> list[tuple[int, str]] | None:
        """The ``(id, label)`` choices of a form field of that name; ``None`` for other fields."""
        if field_name == "category":
            return [(pk, label) for pk, label, _, _ in self._rows["categories"]]
        if field_name == "root_cause":
            return [(pk, label) for pk, label, _, _ in self._rows["root_causes"]]
        if field_name == "department":
            return [(pk, label) for pk, label, _, _ in self._rows["departments"]]
        if field_name == "assignee":
            return [(pk, f"{label} · {dept}") for pk, label, dept, _ in self._rows["handlers"]]
        if field_name == "owner":
            return [(pk, label) for pk, label, _, _ in self._rows["handlers"]]
        return None

    def transfer_choices(self, field_name: str, department_id) -> list[tuple[int, str]] | None:
        """The transfer form's lists: the departments it may go to, and the handlers offered
        in the one chosen (``department_id``; none for a department not in the list)."""
        departments = self._rows["transfer_departments"]
        if field_name == "department":
            return [(pk, label) for pk, label, _, _ in departments]
        if field_name != "assignee":
            return self.choices(field_name)
        path = next(
            (path for pk, _l, _e, path in departments if str(pk) == str(department_id)), None
        )
        handlers = self._rows["handlers"]
        offered = set(offered_handlers(self.member, path, [(pk, p) for pk, _l, _e, p in handlers]))
        return [(pk, f"{label} · {dept}") for pk, label, dept, _ in handlers if pk in offered]

    def fill(self, form) -> None:
        """Give the form's list fields these choices (validation still uses their querysets)."""
        is_transfer = getattr(form, "offers", None) == "transfer"
        department_id = form["department"].value() if is_transfer else None
        for name, field in form.fields.items():
            if not hasattr(field, "queryset"):
                continue
            if is_transfer:
                choices = self.transfer_choices(name, department_id)
            else:
                choices = self.choices(name)
            if choices is not None:
                empty = [] if field.empty_label is None else [("", field.empty_label)]
                field.choices = empty + choices
