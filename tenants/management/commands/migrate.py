"""``migrate`` as the tables' owner: Django's own command, whose default database is the
``owner`` alias when ``DATABASE_OWNER_URL`` is set (the app's own role may not create or alter
tables), across tenants (a data migration reads every tenant's rows through the row-level
security that ``FORCE`` puts on the owner too). See ``tenants.rls``."""

from django.conf import settings
from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, connections

from tenants.rls import all_tenants

OWNER_ALIAS = "owner"


class Command(migrate.Command):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        if OWNER_ALIAS in settings.DATABASES:
            parser.set_defaults(database=OWNER_ALIAS)

    def handle(self, *args, **options):
        app_connection = connections[DEFAULT_DB_ALIAS]
        if options["database"] == OWNER_ALIAS:
            # Data migrations write through the default alias: make it the owner's connection,
            # so they run in the migration's own transaction.
            connections[DEFAULT_DB_ALIAS] = connections[OWNER_ALIAS]
        try:
            with all_tenants():
                return super().handle(*args, **options)
        finally:
            connections[DEFAULT_DB_ALIAS] = app_connection
