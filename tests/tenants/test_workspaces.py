from django.urls import reverse

from tenants.models import Membership, Role, Tenant


def test_a_user_with_one_workspace_goes_straight_in(client_of, acme_agent):
    response = client_of(acme_agent).get(reverse("workspace-picker"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home", kwargs={"tenant_slug": "acme"})


def test_a_user_with_several_workspaces_picks_one(client_of, acme_agent, globex):
    Membership.objects.create(tenant=globex, user=acme_agent.user, role=Role.ANALYST)
    client = client_of(acme_agent)

    picker = client.get(reverse("workspace-picker"))

    assert picker.status_code == 200
    assert [m.tenant.slug for m in picker.context["memberships"]] == ["acme", "globex"]
    assert 'href="/globex/"' in picker.content.decode()
    # Either workspace then opens, with the role held there, and the switcher lists both.
    globex_home = client.get(reverse("home", kwargs={"tenant_slug": "globex"}))
    assert globex_home.context["member"].role == Role.ANALYST
    assert [m.tenant.slug for m in globex_home.context["workspaces"]] == ["acme", "globex"]
    assert (
        client.get(reverse("home", kwargs={"tenant_slug": "acme"})).context["member"].role
        == Role.AGENT
    )


def test_inactive_workspaces_are_not_offered(client_of, acme_agent, globex):
    Membership.objects.create(
        tenant=globex, user=acme_agent.user, role=Role.ANALYST, is_active=False
    )
    client = client_of(acme_agent)

    response = client.get(reverse("workspace-picker"))

    assert response["Location"] == reverse("home", kwargs={"tenant_slug": "acme"})
    assert client.get(reverse("home", kwargs={"tenant_slug": "globex"})).status_code == 404


def test_an_inactive_tenant_is_closed_to_its_members(client_of, acme_agent):
    Tenant.objects.filter(slug="acme").update(is_active=False)
    client = client_of(acme_agent)

    assert client.get(reverse("home", kwargs={"tenant_slug": "acme"})).status_code == 404
    assert "No workspace yet" in client.get(reverse("workspace-picker")).content.decode()


def test_a_user_without_a_workspace_is_told_so(client, django_user_model):
    user = django_user_model.objects.create_user("nobody@example.com", "nobody@example.com")
    client.force_login(user)

    response = client.get(reverse("workspace-picker"))

    assert response.status_code == 200
    assert "No workspace yet" in response.content.decode()


def test_the_home_page_lists_the_tenants_brands_only(client_of, acme_agent, globex):
    from tests.factories import BrandFactory

    BrandFactory(tenant=acme_agent.tenant, name="Acme Direct")
    BrandFactory(tenant=globex, name="Globex Road")

    page = client_of(acme_agent).get(reverse("home", kwargs={"tenant_slug": "acme"}))

    text = page.content.decode()
    assert "Acme Direct" in text
    assert "Globex Road" not in text
    # Agents get no Team entry in the navigation.
    assert [item["label"] for item in page.context["navigation"]] == [
        "Home",
        "Complaints",
        "Corrective actions",
        "Surveys",
        "Responses",
        "Follow-ups",
        "Interactions",
        "My rating",
    ]
