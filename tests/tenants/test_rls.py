"""The second wall: PostgreSQL row-level security (``tenants.rls``).

The tests connect as the app's role (``config.test_settings``), which neither owns the tables
nor has BYPASSRLS. Acme's rows must be out of reach of anything acting for Globex, or for no
tenant, whatever the SQL says: these queries carry no tenant filter at all.
"""

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.db import ProgrammingError, connection, transaction
from psycopg import sql

from tenants import rls
from tenants.models import Department, Membership, Tenant
from tenants.tasks import ping_task
from tests.servers import database_url_of

pytestmark = pytest.mark.postgres


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
        return cursor.fetchone()[0]


def _tenant_ids(table: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT tenant_id FROM {connection.ops.quote_name(table)}")
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def two_tenants(acme_agent, acme_manager, globex_agent):
    """Bob and Mario work for Acme, Charlie for Globex."""
    return acme_agent.tenant, globex_agent.tenant


def test_the_tests_connect_as_a_role_that_rls_holds(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        user, is_superuser, bypasses = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
            " AND tableowner = current_user"
        )
        owned = cursor.fetchone()[0]

    assert (user, is_superuser, bypasses, owned) == (settings.DATABASE_APP_ROLE, False, False, 0)


def test_every_model_with_a_tenant_has_the_policy_forced(db):
    """Listed from the models, so a new tenant-owned model cannot be forgotten."""
    with_tenant = sorted(
        model._meta.db_table
        for model in apps.get_models()
        if any(
            field.column == "tenant_id" and field.related_model is Tenant
            for field in model._meta.local_concrete_fields
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid
            WHERE c.relrowsecurity AND c.relforcerowsecurity AND p.polname = %s
            ORDER BY c.relname
            """,
            [rls.POLICY_NAME],
        )
        protected = [row[0] for row in cursor.fetchall()]

    assert {"complaints_complaint", "surveys_response", "tenants_membership"} <= set(with_tenant)
    assert protected == with_tenant
    assert rls.missing_policies(connection) == []


UNION = "(SELECT tenant_id FROM tenants_department) UNION ALL (SELECT tenant_id FROM tenants_brand)"


def _union_tenant_ids() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(UNION)
        return {row[0] for row in cursor.fetchall()}


def test_raw_sql_for_one_tenant_reads_none_of_the_others_rows(transactional_db, two_tenants):
    acme, globex = two_tenants
    with rls.all_tenants():
        assert _union_tenant_ids() == {acme.pk, globex.pk}

    with transaction.atomic(), rls.tenant(acme):
        acme_sees = _tenant_ids("tenants_membership"), _count("tenants_department")
        acme_union = _union_tenant_ids()
    with rls.tenant(globex):  # outside a transaction (autocommit): each statement gets its own
        globex_sees = _tenant_ids("tenants_membership"), _count("tenants_department")
        globex_union = _union_tenant_ids()  # a combined query, which starts with "("

    assert acme_sees == ({acme.pk}, 5)
    assert acme_union == {acme.pk}
    assert globex_sees == ({globex.pk}, 1)
    assert globex_union == {globex.pk}


def test_a_query_with_no_tenant_set_reads_nothing(two_tenants):
    with rls.no_tenant():
        counts = [_count(table) for table in ("tenants_membership", "tenants_department")]
        orm = Membership.objects.unscoped().count()  # the ORM's own escape hatch: still nothing

    assert counts == [0, 0]
    assert orm == 0
    with rls.all_tenants():  # the explicit escape hatch sees both tenants
        assert _tenant_ids("tenants_membership") == {t.pk for t in two_tenants}


def test_writing_another_tenants_rows_is_refused(two_tenants):
    acme, globex = two_tenants

    with rls.tenant(acme), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tenants_department SET name = 'Hacked' WHERE tenant_id = %s RETURNING id",
            [globex.pk],
        )
        updated = cursor.fetchall()
        with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
            cursor.execute(
                "INSERT INTO tenants_department (tenant_id, code, name, path)"
                " VALUES (%s, 'x', 'Planted', '0001')",
                [globex.pk],
            )

    assert updated == []
    with rls.all_tenants():
        assert sorted(d.name for d in Department.objects.for_tenant(globex)) == ["Globex HQ"]


def test_the_tenant_setting_does_not_outlive_its_transaction(transactional_db, two_tenants):
    """set_config(…, true): a pooled connection carries nothing into the next request."""
    acme, _globex = two_tenants

    with rls.tenant(acme), transaction.atomic():
        in_transaction = _count("tenants_membership")
    with rls.no_tenant(), connection.cursor() as cursor:  # the same connection, bare SQL
        cursor.execute("SELECT current_setting('app.tenant', true)")
        setting = cursor.fetchone()[0]
        after = _count("tenants_membership")

    assert in_transaction == 2
    assert setting == ""
    assert after == 0


@pytest.mark.worker
def test_a_worker_that_ran_a_tenants_task_then_one_without_sees_nothing(celery_worker, two_tenants):
    acme, _globex = two_tenants

    for_acme = ping_task.delay(tenant_id=acme.pk).get(timeout=30)
    for_nobody = ping_task.delay().get(timeout=30)

    assert for_acme["visible_memberships"] == 2
    assert for_nobody["visible_memberships"] == 0
    assert for_nobody["tenants"] == ["acme", "globex"]  # the tenants table itself is not walled


@pytest.fixture
def app_role_session(two_tenants, transactional_db):
    """A connection of the app's role of its own, outside Django and its tenant setting."""
    with psycopg.connect(
        database_url_of(connection.settings_dict).replace("postgres://", "postgresql://"),
        autocommit=True,
    ) as session:
        yield session


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE tenants_membership DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE tenants_membership NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY loopdesk_tenant_isolation ON tenants_membership",
        "ALTER ROLE CURRENT_USER BYPASSRLS",
    ],
)
def test_the_app_role_cannot_turn_the_wall_off(app_role_session, statement):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_role_session.execute(statement)

    assert app_role_session.execute("SELECT count(*) FROM tenants_membership").fetchone() == (0,)


def test_the_app_role_cannot_switch_row_security_off(app_role_session):
    app_role_session.execute("SET row_security = off")

    # With row_security off, a query that the policy would filter fails instead of reading.
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        app_role_session.execute("SELECT count(*) FROM tenants_membership")


def test_the_app_role_cannot_reset_role_to_a_stronger_one(app_role_session):
    app_role_session.execute("RESET ROLE")
    app_role_session.execute("SET SESSION AUTHORIZATION DEFAULT")

    who = app_role_session.execute("SELECT current_user, session_user").fetchone()
    count = app_role_session.execute("SELECT count(*) FROM tenants_membership").fetchone()

    assert who == (settings.DATABASE_APP_ROLE, settings.DATABASE_APP_ROLE)
    assert count == (0,)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_role_session.execute(
            sql.SQL("SET ROLE {}").format(sql.Identifier(settings.TEST_DATABASE_OWNER["USER"]))
        )
