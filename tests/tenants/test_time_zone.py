"""A tenant's time zone is one the tz database knows, on every write path; and a stored zone
that is not (written by SQL, or dropped by a tzdata update) is read as UTC with a warning, so
the tenant's public pages keep working instead of failing with a 500."""

import importlib
import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from tenants.models import Tenant

pytestmark = pytest.mark.django_db


def store_zone_past_the_model(tenant, zone):
    """What an old row, a hand-written UPDATE or a tzdata update leaves behind (the tables'
    owner: see ``as_table_owner``)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The trigger of migration 0006 refuses it; a replica-role session skips triggers.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE tenants_tenant SET time_zone = %s WHERE id = %s", [zone, tenant.pk])
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def test_a_tenant_with_an_unknown_stored_zone_still_serves_its_public_form(
    as_table_owner, client, acme_setup, acme_brand, caplog
):
    store_zone_past_the_model(acme_setup, "Mars/Base")
    form = reverse(
        "public-complaint-form", kwargs={"tenant_slug": "acme", "brand_slug": acme_brand.slug}
    )

    with caplog.at_level(logging.WARNING, logger="tenants.models"):
        response = client.get(form)
        lookup = client.get(reverse("public-complaint-lookup", kwargs={"tenant_slug": "acme"}))

    assert [response.status_code, lookup.status_code] == [200, 200]
    assert "Mars/Base" in caplog.text
    assert Tenant.objects.get(pk=acme_setup.pk).time_zone == "UTC"


@pytest.mark.parametrize("zone", ["Mars/Base", "europe/athens", "", "UTC+3"])
def test_saving_a_tenant_refuses_an_unknown_zone(acme, zone):
    acme.time_zone = zone

    with pytest.raises(ValidationError):
        acme.save()
    with pytest.raises(ValidationError):
        Tenant(slug="initech", name="Initech", country="GR", time_zone=zone).save()

    assert Tenant.objects.values_list("time_zone", flat=True).get(pk=acme.pk) != zone


@pytest.mark.postgres
def test_postgresql_refuses_an_unknown_zone_written_by_sql(acme):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE tenants_tenant SET time_zone = 'Mars/Base' WHERE id = %s", [acme.pk])

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tenants_tenant SET time_zone = 'Europe/Rome' WHERE id = %s", [acme.pk]
        )
    assert Tenant.objects.get(pk=acme.pk).time_zone == "Europe/Rome"


def test_the_admin_offers_the_known_zones_and_refuses_others(admin_client, acme):
    url = reverse("admin:tenants_tenant_change", args=[acme.pk])

    page = admin_client.get(url).content.decode()
    refused = admin_client.post(
        url,
        {
            "slug": acme.slug,
            "name": acme.name,
            "country": acme.country,
            "time_zone": "Mars/Base",
            "default_language": "en",
            "working_hours": "{}",
        },
    )

    assert '<option value="Europe/Athens"' in page
    assert refused.status_code == 200
    assert "Mars/Base is not a known time zone" in refused.content.decode()
    assert Tenant.objects.get(pk=acme.pk).time_zone != "Mars/Base"


def test_the_migration_sets_unknown_stored_zones_to_utc(as_table_owner, acme):
    from django.apps import apps

    store_zone_past_the_model(acme, "Mars/Base")
    migration = importlib.import_module("tenants.migrations.0006_tenant_time_zone_known")

    migration.unknown_zones_to_utc(apps, None)

    assert Tenant.objects.values_list("time_zone", flat=True).get(pk=acme.pk) == "UTC"
