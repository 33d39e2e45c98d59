"""``manage.py tenant_create --name "Acme" --slug acme --admin-email ops@acme.example``: a new
tenant and its first admin, who gets an invitation email (through the outbox) to choose a
password. See ``tenants.onboarding``."""

from django.core.management.base import BaseCommand, CommandError

from tenants.errors import ApplicationError
from tenants.onboarding import tenant_create


class Command(BaseCommand):
    help = "Create a tenant and its first admin, and email the admin an invitation."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The organisation's name.")
        parser.add_argument("--slug", required=True, help="Its address: /<slug>/.")
        parser.add_argument("--admin-email", required=True, help="The first admin's email.")
        parser.add_argument("--country", default="GR", help="ISO code (public holidays).")
        parser.add_argument("--time-zone", default="Europe/Athens")
        parser.add_argument("--language", default="en", help="The default language.")

    def handle(self, *args, **options):
        try:
            tenant, invitation = tenant_create(
                actor=None,
                name=options["name"],
                slug=options["slug"],
                admin_email=options["admin_email"],
                country=options["country"],
                time_zone=options["time_zone"],
                language=options["language"],
            )
        except ApplicationError as error:
            details = "; ".join(
                f"--{field.replace('_', '-')}: {' '.join(str(m) for m in messages)}"
                for field, messages in (error.fields or {}).items()
            )
            raise CommandError(f"{error.message} {details}".strip()) from None
        self.stdout.write(
            f"Created {tenant.name} at /{tenant.slug}/. {invitation.email} is its admin and has "
            f"been sent an invitation (valid until {invitation.expires_at:%Y-%m-%d %H:%M} UTC)."
        )
