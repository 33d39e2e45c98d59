"""The dashboards' filters, kept in the URL so that a view can be shared.

One FilterSet (``tenants.filters.TenantFilterSet``: every model choice is the request's
tenant's) for every dashboard page:

* **period** — ``start`` and ``end``, days in the tenant's time zone, both included; by default
  the last 90 days up to today. ``compare`` sets the period the figures are compared with: the
  previous period of the same length (the default) or none.
* **brand**, **touchpoint** — the response browser's own filters (``ResponseFilterSet``): the
  same field, choices and lookup.
* **department** — a department and those below it, of the performer who gave the service
  (where the metrics put a response, ``surveys.metrics.DIMENSIONS``); the choices are the
  departments whose survey data the member sees.
* **channel**, **category** — the complaint's. On the survey pages they keep the responses about
  a complaint received through that channel, or of that category (or one below it); a service
  event that was no complaint (posted by the API, imported) has neither, so choosing one leaves
  those out.
* **band** — the NPS page's comments only (detractors, passives or promoters); the figures
  never.

Bad input is refused whole: the page answers 400 with the message on its field rather than
figures over only some of the filters, which a reader would take for the ones they asked for.

The rows: :meth:`DashboardFilterSet.responses` and :meth:`DashboardFilterSet.answers` give, for a
period, the rows the member may see (``surveys.responses.selectors.visible_responses``, the
response browser's rule) narrowed by every other filter: what ``surveys.metrics`` takes.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

import django_filters
from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Category, Channel, Complaint
from complaints.selectors import visible_complaints
from ratings.periods import local_day, period_instants
from surveys import scoring
from surveys.interactions.selectors import visible_interactions
from surveys.models import Answer, AnswerDay, Interaction, Response
from surveys.responses.filters import DATE_INPUT, ResponseFilterSet
from surveys.responses.selectors import RESPONSE_DEPARTMENT, visible_responses
from surveys.rollups.services import answer_days_refresh
from tenants.filters import EMPTY_LABEL, DepartmentChoiceFilter, TenantFilterSet
from tenants.models import Department, Membership, Role, Tenant
from tenants.permissions import Action, visible_to
from tenants.trees import tree_depth

DEFAULT_DAYS = 90
LONGEST_DAYS = 5 * 365 + 1  # five years
EARLIEST = date(2000, 1, 1)

PREVIOUS, NO_COMPARISON = "previous", "none"
COMPARE_CHOICES = [
    (PREVIOUS, _("The previous period of the same length")),
    (NO_COMPARISON, _("Nothing")),
]
# The NPS page's comments by band: the names in the URL, and the score band of each.
DETRACTOR, PASSIVE, PROMOTER = "detractor", "passive", "promoter"
COMMENT_BANDS = {DETRACTOR: scoring.LOW, PASSIVE: scoring.MIDDLE, PROMOTER: scoring.HIGH}
COMMENT_BAND_CHOICES = [
    (DETRACTOR, _("Detractors (0–6)")),
    (PASSIVE, _("Passives (7–8)")),
    (PROMOTER, _("Promoters (9–10)")),
]
# What only sets the page, not the rows every figure counts.
NOT_ROW_FILTERS = {"start", "end", "compare", "band"}
# The filters the response browser takes too, under its names; it has no department, channel
# or category filter, so a link to it cannot carry those (the page says so beside it).
RESPONSE_BROWSER_NAMES = {"brand": "brand", "touchpoint": "touchpoint"}
NOT_IN_RESPONSE_BROWSER = ("department", "channel", "category")


# The same filters on the rollup (``answer_days``): its own columns, or read through them.
ANSWER_DAY_DEPARTMENT = "performer__department"
ANSWER_DAY_LOOKUPS = {
    "brand": "brand",
    "touchpoint": "touchpoint",
    "channel": "complaint__channel",
}
ANSWER_DAY_TREES = {"department": ANSWER_DAY_DEPARTMENT, "category": "complaint__category"}


@dataclass(frozen=True)
class Period:
    """Days ``start`` to ``end``, both included, in the tenant's time zone."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of the same length that ends the day before this one starts."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def instants(self, time_zone: str) -> tuple[datetime, datetime]:
        """Its first instant and the first instant after it, at local midnight."""
        return period_instants(self.start, self.end + timedelta(days=1), time_zone)


@dataclass(frozen=True)
class WholeTenant:
    """What the filters read of a request (``tenant``, ``member``) for figures read with no
    request, over the whole tenant: a task's report (:meth:`DashboardFilterSet.whole_tenant`).
    Its member is an analyst's place, never saved: analysts see every department's rows and
    every survey's and change nothing, so the selectors narrow nothing for it."""

    tenant: Tenant
    member: Membership

    @classmethod
    def of(cls, tenant: Tenant) -> "WholeTenant":
        return cls(tenant=tenant, member=Membership(tenant=tenant, role=Role.ANALYST))


def survey_departments(request) -> QuerySet[Department]:
    """The departments whose survey data the member sees, in tree order."""
    return visible_to(
        Department.objects.all(),
        request.member,
        department_field="",
        whole_tenant=Action.SEE_ALL_SURVEY_DATA,
    ).order_by("path")


