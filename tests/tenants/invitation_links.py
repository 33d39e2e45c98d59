"""For tests (and the acceptance browser test): create a tenant as the platform's operator does,
and read an invitation's link from the outbox as its email will carry it.

    from tests.tenants.invitation_links import create_tenant, invitation_link
    create_tenant(name="Initech", slug="initech", admin_email="boss@initech.example")
    link = invitation_link("initech", "boss@initech.example")  # http://…/accounts/invitation/…/
    path = invitation_path(link)  # /accounts/invitation/…/, for a client or a live server
    accept_invitation(client, link, first_name="Bill", password="…")  # → 302 to /initech/

Opening the link remembers the invitation in the session and redirects to
``/accounts/invitation/`` (``ACCEPT_PATH``), where the form is: a browser follows on its own; a
test client posts the form there after opening the link.
"""

import io
import re

from django.conf import settings
from django.core.management import call_command

from notifications.models import Delivery
from notifications.services import delivery_rendered
from tenants.models import Tenant

LINK = re.compile(rf"{re.escape(settings.SITE_URL.rstrip('/'))}/accounts/invitation/[^/\s]+/")


def create_tenant(*, name: str, slug: str, admin_email: str, **options) -> str:
    """``manage.py tenant_create`` (``country``, ``time_zone``, ``language`` as options);
    returns what it printed."""
    out = io.StringIO()
    call_command(
        "tenant_create", name=name, slug=slug, admin_email=admin_email, stdout=out, **options
    )
    return out.getvalue()


def invitation_link(tenant_slug: str, email: str) -> str:
    """The link of the newest invitation email to ``email`` in the tenant's outbox, as it is
    sent (the outbox stores a slot; the link key is filled in as the worker would)."""
    tenant = Tenant.objects.get(slug=tenant_slug)
    delivery = (
        Delivery.objects.for_tenant(tenant)
        .filter(recipient=email, dedupe_key__startswith="member-invitation-")
        .order_by("-pk")
        .first()
    )
    assert delivery is not None, f"no invitation email to {email} in {tenant_slug}'s outbox"
    return LINK.search(delivery_rendered(delivery).body).group(0)


ACCEPT_PATH = "/accounts/invitation/"


def invitation_path(link: str) -> str:
    return link.removeprefix(settings.SITE_URL.rstrip("/"))


def accept_invitation(client, link: str, *, first_name: str, password: str, last_name: str = ""):
    """Open the link and send the invitation's form with the client (Django's test client):
    the answer is a redirect to the workspace, the client signed in."""
    client.get(invitation_path(link))
    return client.post(
        ACCEPT_PATH,
        {
            "first_name": first_name,
            "last_name": last_name,
            "new_password1": password,
            "new_password2": password,
        },
    )


def invitation_link_in_email(message) -> str:
    """The link in an email the SMTP server received (``tests.servers.SmtpSink``): once the
    worker has sent the row, the outbox keeps neither its text nor its link key."""
    return LINK.search(message.get_body(preferencelist=("plain",)).get_content()).group(0)
