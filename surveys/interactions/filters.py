"""The interactions page's filters, for the page and the API alike (``tenants.filters``):
"why was this not surveyed?" is the decision filter."""

import django_filters
from django.utils.translation import gettext_lazy as _

from surveys.models import Interaction
from tenants.filters import TenantFilterSet


class InteractionFilterSet(TenantFilterSet):
    decision = django_filters.ChoiceFilter(
        label=_("Survey decision"), choices=Interaction.Decision.choices, empty_label=_("Any")
    )
    source = django_filters.ChoiceFilter(
        label=_("Source"), choices=Interaction.Source.choices, empty_label=_("Any")
    )

    class Meta:
        model = Interaction
        fields = []