class TreeChoiceField(forms.ModelChoiceField):
    """A node of a tree (a category), indented by its depth."""

    def label_from_instance(self, obj) -> str:
        return "\u00a0\u00a0" * tree_depth(obj.path) + obj.name


class CategoryChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = TreeChoiceField


class DashboardFilterForm(forms.Form):
    field_order = ["start", "end", "compare", "brand", "touchpoint", "department", "channel"]

    def clean(self):
        cleaned = super().clean()
        for name in ("start", "end"):
            day = cleaned.get(name)
            if day is not None and day < EARLIEST:
                self.add_error(name, _("Choose a day from 1 January 2000 on."))
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is not None and end is not None and (end - start).days + 1 > LONGEST_DAYS:
            self.add_error("end", _("A period is at most five years long."))
        return cleaned


class DashboardFilterSet(TenantFilterSet):
    """The dashboards' filters (see the module's doc). Build it with :meth:`from_request`,
    which fills in the default period and comparison."""

    start = django_filters.DateFilter(label=_("From"), widget=DATE_INPUT)
    end = django_filters.DateFilter(label=_("To"), widget=DATE_INPUT)
    compare = django_filters.ChoiceFilter(
        label=_("Compare with"), choices=COMPARE_CHOICES, empty_label=None
    )
    brand = ResponseFilterSet.declared_filters["brand"]
    touchpoint = ResponseFilterSet.declared_filters["touchpoint"]
    department = DepartmentChoiceFilter(
        label=_("Department"),
        queryset=survey_departments,
        empty_label=EMPTY_LABEL,
        method="filter_department",
        help_text=_("With those below it: where the service was given."),
    )
    channel = django_filters.ChoiceFilter(
        label=_("Channel"),
        field_name="interaction__complaint__channel",
        choices=Channel.choices,
        empty_label=EMPTY_LABEL,
        help_text=_("Survey figures: the answers about a complaint received this way."),
    )
    category = CategoryChoiceFilter(
        label=_("Category"),
        queryset=Category.objects.order_by("path"),
        empty_label=EMPTY_LABEL,
        method="filter_category",
        help_text=_("Survey figures: the answers about a complaint of this category."),
    )
    band = django_filters.ChoiceFilter(
        label=_("Comments of"), choices=COMMENT_BAND_CHOICES, empty_label=_("Everyone")
    )

    date_ranges = (("start", "end"),)

    class Meta:
        model = Response
        fields = []
        form = DashboardFilterForm

    @classmethod
    def from_request(cls, request) -> "DashboardFilterSet":
        """The filters of the request's query string, a missing period being the last
        ``DEFAULT_DAYS`` days (up to today, in the tenant's time zone, or up to ``end``) and a
        missing comparison the previous period."""
        data = request.GET.copy()
        today = local_day(timezone.now(), request.tenant.time_zone)
        if not data.get("end"):
            data["end"] = today.isoformat()
        if not data.get("start"):
            try:
                end = forms.DateField().clean(data["end"])
            except forms.ValidationError:
                end = today  # the end's own error is shown; the start stays valid
            data["start"] = (end - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        if not data.get("compare"):
            data["compare"] = PREVIOUS
        return cls(data, queryset=visible_responses(request.member), request=request)

    @classmethod
    def whole_tenant(cls, tenant: Tenant, period: Period) -> "DashboardFilterSet":
        """The filters of ``period`` with no comparison, over the whole tenant as the tenant
        sees it (:class:`WholeTenant`), with no request: what a task's report reads. Its
        ``member`` is the one to hand the selectors."""
        reader = WholeTenant.of(tenant)
        data = {"start": period.start, "end": period.end, "compare": NO_COMPARISON}
        return cls(data, queryset=visible_responses(reader.member), request=reader)

    # --- the rows ---------------------------------------------------------------------------

    def filter_queryset(self, queryset):
        """Every filter but the period's and the page's (which :meth:`responses` and the
        pages apply)."""
        for name, value in self.form.cleaned_data.items():
            if name not in NOT_ROW_FILTERS:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_department(self, responses, name, department):
        return responses.filter(**{f"{RESPONSE_DEPARTMENT}__path__startswith": department.path})

    def filter_category(self, responses, name, category):
        return responses.filter(interaction__complaint__category__path__startswith=category.path)

    @property
    def period(self) -> Period:
        data = self.form.cleaned_data
        return Period(data["start"], data["end"])

    @property
    def compared_period(self) -> Period | None:
        """The period the figures are compared with, or None."""
        if self.form.cleaned_data["compare"] == NO_COMPARISON:
            return None
        return self.period.previous()

    @property
    def comment_band(self) -> str | None:
        """``DETRACTOR``, ``PASSIVE``, ``PROMOTER``, or None for every comment."""
        return self.form.cleaned_data.get("band") or None

    def responses(self, period: Period) -> QuerySet[Response]:
        """The responses the member sees, submitted in ``period``, through every filter."""
        first, after = period.instants(self.request.tenant.time_zone)
        return self.qs.filter(submitted_at__gte=first, submitted_at__lt=after)

    def answers(self, period: Period) -> QuerySet[Answer]:
        """The answers of :meth:`responses`, as ``surveys.metrics`` takes them."""
        responses = self.responses(period)
        return Answer.objects.for_tenant(self.request.tenant).filter(response__in=responses)

    def answer_days(self, period: Period) -> QuerySet[AnswerDay]:
        """The daily rollup of :meth:`answers` (``surveys.rollups``): the same answers, counted
        by day, for ``surveys.metrics`` to read instead of the raw rows. The period's days that
        are due are recomputed first, so the figures are exact whatever the worker is doing."""
        self._refresh_answer_days(period)
        data = self.form.cleaned_data
        rows = visible_to(
            AnswerDay.objects.all(),
            self.request.member,
            department_field=ANSWER_DAY_DEPARTMENT,
            whole_tenant=Action.SEE_ALL_SURVEY_DATA,
        ).filter(day__gte=period.start, day__lte=period.end)
        for name, lookup in ANSWER_DAY_LOOKUPS.items():
            if data.get(name):
                rows = rows.filter(**{lookup: data[name]})
        for name, lookup in ANSWER_DAY_TREES.items():
            if data.get(name):
                rows = rows.filter(**{f"{lookup}__path__startswith": data[name].path})
        return rows

    def _refresh_answer_days(self, period: Period) -> None:
        """Recompute the due days of ``period`` together with the page's own periods, once
        per page (a fixed number of queries, whether the due days are now or before)."""
        spans = self.__dict__.setdefault("_fresh_spans", [])
        if any(first <= period.start and period.end <= last for first, last in spans):
            return
        periods = [period, self.period, self.compared_period or self.period]
        first, last = min(p.start for p in periods), max(p.end for p in periods)
        answer_days_refresh(tenant=self.request.tenant, first=first, last=last)
        spans.append((first, last))

    def complaints(self, period: Period) -> QuerySet[Complaint]:
        """The complaints the member sees (the queue's rule,
        ``complaints.selectors.visible_complaints``), received in ``period``, narrowed by brand,
        touchpoint, channel, department and category (each of these two with those below it),
        all the complaint's own: what ``complaints.metrics`` takes."""
        first, after = period.instants(self.request.tenant.time_zone)
        data = self.form.cleaned_data
        rows = visible_complaints(self.request.member).filter(
            received_at__gte=first, received_at__lt=after
        )
        for name in ("brand", "touchpoint", "channel"):
            if data.get(name):
                rows = rows.filter(**{name: data[name]})
        for name in ("department", "category"):
            if data.get(name):
                rows = rows.filter(**{f"{name}__path__startswith": data[name].path})
        return rows

    def interactions(self, period: Period) -> QuerySet[Interaction]:
        """The service events the member sees (the interactions page's rule,
        ``surveys.interactions.selectors.visible_interactions``) that happened in ``period``,
        narrowed by every filter as :meth:`responses` narrows their responses (the department
        the performer's, the channel and category the complaint's): what
        ``surveys.metrics.coverage`` and ``funnel`` take."""
        first, after = period.instants(self.request.tenant.time_zone)
        data = self.form.cleaned_data
        rows = visible_interactions(self.request.member).filter(
            occurred_at__gte=first, occurred_at__lt=after
        )
        for name, lookup in (("brand", "brand"), ("touchpoint", "touchpoint")):
            if data.get(name):
                rows = rows.filter(**{lookup: data[name]})
        if data.get("channel"):
            rows = rows.filter(complaint__channel=data["channel"])
        tree_lookups = (
            ("department", "performer__department"),
            ("category", "complaint__category"),
        )
        for name, lookup in tree_lookups:
            if data.get(name):
                rows = rows.filter(**{f"{lookup}__path__startswith": data[name].path})
        return rows

    # --- the same filters on the response browser ----------------------------------------

    def response_browser_url(
        self, *, period: Period | None = None, band: str | None = None, **narrower
    ) -> str:
        """The response browser showing the responses behind a figure: this period (or
        ``period``), brand and touchpoint, narrowed by ``band`` (``DETRACTOR``…) and by
        ``narrower`` (``brand=<id>``, ``touchpoint=<id>``)."""
        period = period or self.period
        data = self.form.cleaned_data
        query = {"submitted_from": period.start.isoformat(), "submitted_to": period.end.isoformat()}
        for name, browser_name in RESPONSE_BROWSER_NAMES.items():
            chosen = narrower.get(name, data.get(name))
            if chosen is not None:
                query[browser_name] = getattr(chosen, "pk", chosen)
        if band is not None:
            query["band"] = COMMENT_BANDS[band]
        url = reverse("response-list", kwargs={"tenant_slug": self.request.tenant.slug})
        return f"{url}?{urlencode(query)}"

    @property
    def not_in_response_browser(self) -> list[str]:
        """The labels of the filters in use that the response browser cannot narrow by."""
        data = self.form.cleaned_data
        return [self.filters[name].label for name in NOT_IN_RESPONSE_BROWSER if data.get(name)]
