"""The second wall: PostgreSQL row-level security on every tenant-owned table.

Every table with a ``tenant_id`` column (every model with a ``tenant`` foreign key, listed from
the models by :func:`tenant_owned_tables`, so a new one cannot be forgotten) has a policy that
lets a statement see and write only the rows of the tenant named by the transaction's
``app.tenant`` setting, with ``FORCE ROW LEVEL SECURITY`` so the owner is held too. The app
connects as a role that neither owns the tables nor has ``BYPASSRLS`` (README, "Security"):
a query that forgot its tenant filter reads nothing of another tenant, even if the ORM's
scoping (``tenants.scoping``) was bypassed.

The tenant the code acts for lives in a context variable, set where the tenant is decided:

* a request starts with none (:class:`TenantContextMiddleware`); ``member_required`` and the
  public pages name it with :func:`activate` once they know it;
* a Celery task runs with its ``tenant_id`` argument, or none (:class:`TenantTask`);
* a management command runs across tenants (``manage.py``).

Before each statement, :func:`_apply` makes the database's setting match, with
``set_config('app.tenant', …, true)``: local to the transaction, so a pooled connection
carries nothing into the next request. A statement outside a transaction (Django's
autocommit) is run in a transaction of its own that sets it first.

Crossing tenants on purpose — the outbox sweeper, the SLA and survey scans, the superuser
admin, the login's workspace list, a survey link's lookup by token — says so with
:func:`all_tenants` (or :func:`activate_all_tenants` for the rest of a request): the setting
becomes ``*``, which the policy accepts. ``grep -rn all_tenants`` lists every such path.

On SQLite nothing of this runs: the setting is only kept in the context variable.
"""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from celery import Task
from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created
from psycopg.pq import TransactionStatus

ALL_TENANTS = "*"
# A table with a policy of this name is left as it is: a changed POLICY_EXPRESSION needs a new
# name (and the old policy dropped), or existing databases keep the old one.
POLICY_NAME = "loopdesk_tenant_isolation"

# The tenant id (as text), ALL_TENANTS, or None: what the database's app.tenant must say.
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("app_tenant", default=None)

# The policy: the row's tenant is the transaction's, or the transaction crosses tenants on
# purpose. The CASE keeps the cast from ever seeing "*" or "" (an unset setting reads "" once
# a transaction of the session has set it, NULL before): both name no tenant.
_SETTING = "current_setting('app.tenant', true)"
POLICY_EXPRESSION = (
    f"tenant_id = (CASE WHEN {_SETTING} ~ '^[0-9]+$' THEN {_SETTING}::bigint END) "
    f"OR {_SETTING} = '{ALL_TENANTS}'"
)


def _value_of(tenant) -> str:
    tenant_id = getattr(tenant, "pk", tenant)
    if isinstance(tenant_id, bool) or not isinstance(tenant_id, int):
        raise TypeError(f"a tenant or its integer id, not {tenant!r}")
    return str(tenant_id)


def current() -> str | None:
    """The tenant the code acts for: its id as text, ``"*"`` across tenants, or None."""
    return _current.get()


def activate(tenant) -> None:
    """Act for ``tenant`` (a Tenant or its id) until the request, task or block ends."""
    _current.set(_value_of(tenant))


def activate_all_tenants() -> None:
    """Cross tenants until the request ends (the superuser admin). Dangerous: see module."""
    _current.set(ALL_TENANTS)


@contextmanager
def tenant(tenant) -> Iterator[None]:
    """Act for ``tenant`` inside the block; the previous tenant (or none) after it."""
    token = _current.set(_value_of(tenant))
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def all_tenants() -> Iterator[None]:
    """Cross tenants inside the block, on purpose: the one escape hatch of the second wall."""
    token = _current.set(ALL_TENANTS)
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def no_tenant() -> Iterator[None]:
    """A fresh scope acting for no tenant (a request, a task): what it activates ends with it."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


def public_tenant_or_404(slug: str):
    """The active tenant of a public page's slug, which the rest of the request acts for."""
    from django.shortcuts import get_object_or_404

    from tenants.models import Tenant

    found = get_object_or_404(Tenant, slug=slug, is_active=True)
    activate(found)
    return found


