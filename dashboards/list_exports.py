"""The lists' downloads: the complaint queue, responses, interactions and follow-ups as CSV or
Excel (``dashboards.exports``), at ``<list>/export.csv`` and ``<list>/export.xlsx`` with the
list's query string (``export_urls``).

Each view is its list's view without the page: the same role (``member_required``), the same
rows the member may see (the list's ``visible_*`` selector), the same FilterSet on the same
query string, the same order (the list's ``*_rows`` selector) — so a download holds exactly
the rows the list shows that member, all of them rather than one page. The columns are what
the list shows, plus ids and times. They live here, not in their apps, because the export
machinery is the dashboards' and apps import down the chain only.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from complaints import selectors as complaint_selectors
from complaints.filters import QueueFilterSet
from complaints.models import Channel, Severity
from complaints.queue_rows import RowBuilder
from dashboards.exports import Column, applied_filters, export_response
from surveys.followups import selectors as follow_up_selectors
from surveys.followups.filters import FollowUpFilterSet
from surveys.interactions import selectors as interaction_selectors
from surveys.interactions.filters import InteractionFilterSet
from surveys.responses import selectors as response_selectors
from surveys.responses.filters import ResponseFilterSet
from tenants.decorators import member_required
from tenants.models import Membership
from tenants.permissions import Action

WIDE = 40  # an XLSX column for sentences (subjects, comments)


def _name(member: Membership | None) -> str | None:
    """A member as the lists print them: full name, else user name; None for nobody."""
    if member is None:
        return None
    return member.user.get_full_name() or member.user.get_username()


# --- the complaint queue ------------------------------------------------------------------------

# What the queue's values (``complaint_selectors.queue_values``) add for a download.
QUEUE_EXTRA = ("touchpoint__name", "category__name", "channel", "severity", "closed_at")


def queue_columns(builder: RowBuilder) -> list[Column]:
    """The queue's columns over its values; ``builder`` (``complaints.queue_rows``) says what
    the list says (labels, the handler, the Due column's next or missed deadline)."""
    channels, severities = dict(Channel.choices), dict(Severity.choices)

    def due_clock(values):
        due = builder.due(values)
        return builder.paused_word if due.is_paused else due.clock or None

    return [
        Column(_("Reference"), lambda v: v["reference"]),
        Column(_("Subject"), lambda v: v["subject"], width=WIDE),
        Column(_("Complainant"), lambda v: v["customer__name"], width=24),
        Column(_("Segment"), lambda v: builder.segments.get(v["customer__segment"])),
        Column(_("Repeat complainant"), lambda v: v["is_repeat_complainant"]),
        Column(_("Brand"), lambda v: builder.brands.get(v["brand_id"])),
        Column(_("Touchpoint"), lambda v: v["touchpoint__name"]),
        Column(_("Category"), lambda v: v["category__name"]),
        Column(_("Channel"), lambda v: channels.get(v["channel"])),
        Column(_("Severity"), lambda v: severities.get(v["severity"])),
        Column(_("State"), lambda v: builder.states.get(v["state"], v["state"])),
        Column(_("Priority"), lambda v: builder.priorities.get(v["priority"])),
        Column(_("Handler"), lambda v: builder.handler(v) or None, width=24),
        Column(_("Department"), lambda v: builder.departments.get(v["department_id"]), width=24),
        Column(_("Received"), lambda v: v["received_at"]),
        Column(_("Due"), due_clock),
        Column(_("Due at"), lambda v: builder.due(v).moment),
        Column(_("Overdue"), lambda v: bool(v["is_overdue"])),
        Column(_("Resolved"), lambda v: v["resolved_at"]),
        Column(_("Closed"), lambda v: v["closed_at"]),
    ]


@require_GET
@member_required(Action.VIEW_COMPLAINTS)
def complaint_queue_export(request, fmt):
    member = request.member
    lists = complaint_selectors.queue_lists(request.tenant.pk)
    filterset = QueueFilterSet(
        request.GET,
        queryset=complaint_selectors.visible_complaints(member),
        request=request,
        lists=lists,
    )
    now = timezone.now()
    builder = RowBuilder(request.tenant.slug, lists.brand_names, lists.department_names, now)
    return export_response(
        member=member,
        rows=complaint_selectors.queue_values(filterset.qs, now=now, extra=QUEUE_EXTRA),
        columns=queue_columns(builder),
        file_stem="complaints",
        fmt=fmt,
        name="complaint-queue",
        filters=applied_filters(filterset),
    )


# --- responses -----------------------------------------------------------------------------------


def _touchpoint(interaction) -> str | None:
    return interaction.touchpoint.name if interaction.touchpoint else None


def _follow_up_status(response) -> str | None:
    follow_up = response_selectors.follow_up_of(response)
    return follow_up.get_status_display() if follow_up else None


RESPONSE_COLUMNS = [
    Column(_("Response"), lambda r: r.pk, width=10),
    Column(_("Answered"), lambda r: r.submitted_at),
    Column(_("Score"), lambda r: r.primary_score, width=8),
    Column(_("Scale"), lambda r: r.primary_kind.upper(), width=8),
    Column(_("Critic"), lambda r: r.is_critic, width=8),
    Column(_("Comment"), lambda r: r.comment or None, width=WIDE),
    Column(_("Customer"), lambda r: r.interaction.customer.name, width=24),
    Column(_("Brand"), lambda r: r.interaction.brand.name),
    Column(_("Touchpoint"), lambda r: _touchpoint(r.interaction)),
    Column(_("Handled by"), lambda r: _name(r.interaction.performer), width=24),
    Column(_("Follow-up"), _follow_up_status),
    Column(_("Occurred"), lambda r: r.interaction.occurred_at),
]


@require_GET
@member_required(Action.VIEW_SURVEYS)
def response_list_export(request, fmt):
    filterset = ResponseFilterSet(
        request.GET, queryset=response_selectors.visible_responses(request.member), request=request
    )
    return export_response(
        member=request.member,
        rows=response_selectors.response_rows(filterset.qs),
        columns=RESPONSE_COLUMNS,
        file_stem="responses",
        fmt=fmt,
        name="responses",
        filters=applied_filters(filterset),
    )


# --- interactions --------------------------------------------------------------------------------


def _customer(interaction) -> str:
    customer = interaction.customer
    return customer.name or customer.email or customer.phone


INTERACTION_COLUMNS = [
    Column(_("Interaction"), lambda i: i.pk, width=10),
    Column(_("Occurred"), lambda i: i.occurred_at),
    Column(_("Brand"), lambda i: i.brand.name),
    Column(_("Touchpoint"), _touchpoint),
    Column(_("Customer"), _customer, width=24),
    Column(_("Performer"), lambda i: _name(i.performer), width=24),
    Column(_("Source"), lambda i: i.get_source_display()),
    Column(_("Complaint"), lambda i: i.complaint.reference if i.complaint else None),
    Column(_("External reference"), lambda i: i.external_reference or None, width=24),
    Column(_("Survey decision"), lambda i: i.get_decision_display(), width=24),
    Column(_("Recorded"), lambda i: i.created_at),
]


@require_GET
@member_required(Action.VIEW_SURVEYS)
def interaction_list_export(request, fmt):
    filterset = InteractionFilterSet(
        request.GET,
        queryset=interaction_selectors.visible_interactions(request.member),
        request=request,
    )
    return export_response(
        member=request.member,
        rows=interaction_selectors.interaction_rows(filterset.qs),
        columns=INTERACTION_COLUMNS,
        file_stem="interactions",
        fmt=fmt,
        name="interactions",
        filters=applied_filters(filterset),
    )


# --- follow-ups ----------------------------------------------------------------------------------


def follow_up_columns(now) -> list[Column]:
    """The follow-up list's columns; "overdue" as the list says it at ``now``."""
    return [
        Column(_("Follow-up"), lambda f: f.pk, width=10),
        Column(_("Customer"), lambda f: f.response.interaction.customer.name, width=24),
        Column(_("Score"), lambda f: f.response.primary_score, width=8),
        Column(_("Scale"), lambda f: f.response.primary_kind.upper(), width=8),
        Column(_("Comment"), lambda f: f.response.comment or None, width=WIDE),
        Column(_("Brand"), lambda f: f.response.interaction.brand.name),
        Column(_("Touchpoint"), lambda f: _touchpoint(f.response.interaction)),
        Column(_("Assignee"), lambda f: _name(f.assignee), width=24),
        Column(_("Due"), lambda f: f.due_at),
        Column(_("Overdue"), lambda f: follow_up_selectors.is_overdue(f, now)),
        Column(_("Status"), lambda f: f.get_status_display()),
        Column(_("Completed"), lambda f: f.completed_at),
        Column(_("Outcome"), lambda f: f.outcome or None, width=WIDE),
        Column(_("Response"), lambda f: f.response_id, width=10),
        Column(_("Answered"), lambda f: f.response.submitted_at),
    ]


@require_GET
@member_required(Action.VIEW_SURVEYS)
def follow_up_list_export(request, fmt):
    filterset = FollowUpFilterSet(
        request.GET,
        queryset=follow_up_selectors.visible_follow_ups(request.member),
        request=request,
    )
    return export_response(
        member=request.member,
        rows=follow_up_selectors.follow_up_rows(filterset.qs),
        columns=follow_up_columns(timezone.now()),
        file_stem="follow-ups",
        fmt=fmt,
        name="follow-ups",
        filters=applied_filters(filterset),
    )
