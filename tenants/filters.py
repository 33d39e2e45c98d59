"""The base of every list's filters: django-filter FilterSets whose choices are the tenant's.

A list's FilterSet is the one definition of its filters: the browser page renders its form and
takes ``filterset.qs``; the REST API will use the same class through
``django_filters.rest_framework.DjangoFilterBackend``.

The choices of a filter on another model (a brand, a member, a department) are always the
request's tenant's: :class:`TenantFilterSet` narrows every ``ModelChoiceFilter`` and
``ModelMultipleChoiceFilter`` queryset with ``for_tenant`` when it is built, so an id from
another tenant is answered like an id that does not exist — the field's "Select a valid
choice" — never with that tenant's row and never with a 500. A filter may declare a narrower
queryset (a callable taking the request, e.g. the departments the member sees); it is scoped
to the tenant all the same.

Bad input leaves the other filters applied: django-filter filters with the fields that
cleaned, so a mistyped date drops only itself while the page shows the field's error and a
banner (``templates/partials/filters.html``).
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.models import Department, Membership, Role
from tenants.permissions import visible_to
from tenants.scoping import UnscopedQueryError

EMPTY_LABEL = "—"  # a select that does not narrow the list


def tenant_id_of(request) -> int:
    """The id of the request's tenant: ``request.tenant`` (set by ``member_required``, and by
    the API from its key) or the tenant of ``request.member``. No tenant is an error, never
    "every tenant"."""
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        tenant = getattr(getattr(request, "member", None), "tenant", None)
    if tenant is None or tenant.pk is None:
        raise UnscopedQueryError("A TenantFilterSet needs a request with its tenant.")
    return tenant.pk


class _RangeCheckingForm:
    """A filter form that refuses a reversed range: the end's field says so and is dropped
    (the start still filters), as any refused input is."""

    date_ranges: tuple[tuple[str, str], ...] = ()

    def clean(self):
        cleaned = super().clean()
        for start, end in self.date_ranges:
            first, last = cleaned.get(start), cleaned.get(end)
            if first is not None and last is not None and last < first:
                self.add_error(end, _("This date is before the start of the range."))
        return cleaned


class TenantFilterSet(django_filters.FilterSet):
    """A FilterSet whose model choices are the request's tenant's (see the module's doc).

    ``date_ranges`` names its (start, end) pairs of date filters: a range whose end comes
    before its start is refused like a mistyped date (the field's error and the banner)."""

    date_ranges: tuple[tuple[str, str], ...] = ()

    def __init__(self, data=None, queryset=None, *, request, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        tenant_id = tenant_id_of(request)
        self.member = getattr(request, "member", None)
        for name, filter_ in self.filters.items():
            if not isinstance(
                filter_, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter
            ):
                continue
            choices = filter_.get_queryset(request)
            if choices is None or not hasattr(choices, "for_tenant"):
                raise TypeError(
                    f"{type(self).__name__}.{name}: the choices must be a tenant-owned queryset."
                )
            # Always, even over a queryset that says .unscoped(): the wall is here.
            filter_.queryset = choices.for_tenant(tenant_id)

    def get_form_class(self):
        form_class = super().get_form_class()
        if not self.date_ranges:
            return form_class
        return type(
            form_class.__name__,
            (_RangeCheckingForm, form_class),
            {"date_ranges": self.date_ranges},
        )

    @property
    def has_errors(self) -> bool:
        """Whether some input was refused (the list is filtered by the rest)."""
        return self.is_bound and bool(self.form.errors)


class MemberChoiceField(forms.ModelChoiceField):
    """A member by name (or login), as the lists show them."""

    def label_from_instance(self, obj: Membership) -> str:
        return obj.user.get_full_name() or obj.user.get_username()


class MemberChoiceFilter(django_filters.ModelChoiceFilter):
    """One of the tenant's members, by name; the users are read in the same query."""

    field_class = MemberChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "queryset",
            Membership.objects.select_related("user").order_by(
                "user__first_name", "user__last_name", "pk"
            ),
        )
        kwargs.setdefault("empty_label", EMPTY_LABEL)
        super().__init__(*args, **kwargs)


class TickField(forms.BooleanField):
    """A checkbox that cleans to True or None: unticked is "no filter", not "False"."""

    def to_python(self, value):
        return super().to_python(value) or None


class CheckboxFilter(django_filters.BooleanFilter):
    """A checkbox: ticked narrows the list (with the filter's ``method`` or lookup), unticked
    leaves it whole, where a plain BooleanFilter would filter on ``False``."""

    field_class = TickField


# --- the team page ------------------------------------------------------------------------------


class DepartmentChoiceField(forms.ModelChoiceField):
    """A department, indented by its depth in the tree."""

    def label_from_instance(self, obj: Department) -> str:
        return "\u00a0\u00a0" * obj.depth + obj.name


class DepartmentChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = DepartmentChoiceField


def visible_departments(request):
    """The departments the member sees (their subtree, or the whole tree), in tree order."""
    return visible_to(Department.objects.all(), request.member, department_field="").order_by(
        "path"
    )


class MemberFilterSet(TenantFilterSet):
    """The team page's members: by name or email, department (with those below it), role."""

    search = django_filters.CharFilter(label=_("Name or email"), method="filter_search")
    department = DepartmentChoiceFilter(
        label=_("Department"),
        queryset=visible_departments,
        empty_label=EMPTY_LABEL,
        method="filter_department",
    )
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices, empty_label=_("Any"))

    class Meta:
        model = Membership
        fields = []

    def filter_search(self, members, name, words):
        for word in words.split():
            members = members.filter(
                Q(user__first_name__icontains=word)
                | Q(user__last_name__icontains=word)
                | Q(user__email__icontains=word)
            )
        return members

    def filter_department(self, members, name, department):
        return members.filter(department__path__startswith=department.path)
