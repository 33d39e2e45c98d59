"""The members' settings page: admins invite, change, deactivate and reactivate (each audited),
managers read, other roles see nothing, another tenant's member is not found; an invitation's
link works once, until it expires or is resent; a deactivated member is refused and routed no
complaints."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.utils import timezone

from complaints.models import Category
from notifications.models import Delivery
from tenants.models import AuditEntry, Department, MemberInvitation, Membership
from tests.complaint_fixtures import file_complaint
from tests.factories import PASSWORD
from tests.tenants.invitation_links import invitation_link, invitation_path

URL = "/acme/settings/members/"
NEW_PASSWORD = "a long and new passphrase"
ACCEPT = "/accounts/invitation/"


def _department(tenant, code):
    return Department.objects.for_tenant(tenant).get(code=code)


def _invite(client, email="nora@example.com", role="agent", department=""):
    return client.post(URL + "invite/", {"email": email, "role": role, "department": department})


def _actions(tenant, prefix):
    return list(
        AuditEntry.objects.for_tenant(tenant)
        .filter(action__startswith=prefix)
        .order_by("pk")
        .values_list("action", flat=True)
    )


def _accept(client, path, **overrides):
    """Open the emailed link (which moves on to ACCEPT, without the token) and send the form."""
    client.get(path, follow=True)
    return client.post(
        ACCEPT,
        {
            "first_name": "Nora",
            "last_name": "Keel",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        }
        | overrides,
    )


def test_an_admin_invites_and_the_invitee_joins_with_that_role_and_department(
    acme_admin, client_of, client
):
    north = _department(acme_admin.tenant, "north-branch")
    admin = client_of(acme_admin)

    sent = _invite(admin, email="Nora@Example.com", department=north.pk)
    listed = admin.get(URL).content.decode()

    assert sent["Location"] == URL
    assert "nora@example.com" in listed
    [delivery] = Delivery.objects.for_tenant(acme_admin.tenant)
    assert delivery.recipient == "nora@example.com"
    assert delivery.body.startswith("Alice ")
    assert "invites you to work in Acme Insurance's Loopdesk workspace as Agent." in delivery.body
    assert _actions(acme_admin.tenant, "invitation.") == ["invitation.created"]

    admin.logout()
    joined = _accept(client, invitation_path(invitation_link("acme", "nora@example.com")))

    assert joined["Location"] == "/acme/"
    nora = get_user_model().objects.get(email="nora@example.com")
    assert int(client.session[SESSION_KEY]) == nora.pk
    membership = Membership.objects.for_tenant(acme_admin.tenant).get(user=nora)
    assert (membership.role, membership.department, membership.is_active) == (
        "agent",
        north,
        True,
    )
    assert client.get("/acme/complaints/").status_code == 200
    assert _actions(acme_admin.tenant, "invitation.") == [
        "invitation.created",
        "invitation.accepted",
    ]


def test_someone_with_an_account_signs_in_and_joins_with_one_click(
    acme_admin, globex_agent, client_of, client
):
    # Charlie works at Globex and has a password already: the invitation does not set one.
    _invite(client_of(acme_admin), email="charlie@globex.example", role="analyst")
    client.logout()
    path = invitation_path(invitation_link("acme", "charlie@globex.example"))

    stranger = client.get(path, follow=True)
    refused = _accept(client, path)
    client.force_login(globex_agent.user)
    joined = client.post(ACCEPT)

    assert "has a Loopdesk account already. Sign in with it" in stranger.content.decode()
    assert SESSION_KEY not in refused.wsgi_request.session
    assert joined["Location"] == "/acme/"
    charlie = get_user_model().objects.get(pk=globex_agent.user_id)
    assert charlie.check_password(PASSWORD)
    assert Membership.objects.for_tenant(acme_admin.tenant).get(user=charlie).role == "analyst"


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"email": "not an address"}, "Enter a valid email address."),
        ({"role": "agent", "department": ""}, "Managers, agents and performers need a department."),
        ({"email": "bob@acme.example"}, "This person is a member already."),
        ({"role": "owner"}, "Select a valid choice. owner is not one of the available choices."),
    ],
)
def test_a_bad_invitation_is_refused_on_its_field_and_sends_nothing(
    acme_admin, acme_agent, client_of, data, field_message
):
    north = _department(acme_admin.tenant, "north-branch")
    values = {"email": "nora@example.com", "role": "agent", "department": north.pk} | data

    response = _invite(client_of(acme_admin), **values)

    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not MemberInvitation.objects.for_tenant(acme_admin.tenant).exists()
    assert not Delivery.objects.for_tenant(acme_admin.tenant).exists()


def test_inviting_an_address_twice_asks_for_a_resend(acme_admin, client_of):
    admin = client_of(acme_admin)
    _invite(admin, role="analyst")

    again = _invite(admin, role="analyst")

    assert again.status_code == 400
    assert "An invitation to this address is waiting: resend it from the list." in (
        again.content.decode()
    )
    assert Delivery.objects.for_tenant(acme_admin.tenant).count() == 1


def test_a_resend_mails_a_new_link_and_the_old_one_opens_nothing(acme_admin, client_of, client):
    admin = client_of(acme_admin)
    _invite(admin, role="analyst")
    first = invitation_path(invitation_link("acme", "nora@example.com"))
    invitation = MemberInvitation.objects.for_tenant(acme_admin.tenant).get()

    resent = admin.post(f"{URL}invitations/{invitation.pk}/resend/")
    second = invitation_path(invitation_link("acme", "nora@example.com"))
    admin.logout()

    assert resent["Location"] == URL
    assert second != first
    assert Delivery.objects.for_tenant(acme_admin.tenant).count() == 2
    assert client.get(first, follow=True).status_code == 404
    assert "This invitation link is not valid." in client.get(first, follow=True).content.decode()
    assert client.get(second, follow=True).status_code == 200
    assert _actions(acme_admin.tenant, "invitation.") == ["invitation.created", "invitation.resent"]


def test_an_expired_link_says_so_and_a_resend_brings_it_back(acme_admin, client_of, client):
    admin = client_of(acme_admin)
    _invite(admin, role="analyst")
    path = invitation_path(invitation_link("acme", "nora@example.com"))
    MemberInvitation.objects.for_tenant(acme_admin.tenant).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    admin.logout()

    expired = client.get(path, follow=True)
    refused = _accept(client, path)

    assert expired.status_code == 410
    assert "This invitation has expired. Ask an admin of the workspace" in expired.content.decode()
    assert refused.status_code == 410
    assert not get_user_model().objects.filter(email="nora@example.com").exists()


def test_a_used_link_works_once(acme_admin, client_of, client):
    _invite(client_of(acme_admin), role="analyst")
    client.logout()
    path = invitation_path(invitation_link("acme", "nora@example.com"))
    _accept(client, path)
    client.logout()

    used = _accept(
        client, path, new_password1="another pass 1234", new_password2="another pass 1234"
    )

    assert used.status_code == 410
    assert "This invitation was accepted already" in used.content.decode()
    assert get_user_model().objects.get(email="nora@example.com").check_password(NEW_PASSWORD)


def test_an_unknown_token_gets_a_clear_page(client, db):
    response = client.get("/accounts/invitation/" + "x" * 43 + "/", follow=True)

    assert response.status_code == 404
    assert "This invitation link is not valid." in response.content.decode()


def test_a_withdrawn_invitation_opens_nothing(acme_admin, client_of, client):
    admin = client_of(acme_admin)
    _invite(admin, role="analyst")
    path = invitation_path(invitation_link("acme", "nora@example.com"))
    invitation = MemberInvitation.objects.for_tenant(acme_admin.tenant).get()

    admin.post(f"{URL}invitations/{invitation.pk}/withdraw/")
    admin.logout()
    page = client.get(path, follow=True)

    assert page.status_code == 410
    assert "This invitation was withdrawn." in page.content.decode()
    assert _actions(acme_admin.tenant, "invitation.") == [
        "invitation.created",
        "invitation.withdrawn",
    ]


def test_an_admin_changes_a_members_role_and_department(acme_admin, acme_agent, client_of):
    south = _department(acme_admin.tenant, "south")

    response = client_of(acme_admin).post(
        f"{URL}{acme_agent.pk}/", {"role": "manager", "department": south.pk}
    )

    assert response["Location"] == URL
    acme_agent.refresh_from_db()
    assert (acme_agent.role, acme_agent.department) == ("manager", south)
    entry = AuditEntry.objects.for_tenant(acme_admin.tenant).get(action="membership.changed")
    assert (entry.actor, entry.target_id) == (acme_admin.user, str(acme_agent.pk))
    assert entry.changes == {
        "role": ["agent", "manager"],
        "department": [_department(acme_admin.tenant, "north-branch").pk, south.pk],
    }


def test_the_last_admin_cannot_be_demoted_or_deactivated(acme_admin, client_of):
    client = client_of(acme_admin)

    demoted = client.post(f"{URL}{acme_admin.pk}/", {"role": "analyst", "department": ""})
    deactivated = client.post(f"{URL}{acme_admin.pk}/deactivate/", follow=True)

    assert demoted.status_code == 400
    assert "The workspace needs at least one active admin." in demoted.content.decode()
    assert "You cannot deactivate yourself." in deactivated.content.decode()
    acme_admin.refresh_from_db()
    assert (acme_admin.role, acme_admin.is_active) == ("admin", True)
    assert (
        not AuditEntry.objects.for_tenant(acme_admin.tenant)
        .filter(action__startswith="membership.", actor=acme_admin.user)
        .exists()
    )


def test_a_deactivated_member_is_refused_and_routed_nothing_until_reactivated(
    acme_setup, acme_brand, acme_admin, acme_agent, client_of, client
):
    claims = Category.objects.for_tenant(acme_setup).get(code="claims")
    admin = client_of(acme_admin)

    deactivated = admin.post(f"{URL}{acme_agent.pk}/deactivate/")
    unrouted = file_complaint(acme_brand, category=claims)
    client.force_login(acme_agent.user)
    refused = client.get("/acme/complaints/")
    admin.force_login(acme_admin.user)
    admin.post(f"{URL}{acme_agent.pk}/reactivate/")
    routed = file_complaint(acme_brand, category=claims, subject="Again")

    assert deactivated["Location"] == URL
    assert refused.status_code == 404  # like a workspace they never had
    assert unrouted.department.code == "north-branch" and unrouted.assignee is None
    assert routed.assignee == acme_agent
    assert _actions(acme_admin.tenant, "membership.") == [
        "membership.granted",  # the personas' own
        "membership.granted",
        "membership.deactivated",
        "membership.reactivated",
    ]


def test_a_manager_reads_the_page_but_cannot_write(acme_manager, acme_agent, client_of):
    client = client_of(acme_manager)
    north = _department(acme_manager.tenant, "north-branch")
    before = list(AuditEntry.objects.for_tenant(acme_manager.tenant).values_list("pk", flat=True))

    page = client.get(URL)
    member_page = client.get(f"{URL}{acme_agent.pk}/")
    refused = [
        _invite(client, department=north.pk).status_code,
        client.post(
            f"{URL}{acme_agent.pk}/", {"role": "manager", "department": north.pk}
        ).status_code,
        client.post(f"{URL}{acme_agent.pk}/deactivate/").status_code,
    ]

    assert page.status_code == 200 and member_page.status_code == 200
    assert f'<a href="{URL}" aria-current="page">Members</a>' in member_page.content.decode()
    assert "<fieldset disabled>" in page.content.decode()
    assert "Deactivate</button>" not in page.content.decode()
    assert refused == [403, 403, 403]
    acme_agent.refresh_from_db()
    assert (acme_agent.role, acme_agent.is_active) == ("agent", True)
    assert not MemberInvitation.objects.for_tenant(acme_manager.tenant).exists()
    after = list(AuditEntry.objects.for_tenant(acme_manager.tenant).values_list("pk", flat=True))
    assert after == before


@pytest.mark.parametrize("persona", ["acme_agent", "acme_performer", "acme_analyst"])
def test_other_roles_do_not_see_the_page(persona, request, client_of):
    member = request.getfixturevalue(persona)
    client = client_of(member)

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{member.pk}/").status_code == 403


def test_another_tenants_member_gets_not_found(globex_agent, acme, client_of):
    assert client_of(globex_agent).get(URL).status_code == 404


def test_another_tenants_membership_in_the_address_is_not_found(
    acme_admin, globex_agent, client_of
):
    client = client_of(acme_admin)

    answers = [
        client.get(f"{URL}{globex_agent.pk}/").status_code,
        client.post(f"{URL}{globex_agent.pk}/", {"role": "manager"}).status_code,
        client.post(f"{URL}{globex_agent.pk}/deactivate/").status_code,
    ]

    assert answers == [404, 404, 404]
    globex_agent.refresh_from_db()
    assert (globex_agent.role, globex_agent.is_active) == ("agent", True)


def test_the_members_page_runs_a_fixed_number_of_queries(
    acme, acme_admin, client_of, django_assert_num_queries
):
    from tests.factories import make_member

    client = client_of(acme_admin)
    client.get(URL)
    # the session, the user, the memberships (workspace), the bell; a page of members with
    # their user and department, the open invitations, the invite form's departments
    with django_assert_num_queries(7):
        assert client.get(URL).status_code == 200
    for number in range(30):
        make_member(acme, f"agent{number}", "agent", "north-branch")
        _invite(client, email=f"new{number}@example.com", role="analyst")
    with django_assert_num_queries(7):
        response = client.get(URL)

    assert len(response.context["page"].rows) == 31
    assert len(response.context["invitations"]) == 30
