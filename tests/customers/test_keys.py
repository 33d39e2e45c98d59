"""Contact keys: one key per email address and per phone number, whatever way it was typed."""

import importlib

import pytest
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import Q, UniqueConstraint

from customers.keys import email_key, phone_key
from customers.models import Customer
from tests.complaint_fixtures import file_complaint


@pytest.mark.parametrize(
    "typed",
    ["+30 210 0001000", "210 0001000", "2100001000", "0030 210-000 1000", "+302100001000"],
)
def test_a_greek_number_has_one_key_however_it_is_typed(typed):
    assert phone_key(typed, region="GR") == "+302100001000"


def test_the_region_reads_a_number_without_a_country_code():
    assert phone_key("06 1234 5678", region="IT") == "+390612345678"
    assert phone_key("+39 06 1234 5678", region="GR") == "+390612345678"


@pytest.mark.parametrize(("typed", "key"), [("", ""), ("12", "12"), ("+12", "+12")])
def test_what_is_not_a_possible_number_keeps_its_digits(typed, key):
    assert phone_key(typed, region="GR") == key


def test_an_email_key_ignores_case_and_spaces():
    assert email_key("  Maria.Rossi@EXAMPLE.com ") == "maria.rossi@example.com"


def test_a_national_number_finds_the_customer_filed_with_the_international_one(
    acme_setup, acme_brand
):
    first = file_complaint(acme_brand, email="", phone="+30 210 0001000")

    second = file_complaint(acme_brand, email="", phone="210 0001000")

    assert second.customer_id == first.customer_id
    assert Customer.objects.for_tenant(acme_setup).get().phone_key == "+302100001000"


def test_the_migration_recomputes_the_keys_stored_before_it(acme):
    # given a customer stored with the old digits-only key of a national number
    customer = Customer.objects.create(
        tenant=acme, name="Maria", phone="210 0001000", phone_key="2100001000"
    )
    migration = importlib.import_module("customers.migrations.0001_initial")
    state = MigrationLoader(connection).project_state(("customers", "0001_initial"))

    migration.recompute_phone_keys(state.apps, None)

    customer.refresh_from_db()
    assert customer.phone_key == "+302100001000"


def test_the_migration_reversed_leaves_one_customer_per_phone_key(as_table_owner, acme, globex):
    # given customers sharing a phone key (allowed since the migration), in two tenants
    maria = Customer.objects.create(
        tenant=acme,
        name="Maria",
        email="maria@example.com",
        phone="+30 210 0001000",
        phone_key="+302100001000",
    )
    nikos = Customer.objects.create(
        tenant=acme,
        name="Nikos",
        email="nikos@example.com",
        phone="210 0001000",
        phone_key="+302100001000",
    )
    other = Customer.objects.create(
        tenant=globex, name="Other", phone="210 0001000", phone_key="+302100001000"
    )
    migration = importlib.import_module("customers.migrations.0001_initial")
    state = MigrationLoader(connection).project_state(("customers", "0001_initial"))

    # when the data step is reversed and the old unique constraint comes back (in a
    # transaction rolled back at the end: the table is everyone's)
    with transaction.atomic():
        migration.unique_phone_keys(state.apps, None)
        with connection.cursor() as cursor:  # the test's inserts: checked now, so DDL may follow
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with connection.schema_editor() as editor:
            editor.add_constraint(
                Customer,
                UniqueConstraint(
                    fields=["tenant", "phone_key"],
                    condition=~Q(phone_key=""),
                    name="customer_unique_phone",
                ),
            )
        rows = list(
            Customer.objects.unscoped().order_by("pk").values_list("pk", "phone", "phone_key")
        )
        transaction.set_rollback(True)

    # then the earliest keeps the key, the other keeps the phone as typed, Globex is untouched
    assert rows == [
        (maria.pk, "+30 210 0001000", "+302100001000"),
        (nikos.pk, "210 0001000", ""),
        (other.pk, "210 0001000", "+302100001000"),
    ]
