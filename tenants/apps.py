from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class TenantsConfig(AppConfig):
    name = "tenants"

    def ready(self):
        # Row-level security (PostgreSQL): the per-transaction tenant on every connection, and
        # the policies and grants after each migrate.
        from tenants import rls

        pre_migrate.connect(rls.before_migrate, sender=self, dispatch_uid="tenants.rls.pre")
        post_migrate.connect(rls.after_migrate, sender=self, dispatch_uid="tenants.rls.post")
