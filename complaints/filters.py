"""The complaint queue's and the corrective-action list's filters, for the page and the API
alike (``tenants.filters``).

The queue is drawn on every request of the agents' busiest page, so its FilterSet takes its
choices from the queue's one lists query (``selectors.queue_lists``: categories, brands,
touchpoints in one ``UNION ALL``) instead of a query per model filter, and its widgets render
in Python (``complaints.widgets``). Its choices are the tenant's all the same: an id of another
tenant's brand is not among them, so it is "Select a valid choice".
"""

import copy
from datetime import datetime, time

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.lifecycle import OPEN_STATES, State
from complaints.models import Complaint, CorrectiveAction, Severity
from complaints.selectors import QueueLists, complaint_search, queue_lists
from complaints.widgets import PlainDateInput, PlainSelect, PlainTextInput, filter_fields_html
from customers.models import Segment
from tenants.filters import EMPTY_LABEL, MemberChoiceFilter, TenantFilterSet, tenant_id_of
from tenants.models import Membership
from tenants.permissions import Action, roles_allowed

QUEUES = ("mine", "department", "unassigned", "overdue", "watchlist", "all")
SORTS = {
    "newest": ("-received_at", "-id"),
    "oldest": ("received_at", "id"),
    "priority": ("priority", "-received_at", "-id"),
    "due": ("resolve_due_at", "id"),
    "updated": ("-updated_at", "-id"),
}


class _CopiedCheaply:
    """A filter that a FilterSet copies without ``deepcopy``.

    django-filter deep-copies every filter of a FilterSet per request, widgets and choices
    included: a third of the queue's filtering time. A filter's own state never changes after
    its class is built; a FilterSet only sets ``model`` and ``parent`` on its copy and the queue
    its ``extra["choices"]``, so a shallow copy with its own ``extra`` and its own bound
    ``method`` is enough (the form field built from it deep-copies the widget anyway).
    """

    def __deepcopy__(self, memo):
        copied = copy.copy(self)
        copied.extra = dict(self.extra)
        copied.method = self.method  # its FilterMethod must call the copy's parent
        return copied


class _Choice(_CopiedCheaply, django_filters.ChoiceFilter):
    pass


class _TypedChoice(_CopiedCheaply, django_filters.TypedChoiceFilter):
    pass


class _Date(_CopiedCheaply, django_filters.DateFilter):
    pass


class _Text(_CopiedCheaply, django_filters.CharFilter):
    pass


class QueueFilterSet(TenantFilterSet):
    """Which complaints a queue shows and in what order.

    ``queue`` picks the tab (the member's department subtree by default; every queue but
    "All" shows open complaints unless a state is chosen), the other filters narrow it, and
    ``sort`` orders it (newest first by default).
    """

    queue = _Choice(choices=[(name, name) for name in QUEUES], method="filter_queue")
    state = _Choice(
        label=_("State"),
        choices=State.choices,
        empty_label=_("— the queue's —"),
        help_text=_("Queues show open complaints; the All tab shows every state."),
        widget=PlainSelect,
    )
    category = _TypedChoice(
        label=_("Category"),
        coerce=int,
        empty_value=None,
        method="filter_category",
        widget=PlainSelect,
    )
    brand = _TypedChoice(
        label=_("Brand"), field_name="brand_id", coerce=int, empty_value=None, widget=PlainSelect
    )
    touchpoint = _TypedChoice(
        label=_("Touchpoint"),
        field_name="touchpoint_id",
        coerce=int,
        empty_value=None,
        widget=PlainSelect,
    )
    severity = _Choice(
        label=_("Severity"), choices=Severity.choices, empty_label=EMPTY_LABEL, widget=PlainSelect
    )
    received_from = _Date(
        label=_("From"),
        method="filter_received_from",
        widget=PlainDateInput(attrs={"type": "date"}),
    )
    received_to = _Date(
        label=_("To"), method="filter_received_to", widget=PlainDateInput(attrs={"type": "date"})
    )
    q = _Text(label=_("Search"), method="filter_search", max_length=200, widget=PlainTextInput)
    sort = _Choice(
        label=_("Sort"),
        choices=[
            ("newest", _("Newest")),
            ("oldest", _("Oldest")),
            ("priority", _("Priority")),
            ("due", _("Due first")),
            ("updated", _("Recently changed")),
        ],
        empty_label=None,
        method="filter_nothing",  # ordering is the last step of filter_queryset
        widget=PlainSelect,
    )

    date_ranges = (("received_from", "received_to"),)

    class Meta:
        model = Complaint
        fields = []

    def __init__(self, data=None, queryset=None, *, request, prefix=None, lists=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.lists: QueueLists = lists or queue_lists(tenant_id_of(request))
        choices = {
            "category": self.lists.categories,
            "brand": self.lists.brands,
            "touchpoint": self.lists.touchpoints,
        }
        for name, rows in choices.items():
            self.filters[name].extra["choices"] = [("", EMPTY_LABEL), *rows]

    @property
    def queue_name(self) -> str:
        """The tab shown: the one asked for, "department" without one (or a wrong one)."""
        if not self.is_bound or (not self.form.is_valid() and "queue" in self.form.errors):
            return "department"
        return self.form.cleaned_data.get("queue") or "department"

    @property
    def fields_html(self):
        """The filter bar's fields, drawn in Python (``widgets.filter_fields_html``); the tab is
        a hidden field of the page."""
        return filter_fields_html(self.form, skip=("queue",))

    def filter_queryset(self, complaints):
        complaints = super().filter_queryset(complaints)
        cleaned = self.form.cleaned_data
        if not cleaned.get("state") and self.queue_name != "all":
            complaints = complaints.filter(state__in=OPEN_STATES)
        return complaints.order_by(*SORTS[cleaned.get("sort") or "newest"])

    def filter_queue(self, complaints, name, queue):
        if queue == "mine":
            return complaints.filter(assignee=self.member) if self.member else complaints.none()
        if queue == "unassigned":
            return complaints.filter(assignee__isnull=True)
        if queue == "overdue":
            return complaints.overdue(timezone.now())
        if queue == "watchlist":
            return complaints.filter(
                Q(is_repeat_complainant=True) | Q(customer__segment=Segment.WATCHLIST)
            )
        return complaints  # "department" and "all": every complaint the member sees

    def filter_category(self, complaints, name, category_id):
        """The category and every category below it."""
        return complaints.filter(category__path__startswith=self.lists.category_paths[category_id])

    def filter_received_from(self, complaints, name, day):
        start = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
        return complaints.filter(received_at__gte=start)

    def filter_received_to(self, complaints, name, day):
        end = datetime.combine(day, time.max, tzinfo=timezone.get_current_timezone())
        return complaints.filter(received_at__lte=end)

    def filter_search(self, complaints, name, text):
        return complaint_search(complaints, tenant_id_of(self.request), text.strip())

    def filter_nothing(self, complaints, name, value):
        return complaints


def action_owners(request):
    """Who may own an action: the members whose role takes assignments."""
    return (
        Membership.objects.filter(role__in=roles_allowed(Action.TAKE_ASSIGNMENTS))
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "pk")
    )


class CorrectiveActionFilterSet(TenantFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=CorrectiveAction.Status.choices, empty_label=_("Any")
    )
    owner = MemberChoiceFilter(label=_("Owner"), queryset=action_owners)

    class Meta:
        model = CorrectiveAction
        fields = []
