"""A platform operator creates a tenant and its first admin with one command (or the superuser
admin's add form); the admin's invitation goes through the outbox and its link lets them choose
a password and land in the workspace."""

import hashlib

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.management import CommandError
from django.urls import reverse

from notifications.models import Delivery
from tenants.models import AuditEntry, MemberInvitation, Membership, Tenant
from tests.factories import UserFactory
from tests.tenants.invitation_links import (
    accept_invitation,
    create_tenant,
    invitation_link,
    invitation_link_in_email,
    invitation_path,
)
from tests.test_secrets_at_rest import tables_holding

PASSWORD = "a long and new passphrase"
ACCEPT = "/accounts/invitation/"


def test_the_command_creates_the_tenant_its_admin_and_one_invitation_email(db):
    printed = create_tenant(
        name="Initech",
        slug="initech",
        admin_email="Boss@Initech.example",
        country="IT",
        time_zone="Europe/Rome",
        language="it",
    )

    tenant = Tenant.objects.get(slug="initech")
    assert (tenant.name, tenant.country, tenant.time_zone, tenant.default_language) == (
        "Initech",
        "IT",
        "Europe/Rome",
        "it",
    )
    assert "Created Initech at /initech/. boss@initech.example is its admin" in printed
    boss = get_user_model().objects.get(email="boss@initech.example")
    assert not boss.has_usable_password()
    [membership] = Membership.objects.for_tenant(tenant)
    assert (membership.user, membership.role, membership.is_active) == (boss, "admin", True)
    [delivery] = Delivery.objects.for_tenant(tenant)
    assert (delivery.recipient, delivery.status) == ("boss@initech.example", "pending")
    # in the tenant's language
    assert delivery.subject == "Sei invitato a Initech su Loopdesk"
    assert sorted(AuditEntry.objects.for_tenant(tenant).values_list("action", flat=True)) == [
        "invitation.created",
        "membership.granted",
        "tenant.created",
    ]


def test_the_first_admin_follows_the_link_chooses_a_password_and_lands_in_the_workspace(db, client):
    create_tenant(name="Initech", slug="initech", admin_email="boss@initech.example")
    path = invitation_path(invitation_link("initech", "boss@initech.example"))

    opened = client.get(path)
    page = client.get(ACCEPT)
    joined = client.post(
        ACCEPT,
        {
            "first_name": "Bill",
            "last_name": "Lumbergh",
            "new_password1": PASSWORD,
            "new_password2": PASSWORD,
        },
    )

    assert opened["Location"] == ACCEPT  # the token leaves the address at once
    assert page.status_code == 200
    assert "Join Initech" in page.content.decode()
    assert "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "same-origin"
    assert joined["Location"] == "/initech/"
    boss = get_user_model().objects.get(email="boss@initech.example")
    assert int(client.session[SESSION_KEY]) == boss.pk
    assert (boss.first_name, boss.last_name, boss.check_password(PASSWORD)) == (
        "Bill",
        "Lumbergh",
        True,
    )
    assert client.get("/initech/settings/members/").status_code == 200
    # the link works once
    client.logout()
    again = client.get(path, follow=True)
    assert again.status_code == 410
    assert "This invitation was accepted already" in again.content.decode()


def test_a_password_the_validators_refuse_is_shown_and_nothing_changes(db, client):
    create_tenant(name="Initech", slug="initech", admin_email="boss@initech.example")
    path = invitation_path(invitation_link("initech", "boss@initech.example"))

    client.get(path)
    refused = client.post(
        ACCEPT,
        {"first_name": "Bill", "last_name": "", "new_password1": "1234", "new_password2": "1234"},
    )

    assert refused.status_code == 400
    page = refused.content.decode()
    assert "This password is too short." in page
    assert "This password is entirely numeric." in page
    assert not get_user_model().objects.get(email="boss@initech.example").has_usable_password()
    assert (
        MemberInvitation.objects.for_tenant(Tenant.objects.get(slug="initech")).get().accepted_at
        is None
    )
    assert SESSION_KEY not in client.session


