from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from tenants.demo import PEOPLE, seed_demo_tenant


class Command(BaseCommand):
    help = "Create (or bring back) the demo tenant and print where to log in. Safe to rerun."

    def handle(self, *args, **options):
        demo = seed_demo_tenant()
        login_url = settings.SITE_URL.rstrip("/") + reverse("login")
        self.stdout.write(self.style.SUCCESS(f"Demo tenant “{demo.tenant.name}” is ready."))
        self.stdout.write(f"  Log in at  {login_url}")
        self.stdout.write(f"  as admin   {demo.admin_email}")
        self.stdout.write(f"  password   {demo.password}")
        self.stdout.write("  Other demo users (same password):")
        for email, first_name, last_name, role, department, _code in PEOPLE[1:]:
            self.stdout.write(
                f"    {email:<36} {role.label:<10} {department:<14} {first_name} {last_name}"
            )
