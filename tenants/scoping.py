"""The one tenant-scoping mechanism: a query on a tenant-owned model must name its tenant.

``Complaint.objects.filter(reference="X")`` raises :class:`UnscopedQueryError` when it is run;
``Complaint.objects.for_tenant(tenant).filter(reference="X")`` runs. A query counts as scoped when

* it went through ``.for_tenant(tenant)``, or
* its WHERE clause has a top-level ``tenant = …`` / ``tenant IN …`` condition (so Django's own
  uniqueness checks, which filter on every field of a constraint, keep working), or
* it came from a related manager of an object that was itself loaded in scope
  (``complaint.transitions.all()``), or
* it says ``.unscoped()`` — the explicit, greppable escape hatch for superuser admin pages,
  migrations and cross-tenant maintenance.

A condition inside an ``OR`` does not count: ``Q(tenant=a) | Q(name="x")`` would leak.
"""

from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In
from django.db.models.sql.where import AND


class UnscopedQueryError(RuntimeError):
    """A tenant-owned model was queried without naming the tenant."""


class TenantQuerySet(models.QuerySet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._is_tenant_scoped = False

    def _clone(self):
        clone = super()._clone()
        clone._is_tenant_scoped = self._is_tenant_scoped
        return clone

    def for_tenant(self, tenant) -> "TenantQuerySet":
        """Rows of ``tenant`` only (a Tenant or its id)."""
        tenant_id = getattr(tenant, "pk", tenant)
        if tenant_id is None:
            raise UnscopedQueryError(f"{self.model.__name__}.for_tenant() needs a saved tenant")
        clone = self.filter(tenant_id=tenant_id)
        clone._is_tenant_scoped = True
        return clone

    def unscoped(self) -> "TenantQuerySet":
        """Every tenant's rows. Dangerous: for superuser tools and maintenance only."""
        clone = self._chain()
        clone._is_tenant_scoped = True
        return clone

    def _require_tenant_scope(self) -> None:
        if self._is_tenant_scoped or self._where_names_tenant():
            return
        raise UnscopedQueryError(
            f"Query on tenant-owned {self.model.__name__} without a tenant: "
            f"use .for_tenant(tenant) (or .unscoped() where crossing tenants is intended)."
        )

    def _where_names_tenant(self) -> bool:
        where = self.query.where
        if where.connector != AND or where.negated:
            return False
        tenant_field = self.model._meta.get_field("tenant")
        base_alias = self.query.get_initial_alias()
        for child in where.children:
            if (
                isinstance(child, Exact | In)
                and isinstance(child.lhs, Col)
                and child.lhs.target == tenant_field
                and child.lhs.alias == base_alias
            ):
                return True
        return False

    # Every way a queryset reaches the database goes through one of these.
    def _fetch_all(self):
        if self._result_cache is None:
            self._require_tenant_scope()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._require_tenant_scope()
        return super().iterator(*args, **kwargs)

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


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    def get_queryset(self):
        queryset = super().get_queryset()
        # Related managers (``complaint.transitions``) carry the object they hang off; that
        # object was loaded in scope, and tenant-owned rows only point within their tenant.
        if getattr(self, "instance", None) is not None:
            queryset._is_tenant_scoped = True
        return queryset
