"""The Content-Security-Policy: every main page carries it and has nothing inline it would refuse.

The policy allows scripts and styles only from our own origin, so an inline ``<script>``, an
``on*=`` handler or a ``style=`` attribute in a page would either break it (the browser ignores
them) or force ``'unsafe-inline'``, which would let an injected script run too. The only inline
element allowed is the brand's colours on public pages, a ``<style>`` with the response's nonce.
"""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.lifecycle import State
from notifications.models import Delivery
from surveys.models import Invitation
from surveys.sender import invitations_run
from tests.complaint_fixtures import status_key
from tests.surveys.survey_fixtures import (
    add_rule,
    make_customer,
    publish_survey,
    record,
    token_in,
)

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("own_cache")]

DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


class Inline(HTMLParser):
    """What a page has inline: scripts without ``src``, ``on*=`` handlers, ``style=``
    attributes, and the nonces of its ``<style>`` elements (None for one without)."""

    def __init__(self):
        super().__init__()
        self.scripts, self.handlers, self.style_attributes, self.style_nonces = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.scripts.append(self.get_starttag_text())
        if tag == "style":
            self.style_nonces.append(attributes.get("nonce"))
        self.handlers += [name for name in attributes if name.startswith("on")]
        if "style" in attributes:
            self.style_attributes.append(self.get_starttag_text())


def policy_of(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict([*part.strip().split(" ", 1), ""][:2] for part in header.split(";") if part.strip())


def assert_nothing_inline(response):
    assert response.status_code == 200
    policy = policy_of(response)
    for directive, sources in DIRECTIVES.items():
        assert policy[directive] == sources, directive
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    page = Inline()
    page.feed(response.content.decode())
    assert page.scripts == []
    assert page.handlers == []
    assert page.style_attributes == []
    if page.style_nonces:
        # Only the brand's colours, and the header lets exactly that nonce through.
        assert len(page.style_nonces) == 1
        assert page.style_nonces[0]
        assert policy["style-src"] == f"'self' 'nonce-{page.style_nonces[0]}'"
    else:
        assert policy["style-src"] == "'self'"
    return page


def test_the_staff_pages_carry_the_policy_and_nothing_inline(client, acme_admin, complaint_in):
    complaint = complaint_in(State.ASSESSED)
    assert_nothing_inline(client.get(reverse("login")))
    client.force_login(acme_admin.user)
    for name, kwargs in (
        ("home", {}),
        ("team", {}),
        ("complaint-queue", {}),
        ("complaint-detail", {"reference": complaint.reference}),
    ):
        page = assert_nothing_inline(
            client.get(reverse(name, kwargs={"tenant_slug": "acme", **kwargs}))
        )
        assert page.style_nonces == []
    # The API docs (Swagger UI, its script served from ?script), staff only.
    assert_nothing_inline(client.get(reverse("api-docs")))


def test_the_public_complaint_pages_carry_the_policy_and_only_the_brand_style(
    client, acme_brand, complaint_in
):
    acme_brand.colour = "#aa3300"
    acme_brand.save()
    form = client.get(
        reverse(
            "public-complaint-form", kwargs={"tenant_slug": "acme", "brand_slug": acme_brand.slug}
        )
    )
    page = assert_nothing_inline(form)
    assert page.style_nonces != []
    assert "--brand: #aa3300;" in form.content.decode()

    complaint = complaint_in(State.ASSESSED)
    status_url = reverse(
        "public-complaint-status", kwargs={"tenant_slug": "acme", "reference": complaint.reference}
    )
    assert client.get(status_url, {"key": status_key(complaint)}).status_code == 302
    status = client.get(status_url)
    assert_nothing_inline(status)
    # A fresh nonce for every response.
    assert policy_of(status)["style-src"] != policy_of(form)["style-src"]


def test_the_survey_page_carries_the_policy_and_only_the_brand_style(client, acme, acme_brand):
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=60)
    maria = make_customer(acme, "Maria Rossi", "maria@example.com", language="en")
    now = timezone.now()
    record(acme_brand, maria, occurred_at=now - timedelta(hours=2), now=now, reference="visit-1")
    invitations_run(now=now)
    assert Invitation.objects.for_tenant(acme).filter(customer=maria).exists()
    token = token_in(Delivery.objects.for_tenant(acme).get(recipient=maria.email))

    page = assert_nothing_inline(client.get(f"/s/{token}/"))
    assert len(page.style_nonces) == 1
