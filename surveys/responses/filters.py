"""The response browser's filters, for the page and the API alike (``tenants.filters``)."""

from datetime import datetime, time

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys import scoring
from surveys.models import Response
from tenants.filters import EMPTY_LABEL, CheckboxFilter, MemberChoiceFilter, TenantFilterSet
from tenants.models import Brand, Touchpoint

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class ResponseFilterSet(TenantFilterSet):
    brand = django_filters.ModelChoiceFilter(
        label=_("Brand"),
        field_name="interaction__brand",
        queryset=Brand.objects.order_by("name"),
        empty_label=EMPTY_LABEL,
    )
    touchpoint = django_filters.ModelChoiceFilter(
        label=_("Touchpoint"),
        field_name="interaction__touchpoint",
        queryset=Touchpoint.objects.order_by("name"),
        empty_label=EMPTY_LABEL,
    )
    performer = MemberChoiceFilter(label=_("Handled by"), field_name="interaction__performer")
    band = django_filters.ChoiceFilter(
        label=_("Score"), choices=scoring.BANDS, empty_label=EMPTY_LABEL, method="filter_band"
    )
    # Days in the tenant's time zone (the page runs in it): from its first to its last instant.
    submitted_from = django_filters.DateFilter(
        label=_("From"), field_name="submitted_at", method="filter_from", widget=DATE_INPUT
    )
    submitted_to = django_filters.DateFilter(
        label=_("To"), field_name="submitted_at", method="filter_to", widget=DATE_INPUT
    )
    with_comment = CheckboxFilter(label=_("With a comment"), method="filter_with_comment")

    date_ranges = (("submitted_from", "submitted_to"),)

    class Meta:
        model = Response
        fields = []

    def filter_band(self, responses, name, band):
        return responses.filter(scoring.band_q(band))

    def filter_from(self, responses, name, day):
        start = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
        return responses.filter(**{f"{name}__gte": start})

    def filter_to(self, responses, name, day):
        end = datetime.combine(day, time.max, tzinfo=timezone.get_current_timezone())
        return responses.filter(**{f"{name}__lte": end})

    def filter_with_comment(self, responses, name, value):
        return responses.exclude(comment="")