class TenantContextMiddleware:
    """Each request starts acting for no tenant, and nothing it activates outlives it (a
    worker thread serves the next request with a clean slate)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with no_tenant():
            return self.get_response(request)


# --- the database side ------------------------------------------------------------------------

# Statements that read or write rows (a combined query starts with "("); anything else (DDL,
# SET, VACUUM…) runs as it is, so a statement that cannot run inside a transaction block is
# never wrapped in one. One missing here fails closed: run without the setting, it reads nothing.
_ROW_STATEMENTS = (
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "WITH",
    "MERGE",
    "COPY",
    "VALUES",
    "EXPLAI",
)
_SET_SQL = "SELECT set_config('app.tenant', %s, true)"


def _apply(execute, sql, params, many, context):
    """``execute_wrapper`` on every PostgreSQL connection: set ``app.tenant`` for the
    statement's transaction to the tenant the code acts for, then run the statement."""
    connection = context["connection"]
    raw = connection.connection
    wanted = _current.get()
    if raw.autocommit:
        if wanted is None or not sql.lstrip("( \t\n")[:6].upper().startswith(_ROW_STATEMENTS):
            return execute(sql, params, many, context)
        # A transaction of its own, opened by psycopg (Django's state is untouched), for the
        # setting to hold.
        with raw.transaction():
            raw.execute(_SET_SQL, (wanted,))
            return execute(sql, params, many, context)
    # In a transaction: set once per transaction and value. A transaction that has not begun
    # yet (psycopg begins it with its first statement) has nothing set ("").
    if raw.info.transaction_status == TransactionStatus.IDLE:
        connection.rls_applied = ""
    if getattr(connection, "rls_applied", None) != (wanted or ""):
        raw.execute(_SET_SQL, (wanted or "",))
        connection.rls_applied = wanted or ""
    try:
        return execute(sql, params, many, context)
    finally:
        # ROLLBACK TO SAVEPOINT undoes a set_config made after the savepoint: set it again.
        if sql.startswith("ROLLBACK"):
            connection.rls_applied = None


def install_on(connection) -> None:
    """Put :func:`_apply` on a PostgreSQL connection (once)."""
    if connection.vendor == "postgresql" and _apply not in connection.execute_wrappers:
        connection.execute_wrappers.append(_apply)


def _on_connection_created(sender, connection, **kwargs):
    install_on(connection)


connection_created.connect(_on_connection_created, dispatch_uid="tenants.rls.install")


# --- policies and grants (post_migrate, as the owner) -----------------------------------------


def tenant_owned_tables() -> list[str]:
    """Every table with a ``tenant_id`` column: the concrete models with a ``tenant`` foreign
    key to :class:`~tenants.models.Tenant`."""
    from django.apps import apps

    from tenants.models import Tenant

    tables = set()
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for field in meta.local_concrete_fields:
            if field.column == "tenant_id" and field.related_model is Tenant:
                tables.add(meta.db_table)
    return sorted(tables)


def app_role() -> str:
    """The role the app connects as (``DATABASE_APP_ROLE``, else the user of DATABASE_URL)."""
    return settings.DATABASE_APP_ROLE


def grant_to_app_role(connection) -> None:
    """Let the app role read and write rows (never own, alter or truncate) of every table the
    connection's role creates from now on, and of those it created already."""
    app_user = app_role()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        if not app_user or cursor.fetchone()[0] == app_user:
            return  # one role for both: nothing to grant (see README, "Security")
        quoted = connection.ops.quote_name(app_user)
        for statement in (
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {quoted}",
        ):
            cursor.execute(statement)


def missing_policies(connection) -> list[str]:
    """Tenant-owned tables without row-level security enabled and forced, or without the
    policy."""
    tables = tenant_owned_tables()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
            WHERE c.relname = ANY(%s) AND c.relrowsecurity AND c.relforcerowsecurity
              AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = %s)
            """,
            [tables, POLICY_NAME],
        )
        protected = {row[0] for row in cursor.fetchall()}
    return [table for table in tables if table not in protected]


def install_policies(connection) -> list[str]:
    """Enable and force row-level security with the tenant policy on every tenant-owned table
    that lacks it; returns those tables. Needs the tables' owner."""
    tables = missing_policies(connection)
    with connection.cursor() as cursor:
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {quoted}")
            cursor.execute(
                f"CREATE POLICY {POLICY_NAME} ON {quoted} "
                f"USING ({POLICY_EXPRESSION}) WITH CHECK ({POLICY_EXPRESSION})"
            )
    return tables


def before_migrate(sender, using, **kwargs):
    """pre_migrate: the tables the migrations create are the app role's to use."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        grant_to_app_role(connection)


def after_migrate(sender, using, **kwargs):
    """post_migrate: every tenant-owned table (new ones included) has its policy, and the app
    role may use every table. A ``flush`` (the tests') finds everything in place and only
    reads the catalogue."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    if missing_policies(connection):
        install_policies(connection)
    grant_to_app_role(connection)


# --- Celery -------------------------------------------------------------------------------------


class TenantTask(Task):
    """Every task's base (``config/celery.py``): it runs for the tenant named by its
    ``tenant_id`` argument, or for none; nothing of one task reaches the next one the worker
    runs. A task that crosses tenants (a beat scan) says so with :func:`all_tenants`."""

    def __call__(self, *args, **kwargs):
        tenant_id = kwargs.get("tenant_id")
        with no_tenant():
            if tenant_id is not None:
                activate(int(tenant_id))
            return super().__call__(*args, **kwargs)
