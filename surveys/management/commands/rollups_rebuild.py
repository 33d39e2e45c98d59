"""``manage.py rollups_rebuild [--tenant SLUG]``: recompute every day of the answer rollup
(``surveys.rollups``) of one tenant or all, after rows were written around the one writer
(a bulk load, a restore); harmless to run again."""

from django.core.management.base import BaseCommand, CommandError

from surveys.rollups.services import answer_days_rebuild
from tenants import rls
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Recompute every day of the survey answers' daily rollup."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="the tenant's slug (default: every tenant)")

    def handle(self, *args, tenant=None, **options):
        tenants = Tenant.objects.order_by("pk")
        if tenant:
            tenants = tenants.filter(slug=tenant)
            if not tenants.exists():
                raise CommandError(f"No tenant {tenant!r}.")
        for each in tenants:
            with rls.tenant(each):
                days = answer_days_rebuild(tenant=each)
            self.stdout.write(f"{each.slug}: {days} days recomputed")
