"""A tenant's time zone must be one the tz database knows (an unknown one made every public
page of the tenant fail).

Stored zones Python cannot read become UTC. On PostgreSQL a trigger then refuses an unknown
zone on every write, SQL included: a CHECK constraint cannot do it (it must be immutable and
the zone list is not), but a trigger may ask PostgreSQL's own tz database, cheaply, by
converting a time to the zone. (PostgreSQL also converts to a POSIX rule such as 'UTC+3',
which is no zone name: the model's validation refuses it.) The model validates against Python's list on save, and reads
an unknown zone as UTC (``Tenant.from_db``) should the two lists ever disagree.
"""

import logging
import zoneinfo

from django.db import migrations

logger = logging.getLogger(__name__)

CREATE_TRIGGER = """
CREATE FUNCTION tenants_tenant_time_zone_known() RETURNS trigger AS $$
BEGIN
    BEGIN
        PERFORM now() AT TIME ZONE NEW.time_zone;
    EXCEPTION WHEN invalid_parameter_value THEN
        RAISE check_violation USING
            MESSAGE = NEW.time_zone || ' is not a known time zone',
            CONSTRAINT = 'tenants_tenant_time_zone_known';
    END;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tenants_tenant_time_zone_known
    BEFORE INSERT OR UPDATE OF time_zone ON tenants_tenant
    FOR EACH ROW EXECUTE FUNCTION tenants_tenant_time_zone_known();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS tenants_tenant_time_zone_known ON tenants_tenant;
DROP FUNCTION IF EXISTS tenants_tenant_time_zone_known();
"""


def unknown_zones_to_utc(apps, schema_editor):
    known = zoneinfo.available_timezones()
    Tenant = apps.get_model("tenants", "Tenant")
    for tenant in Tenant.objects.exclude(time_zone__in=known):
        logger.warning("Tenant %s: unknown time zone %r set to UTC.", tenant.pk, tenant.time_zone)
        Tenant.objects.filter(pk=tenant.pk).update(time_zone="UTC")


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGER)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0005_department_padded_paths"),
    ]

    operations = [
        migrations.RunPython(unknown_zones_to_utc, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
