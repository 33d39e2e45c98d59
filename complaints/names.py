"""Names a page prints, read as scalar subqueries of the page's one query.

PostgreSQL plans a query with many joins slowly (2 ms for five joins, 5–6 ms for ten, more
than running it): a name that is only printed is cheaper as a subquery on a primary key.
"""

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

from tenants.models import Membership


def name_of(model, tenant_id: int, column: str, field: str = "name") -> Subquery:
    """``model``'s ``field`` for the row whose key is in ``column`` of the outer query."""
    return Subquery(
        model.objects.for_tenant(tenant_id).filter(pk=OuterRef(column)).order_by().values(field)[:1]
    )


def member_name(tenant_id: int, column: str) -> Subquery:
    """A member's full name, or their username when they have none (``get_full_name() or
    get_username()``), for the membership whose key is in ``column``."""
    full_name = Trim(Concat("user__first_name", Value(" "), "user__last_name"))
    return Subquery(
        Membership.objects.for_tenant(tenant_id)
        .filter(pk=OuterRef(column))
        .order_by()
        .annotate(name=Coalesce(NullIf(full_name, Value("")), "user__username"))
        .values("name")[:1]
    )
