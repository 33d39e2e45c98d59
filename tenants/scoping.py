"""The one tenant-scoping mechanism: a query on a tenant-owned model must name its tenant.

``Complaint.objects.filter(reference="X")`` raises :class:`UnscopedQueryError` when it is run
(or used inside another query); ``Complaint.objects.for_tenant(tenant).filter(...)`` runs.
A query counts as scoped when

* it went through ``.for_tenant(tenant)``, or
* its WHERE clause has a top-level ``tenant = <one value>`` / ``tenant IN (<one value>)``
  condition, or ``tenant = OuterRef("tenant")`` inside a subquery of a scoped query (so
  Django's own uniqueness checks, which filter on every field of a constraint, keep working),
  or
* it came from a related manager of a tenant-owned object (``complaint.transitions.all()``),
  which adds the object's tenant, or
* it says ``.unscoped()`` — the explicit, greppable escape hatch for superuser admin pages,
  migrations and cross-tenant maintenance.

A condition inside an ``OR``, a negated one, or one whose value is an expression or a list of
several tenants does not count. Combining querysets (``|``, ``^``, ``union()``...) is scoped only
when every part is. The flag lives on the SQL query object, so it survives being used as a
``Subquery``, in ``Exists`` or as ``__in=<queryset>``.
"""

from django.db import models
from django.db.models.expressions import Col, ResolvedOuterRef
from django.db.models.lookups import Exact, In
from django.db.models.sql import Query
from django.db.models.sql.where import AND


class UnscopedQueryError(RuntimeError):
    """A tenant-owned model was queried without naming the tenant."""


def _is_plain_value(value) -> bool:
    return not hasattr(value, "resolve_expression")


def names_tenant(query: Query) -> bool:
    """Whether ``query`` is limited to one tenant by a top-level condition."""
    where = query.where
    if where.connector != AND or where.negated:
        return False
    tenant_field = query.model._meta.get_field("tenant")
    base_alias = query.get_initial_alias() if query.alias_map else query.base_table
    for child in where.children:
        if not (
            isinstance(child, Exact | In)
            and isinstance(child.lhs, Col)
            and child.lhs.target == tenant_field
            and child.lhs.alias == base_alias
        ):
            continue
        if isinstance(child, Exact) and (
            _is_plain_value(child.rhs) or isinstance(child.rhs, ResolvedOuterRef)
        ):
            return True
        if isinstance(child, In) and _is_plain_value(child.rhs) and len(set(child.rhs)) == 1:
            return True
    return False


class TenantQuery(Query):
    """A SQL query that knows whether it was scoped to a tenant."""

    is_tenant_scoped = False

    def require_tenant_scope(self) -> None:
        if self.is_tenant_scoped or names_tenant(self):
            return
        raise UnscopedQueryError(
            f"Query on tenant-owned {self.model.__name__} without a tenant: "
            f"use .for_tenant(tenant) (or .unscoped() where crossing tenants is intended)."
        )

    def resolve_expression(self, *args, **kwargs):
        # Used inside another query (Subquery, Exists, __in=...): it must be scoped itself.
        self.require_tenant_scope()
        return super().resolve_expression(*args, **kwargs)


class TenantQuerySet(models.QuerySet):
    def __init__(self, model=None, query=None, using=None, hints=None):
        super().__init__(model, query or TenantQuery(model), using, hints)

    @property
    def _is_tenant_scoped(self) -> bool:
        return self.query.is_tenant_scoped

    def _mark_scoped(self, scoped: bool = True) -> "TenantQuerySet":
        clone = self._chain()
        clone.query.is_tenant_scoped = scoped
        return clone

    def for_tenant(self, tenant) -> "TenantQuerySet":
        """Rows of ``tenant`` only (a Tenant or its id)."""
        tenant_id = getattr(tenant, "pk", tenant)
        if tenant_id is None:
            raise UnscopedQueryError(f"{self.model.__name__}.for_tenant() needs a saved tenant")
        return self.filter(tenant_id=tenant_id)._mark_scoped()

    def unscoped(self) -> "TenantQuerySet":
        """Every tenant's rows. Dangerous: for superuser tools and maintenance only."""
        return self._chain()._mark_scoped()

    def _require_tenant_scope(self) -> None:
        self.query.require_tenant_scope()

    # Combining: scoped only when every part is.
    def __or__(self, other):
        combined = super().__or__(other)
        return combined._mark_scoped(self._is_tenant_scoped and other._is_tenant_scoped)

    def __xor__(self, other):
        combined = super().__xor__(other)
        return combined._mark_scoped(self._is_tenant_scoped and other._is_tenant_scoped)

    def __and__(self, other):
        combined = super().__and__(other)
        return combined._mark_scoped(self._is_tenant_scoped or other._is_tenant_scoped)

    def _combinator_query(self, combinator, *other_qs, all=False):
        for queryset in (self, *other_qs):
            if isinstance(queryset, TenantQuerySet):
                queryset._require_tenant_scope()
        return super()._combinator_query(combinator, *other_qs, all=all)

    # Every way a queryset reaches the database goes through one of these.
    def _fetch_all(self):
        if self._result_cache is None:
            self._require_tenant_scope()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._require_tenant_scope()
        return super().iterator(*args, **kwargs)

    def aiterator(self, *args, **kwargs):
        self._require_tenant_scope()
        return super().aiterator(*args, **kwargs)

    def count(self):
        if self._result_cache is None:
            self._require_tenant_scope()
        return super().count()

    def exists(self):
        if self._result_cache is None:
            self._require_tenant_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._require_tenant_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs):
        self._require_tenant_scope()
        return super().update(**kwargs)

    def delete(self):
        self._require_tenant_scope()
        return super().delete()

    def in_bulk(self, *args, **kwargs):
        self._require_tenant_scope()
        return super().in_bulk(*args, **kwargs)

    def explain(self, *args, **kwargs):
        self._require_tenant_scope()
        return super().explain(*args, **kwargs)

    def raw(self, *args, **kwargs):
        # Raw SQL cannot be checked: only an explicit .unscoped() may use it.
        if not self._is_tenant_scoped:
            raise UnscopedQueryError("raw() on a tenant-owned model needs .unscoped() first")
        return super().raw(*args, **kwargs)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    def get_queryset(self):
        queryset = super().get_queryset()
        # Related managers (``complaint.transitions``) carry the object they hang off; when that
        # object is tenant-owned, its tenant scopes the rows (and serves the tenant-first index).
        instance = getattr(self, "instance", None)
        if instance is not None and getattr(instance, "tenant_id", None) is not None:
            return queryset.for_tenant(instance.tenant_id)
        return queryset
