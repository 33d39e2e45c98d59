"""The follow-up list's filters, for the page and the API alike (``tenants.filters``)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from surveys.models import FollowUp
from tenants.filters import CheckboxFilter, TenantFilterSet


class FollowUpFilterSet(TenantFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=FollowUp.Status.choices, empty_label=_("Any")
    )
    mine = CheckboxFilter(label=_("Assigned to me"), method="filter_mine")

    class Meta:
        model = FollowUp
        fields = []

    def filter_mine(self, follow_ups, name, value):
        if self.member is None:  # a tenant's API key is nobody: nothing is "mine"
            return follow_ups.none()
        return follow_ups.filter(assignee=self.member)
