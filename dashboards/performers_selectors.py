"""The performers tab's data: the ratings leaderboard of one stored rating period, read by
``ratings.selectors`` (``leaderboard``, ``department_ratings``) and never computed again.

Its filters are a rating period's and a department's, not the other dashboards' days: a
rating is stored per month, quarter or year (``ratings.models.RatingPeriod``) and belongs to
the performer's department. So the tab has its own two filters:

* **period** — ``<kind>:<first day>`` of a stored period (``month:2026-03-01``); by default the
  latest month that has begun (the current one once the nightly run has computed it, else the
  one before);
* **department** — the dashboards' ``department`` (the same name in the URL, so the tabs carry
  it): a department and those below it, of the performer. The choices are those whose ratings
  the member reads, as on the leaderboard: every department for admins and analysts, their
  department's subtree for a manager (who, without a choice, sees that subtree).

The other dashboard filters (dates, comparison, brand, touchpoint, channel, category) say
nothing of a rating: the tab does not apply them and carries them along for the other tabs.
"""

from dataclasses import dataclass
from datetime import date

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ratings import selectors as ratings
from ratings.models import Rating, RatingPeriod
from tenants.filters import EMPTY_LABEL, DepartmentChoiceField
from tenants.models import Department, Membership
from tenants.permissions import Action, require, visible_subtree, visible_to

# The kind of period shown when none is chosen.
DEFAULT_KIND = RatingPeriod.Kind.MONTH
# The tab's own filters; the other parameters of the query string are the other tabs'.
OWN_FILTERS = ("period", "department")


def period_key(period: RatingPeriod) -> str:
    """A period's value in the URL: ``<kind>:<first day>``."""
    return f"{period.kind}:{period.start.isoformat()}"


def period_label(period: RatingPeriod) -> str:
    """A month by its name and year, a quarter and a year by their days."""
    if period.kind == RatingPeriod.Kind.MONTH:
        return date_format(period.start, "YEAR_MONTH_FORMAT")
    if period.kind == RatingPeriod.Kind.YEAR:
        return str(period.start.year)
    return _("%(start)s to before %(end)s") % {
        "start": date_format(period.start, "SHORT_DATE_FORMAT"),
        "end": date_format(period.end, "SHORT_DATE_FORMAT"),
    }


def default_period(periods: list[RatingPeriod], today: date) -> RatingPeriod | None:
    """The latest period of ``DEFAULT_KIND`` that has begun by ``today`` (``periods``: newest
    first), or None when none is stored."""
    return next((p for p in periods if p.kind == DEFAULT_KIND and p.start <= today), None)


class PerformersFilterForm(forms.Form):
    """The tab's filters for ``member``: the stored periods of every kind (newest first, by
    kind) and the departments whose ratings the member reads."""

    period = forms.ChoiceField(label=_("Rating period"), required=False)
    department = DepartmentChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=EMPTY_LABEL,
        help_text=_("With those below it: where the performer works."),
    )

    def __init__(self, data, *, member: Membership):
        self.member = member
        self.periods = {
            period_key(period): period
            for kind in RatingPeriod.Kind.values
            for period in ratings.periods_of(member.tenant_id, kind)
        }
        super().__init__(data)
        self.fields["period"].choices = [
            (
                label,
                [(key, period_label(p)) for key, p in self.periods.items() if p.kind == kind],
            )
            for kind, label in RatingPeriod.Kind.choices
        ]
        self.fields["department"].queryset = visible_to(
            Department.objects.all(), member, department_field=""
        ).order_by("path")

    def clean_period(self) -> RatingPeriod | None:
        key = self.cleaned_data["period"]
        if key:
            return self.periods[key]  # a choice: the field refused anything else
        return default_period(list(self.periods.values()), ratings.today_of(self.member.tenant))

    def clean_department(self) -> Department | None:
        department = self.cleaned_data["department"]
        if department is None and visible_subtree(self.member) is not None:
            return self.member.department  # a manager: their subtree, as on the leaderboard
        return department


class PerformersFilters:
    """The tab's filters of a request, shaped as a ``DashboardFilterSet`` for the pages and
    downloads (``is_valid``, ``form``, ``data``)."""

    def __init__(self, request):
        self.request = request
        self.data = request.GET
        self.form = PerformersFilterForm(request.GET, member=request.member)

    @classmethod
    def from_request(cls, request) -> "PerformersFilters":
        return cls(request)

    def is_valid(self) -> bool:
        return self.form.is_valid()

    @property
    def period(self) -> RatingPeriod | None:
        return self.form.cleaned_data["period"]

    @property
    def department(self) -> Department | None:
        return self.form.cleaned_data["department"]

    @property
    def carried(self) -> list[tuple[str, str]]:
        """The other tabs' filters in the query string, kept in the tab's form."""
        return [
            (name, value)
            for name, values in self.request.GET.lists()
            if name not in OWN_FILTERS
            for value in values
        ]


@dataclass(frozen=True)
class PerformersDashboard:
    period: RatingPeriod | None  # None: no rating period is stored yet
    department: Department | None  # the subtree shown; None: everyone
    ranked: list[ratings.BoardRow]  # best first, equal ratings sharing a rank
    unranked: list[ratings.BoardRow]  # not enough data
    department_ratings: list[Rating]  # the subtree's departments, in tree order


def performers_dashboard(member: Membership, filters: PerformersFilters) -> PerformersDashboard:
    """The leaderboard of the (valid) filters' period and department subtree, and the ratings
    of its departments: ``ratings.selectors``' (three queries). Refuses a member whose role
    does not read others' ratings."""
    require(member, Action.VIEW_RATINGS)
    period, department = filters.period, filters.department
    if period is None:
        return PerformersDashboard(None, department, [], [], [])
    ranked, unranked = ratings.leaderboard(member.tenant_id, period, department)
    return PerformersDashboard(
        period=period,
        department=department,
        ranked=ranked,
        unranked=unranked,
        department_ratings=list(ratings.department_ratings(member.tenant_id, period, department)),
    )
