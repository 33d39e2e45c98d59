"""The corrective-action list's filters, for the page and the API alike (``tenants.filters``).

The complaint queue's filters are its own (``complaints.forms``), tuned for its speed.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from complaints.models import CorrectiveAction
from tenants.filters import MemberChoiceFilter, TenantFilterSet
from tenants.models import Membership
from tenants.permissions import Action, roles_allowed


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
