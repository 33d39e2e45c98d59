import re

import pytest
from django.http import Http404
from django.urls import reverse

from tenants.models import Membership, Role
from tenants.permissions import Action, get_visible_or_404, member_can, visible_to
from tests.factories import make_member


@pytest.fixture
def globex_admin(globex):
    # An admin: every page of its own workspace is open to it, so a 404 is the tenant's.
    return make_member(globex, "gina", Role.ADMIN, None)


def page_text(response) -> str:
    """The page without its per-render CSRF token."""
    return re.sub(r"[A-Za-z0-9]{64}", "<token>", response.content.decode())


def home_url(tenant_slug="acme"):
    return reverse("home", kwargs={"tenant_slug": tenant_slug})


def team_url(tenant_slug="acme"):
    return reverse("team", kwargs={"tenant_slug": tenant_slug})


def test_anonymous_visitors_are_sent_to_log_in(client, acme):
    response = client.get(home_url())

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={home_url()}"


@pytest.mark.parametrize(
    ("persona", "home", "team"),
    [
        ("acme_admin", 200, 200),
        ("acme_manager", 200, 200),
        ("acme_analyst", 200, 200),
        ("acme_agent", 200, 403),
        ("acme_performer", 200, 403),
    ],
)
def test_each_role_reaches_what_its_role_allows(request, client_of, persona, home, team):
    client = client_of(request.getfixturevalue(persona))

    assert client.get(home_url()).status_code == home
    assert client.get(team_url()).status_code == team


WORKSPACE_PAGES = [
    "home",
    "team",
    "complaint-queue",
    "complaint-new",
    "corrective-action-list",
    "survey-list",
    "survey-new",
    "survey-rule-list",
    "survey-rule-new",
]


@pytest.mark.parametrize("name", WORKSPACE_PAGES)
def test_another_tenants_workspace_is_a_404_like_a_missing_one(client_of, acme, globex_admin, name):
    url = reverse(name, kwargs={"tenant_slug": "acme"})
    client = client_of(globex_admin)

    foreign = client.get(url)
    missing = client.get(url.replace("/acme/", "/no-such-tenant/"))

    assert foreign.status_code == missing.status_code == 404
    assert page_text(foreign) == page_text(missing).replace("/no-such-tenant/", "/acme/")
    assert b"Acme" not in foreign.content


def acme_rows(acme):
    from complaints.models import Complaint
    from customers.models import Customer
    from notifications.models import Delivery
    from surveys.models import Survey, SurveyRule
    from tenants.models import AuditEntry

    return {
        model.__name__: model.objects.for_tenant(acme).count()
        for model in (Complaint, Customer, Delivery, Survey, SurveyRule, AuditEntry)
    }


def test_another_tenants_forms_are_a_404_and_write_nothing(
    client_of, acme, acme_admin, acme_brand, globex_admin
):
    from surveys.builder.publishing import survey_create

    survey = survey_create(actor=acme_admin, name="After a claim")
    posts = {
        "complaint-new": {
            "brand": acme_brand.pk,
            "channel": "phone",
            "name": "Maria Rossi",
            "email": "maria.rossi@example.com",
            "language": "en",
            "severity": "low",
            "subject": "Claim not paid",
            "description": "Six weeks and nothing.",
        },
        "survey-new": {"name": "Planted by Globex"},
        "survey-rule-new": {
            "survey": survey.pk,
            "delay_minutes": 60,
            "sample_percent": 100,
            "order": 1,
            "is_active": "on",
        },
    }
    before = acme_rows(acme)

    for name, data in posts.items():
        response = client_of(globex_admin).post(reverse(name, kwargs={"tenant_slug": "acme"}), data)
        assert response.status_code == 404, name

    assert acme_rows(acme) == before
    # Acme's own admin gets through with the same forms: the 404s were the tenant's.
    for name, data in posts.items():
        response = client_of(acme_admin).post(reverse(name, kwargs={"tenant_slug": "acme"}), data)
        assert response.status_code == 302, name


def test_an_inactive_membership_opens_nothing(client_of, acme_agent):
    Membership.objects.for_tenant(acme_agent.tenant).filter(pk=acme_agent.pk).update(
        is_active=False
    )

    assert client_of(acme_agent).get(home_url()).status_code == 404


def test_a_manager_sees_their_region_only(client_of, acme_manager, acme_agent, acme_south_agent):
    response = client_of(acme_manager).get(team_url())

    emails = {member.user.email for member in response.context["page"].rows}
    assert emails == {"mario@acme.example", "bob@acme.example"}
    departments = [department.code for department in response.context["departments"]]
    assert departments == ["north", "north-branch"]


def test_the_admin_sees_the_whole_tree(client_of, acme_admin, acme_agent, acme_south_agent):
    response = client_of(acme_admin).get(team_url())

    assert {member.user.email for member in response.context["page"].rows} == {
        "alice@acme.example",
        "bob@acme.example",
        "sara@acme.example",
    }
    assert [department.code for department in response.context["departments"]] == [
        "head-office",
        "north",
        "north-branch",
        "south",
        "south-branch",
    ]
    assert "sara@acme.example" in response.content.decode()


def test_the_role_table(acme_admin, acme_manager, acme_agent, acme_performer, acme_analyst):
    assert all(member_can(acme_admin, action) for action in Action)
    assert member_can(acme_manager, Action.DECIDE_DISPUTES)
    assert not member_can(acme_manager, Action.MANAGE_TENANT)
    assert member_can(acme_agent, Action.HANDLE_COMPLAINTS)
    assert not member_can(acme_agent, Action.VIEW_DASHBOARDS)
    assert {action for action in Action if member_can(acme_performer, action)} == {
        Action.VIEW_WORKSPACE,
        Action.VIEW_OWN_RATING,
    }
    assert member_can(acme_analyst, Action.VIEW_DASHBOARDS)
    assert not any(
        member_can(acme_analyst, action)
        for action in (Action.HANDLE_COMPLAINTS, Action.MANAGE_SURVEYS, Action.DECIDE_DISPUTES)
    )


def test_get_visible_or_404_hides_other_tenants_and_other_branches(
    acme_manager, acme_agent, acme_south_agent, globex_agent
):
    members = Membership.objects.all()

    assert get_visible_or_404(members, acme_manager, pk=acme_agent.pk) == acme_agent
    for hidden in (acme_south_agent, globex_agent):
        with pytest.raises(Http404):
            get_visible_or_404(members, acme_manager, pk=hidden.pk)
    # bob, in a branch with nobody else, sees himself alone
    assert list(visible_to(members, acme_agent)) == [acme_agent]