@pytest.mark.postgres
def test_the_worker_sends_the_email_its_link_works_and_the_token_is_nowhere_at_rest(
    celery_worker, _smtp_sink, db, client
):
    create_tenant(name="Initech", slug="initech", admin_email="boss@initech.example")

    [message] = _smtp_sink.wait_for(1, timeout=30)
    link = invitation_link_in_email(message)
    token = link.rstrip("/").rsplit("/", 1)[1]
    joined = accept_invitation(client, link, first_name="Bill", password=PASSWORD)

    assert message["To"] == "boss@initech.example"
    assert message["Subject"] == "You are invited to Initech on Loopdesk"
    assert joined["Location"] == "/initech/"
    # the standard of tests/test_secrets_at_rest.py: only the token's hash is kept
    assert len(token) == 43
    assert tables_holding(token) == []
    assert tables_holding(hashlib.sha256(token.encode()).hexdigest()) == [
        "public.tenants_memberinvitation.token_hash"
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"slug": "admin"}, "--slug: “admin” is reserved."),
        ({"slug": "acme"}, "--slug: This address is taken by another workspace."),
        ({"country": "XX"}, "--country: No public holidays are known for this country code."),
        ({"time_zone": "Mars/Olympus"}, "--time-zone: Mars/Olympus is not a known time zone."),
        ({"admin_email": "not an address"}, "--admin-email: Enter a valid email address."),
    ],
)
def test_the_command_refuses_bad_values_and_creates_nothing(acme, options, message):
    values = {"name": "Initech", "slug": "initech", "admin_email": "boss@initech.example"}

    with pytest.raises(CommandError) as refused:
        create_tenant(**(values | options))

    assert message in str(refused.value)
    assert list(Tenant.objects.values_list("slug", flat=True)) == ["acme"]
    assert not get_user_model().objects.filter(email="boss@initech.example").exists()


def test_the_superuser_admin_adds_a_tenant_with_its_first_admin(db, client):
    root = UserFactory(username="root@example.com", is_staff=True, is_superuser=True)
    client.force_login(root)

    form = client.get(reverse("admin:tenants_tenant_add"))
    response = client.post(
        reverse("admin:tenants_tenant_add"),
        {
            "name": "Initech",
            "slug": "initech",
            "country": "GR",
            "time_zone": "Europe/Athens",
            "default_language": "en",
            "admin_email": "boss@initech.example",
        },
    )

    assert form.status_code == 200 and "First admin" in form.content.decode()
    assert response.status_code == 302
    tenant = Tenant.objects.get(slug="initech")
    assert Membership.objects.for_tenant(tenant).get().user.email == "boss@initech.example"
    assert invitation_link("initech", "boss@initech.example").startswith("http")
    entry = AuditEntry.objects.for_tenant(tenant).get(action="tenant.created")
    assert entry.actor == root


def test_the_superuser_admin_refuses_an_unknown_country(db, client):
    client.force_login(UserFactory(username="root@example.com", is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:tenants_tenant_add"),
        {
            "name": "Initech",
            "slug": "initech",
            "country": "XX",
            "time_zone": "Europe/Athens",
            "default_language": "en",
            "admin_email": "boss@initech.example",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "country": ["No public holidays are known for this country code."]
    }
    assert not Tenant.objects.filter(slug="initech").exists()


def test_the_admins_membership_change_page_answers(db, client, acme_agent, globex_agent):
    client.force_login(UserFactory(username="root@example.com", is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:tenants_membership_change", args=[acme_agent.pk]))

    assert page.status_code == 200
    choices = page.context["adminform"].form.fields["department"].queryset
    assert {department.tenant_id for department in choices} == {acme_agent.tenant_id}
    assert set(choices.values_list("code", flat=True)) == {
        "head-office",
        "north",
        "south",
        "north-branch",
        "south-branch",
    }
