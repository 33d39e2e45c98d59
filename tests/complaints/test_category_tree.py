"""Complaint categories list in tree order with siblings in creation order, whatever the ids."""

import importlib

from django.db import connection
from django.db.migrations.loader import MigrationLoader

from complaints.models import Category
from complaints.services import category_create
from tests.tenants.sequences import next_ids_cross_a_digit


def test_sibling_categories_past_id_99_list_in_creation_order(acme):
    claims = category_create(tenant=acme, actor=None, code="claims", name="Claims")
    first_id, second_id = next_ids_cross_a_digit(Category)
    glass = category_create(tenant=acme, actor=None, code="glass", name="Glass", parent=claims)
    theft = category_create(tenant=acme, actor=None, code="theft", name="Theft", parent=claims)
    category_create(tenant=acme, actor=None, code="billing", name="Billing")
    assert (glass.pk, theft.pk) == (first_id, second_id)

    codes = list(Category.objects.for_tenant(acme).values_list("code", flat=True))

    assert codes == ["claims", "glass", "theft", "billing"]
    assert set(
        Category.objects.for_tenant(acme)
        .filter(path__startswith=claims.path)
        .values_list("code", flat=True)
    ) == {"claims", "glass", "theft"}


def test_the_migration_pads_old_category_paths_and_its_reverse_restores_them(acme):
    claims = category_create(tenant=acme, actor=None, code="claims", name="Claims")
    glass = category_create(tenant=acme, actor=None, code="glass", name="Glass", parent=claims)
    Category.objects.for_tenant(acme).filter(pk=claims.pk).update(path=f"/{claims.pk}/")
    Category.objects.for_tenant(acme).filter(pk=glass.pk).update(path=f"/{claims.pk}/{glass.pk}/")
    migration = importlib.import_module("complaints.migrations.0011_category_padded_paths")
    state = MigrationLoader(connection).project_state(("complaints", "0011_category_padded_paths"))

    migration.pad_paths(state.apps, None)

    glass.refresh_from_db()
    assert glass.path == f"/{claims.pk:010d}/{glass.pk:010d}/"

    migration.unpad_paths(state.apps, None)

    glass.refresh_from_db()
    assert glass.path == f"/{claims.pk}/{glass.pk}/"
