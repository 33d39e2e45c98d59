"""``seed_demo``: the demo tenant with its complaints, surveys and a year of answers.

It lives in ``demo``, the app at the top of the dependency chain and the only one that may import
every other: it composes the demos of every app (``complaints`` may not import ``surveys``).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from demo.complaints import seed_demo_complaints
from demo.notifications import settle_demo_alerts
from demo.ratings import seed_demo_ratings
from demo.surveys import seed_demo_surveys
from demo.tenant import PEOPLE, seed_demo_tenant
from tenants.rls import all_tenants


class Command(BaseCommand):
    help = "Create (or bring back) the demo tenant and print where to log in. Safe to rerun."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off (the demo users share a published password).",
        )
        parser.add_argument(
            "--complaints", type=int, default=300, help="How many demo complaints (default 300)."
        )
        parser.add_argument(
            "--interactions",
            type=int,
            default=12000,
            help="How many demo service interactions over the last year (default 12000: "
            "about a dozen answers a month behind each performer's rating).",
        )

    @all_tenants()  # it creates a tenant and fills it (tenants.rls)
    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates users with a published password; with DEBUG off it needs "
                "--force."
            )
        demo = seed_demo_tenant()
        # Complaints first: the surveys' seed dates their closing interactions back.
        complaints = seed_demo_complaints(demo.tenant, count=options["complaints"])
        settle_demo_alerts(demo.tenant)
        interactions = seed_demo_surveys(demo.tenant, interactions=options["interactions"])
        # Last: the ratings are computed from the complaints and answers of the year.
        periods = seed_demo_ratings(demo.tenant)
        login_url = settings.SITE_URL.rstrip("/") + reverse("login")
        self.stdout.write(self.style.SUCCESS(f"Demo tenant “{demo.tenant.name}” is ready."))
        if complaints:
            self.stdout.write(f"  added {complaints} demo complaints")
        if interactions:
            self.stdout.write(f"  added {interactions} demo interactions")
        if periods:
            self.stdout.write(f"  computed the ratings of {periods} periods")
        self.stdout.write(f"  Log in at  {login_url}")
        self.stdout.write(f"  as admin   {demo.admin_email}")
        self.stdout.write(f"  password   {demo.password}")
        self.stdout.write("  Other demo users (same password):")
        for email, first_name, last_name, role, department, _code in PEOPLE[1:]:
            self.stdout.write(
                f"    {email:<36} {role.label:<10} {department:<14} {first_name} {last_name}"
            )
