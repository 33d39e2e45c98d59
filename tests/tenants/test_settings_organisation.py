"""The organisation's settings page: admins change, managers read, other roles see nothing."""

from datetime import date

import pytest

from tenants.models import AuditEntry, Closure, Tenant

URL = "/acme/settings/organisation/"


def _form(**overrides) -> dict:
    data = {
        "name": "Acme Insurance Group",
        "time_zone": "Europe/Rome",
        "country": "it",
        "default_language": "it",
        "require_two_factor_for_managers": "",
        "hours_0": "08:30-12:30, 13:30-17:30",
        "hours_4": "08:30-14:00",
    }
    data.update(overrides)
    return data


def test_an_admin_changes_the_organisation_and_it_is_audited(acme_admin, client_of):
    response = client_of(acme_admin).post(URL, _form())

    assert response.status_code == 302
    tenant = Tenant.objects.get(pk=acme_admin.tenant_id)
    assert (tenant.name, tenant.time_zone, tenant.country, tenant.default_language) == (
        "Acme Insurance Group",
        "Europe/Rome",
        "IT",
        "it",
    )
    assert tenant.working_hours == {"0": ["08:30-12:30", "13:30-17:30"], "4": ["08:30-14:00"]}
    entry = AuditEntry.objects.for_tenant(tenant).get(action="organisation.changed")
    assert entry.actor == acme_admin.user
    assert entry.changes["time_zone"] == ["Europe/Athens", "Europe/Rome"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours_0", "17:00-09:00", "17:00-09:00 ends before it starts."),
        ("hours_0", "nine to five", "Write each span as 09:00-17:00"),
        ("country", "XX", "No public holidays are known for this country code."),
        ("name", "   ", "This field is required."),
        ("time_zone", "Mars/Olympus", "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    acme_admin, client_of, field, value, message
):
    before = Tenant.objects.get(pk=acme_admin.tenant_id)

    response = client_of(acme_admin).post(URL, _form(**{field: value}))

    assert response.status_code == 400
    assert message in response.content.decode()
    after = Tenant.objects.get(pk=acme_admin.tenant_id)
    assert (after.name, after.time_zone, after.working_hours) == (
        before.name,
        before.time_zone,
        before.working_hours,
    )
    assert not AuditEntry.objects.for_tenant(after).filter(action="organisation.changed").exists()


def test_a_week_without_working_time_is_refused(acme_admin, client_of):
    response = client_of(acme_admin).post(URL, _form(hours_0="", hours_4=""))

    assert response.status_code == 400
    assert "Give at least one working span" in response.content.decode()


def test_a_manager_reads_the_page_but_cannot_change_it(acme_manager, client_of):
    client = client_of(acme_manager)

    page = client.get(URL)
    refused = client.post(URL, _form())

    assert page.status_code == 200
    assert "<fieldset disabled>" in page.content.decode()
    assert refused.status_code == 403
    assert Tenant.objects.get(pk=acme_manager.tenant_id).name == "Acme Insurance"
    assert (
        not AuditEntry.objects.for_tenant(acme_manager.tenant)
        .filter(action="organisation.changed")
        .exists()
    )


@pytest.mark.parametrize("persona", ["acme_agent", "acme_performer", "acme_analyst"])
def test_other_roles_do_not_see_the_settings(persona, request, client_of):
    member = request.getfixturevalue(persona)
    client = client_of(member)

    assert client.get(URL).status_code == 403
    assert "/acme/settings/" not in client.get("/acme/").content.decode()


def test_another_tenants_member_gets_not_found(globex_agent, acme, client_of):
    assert client_of(globex_agent).get(URL).status_code == 404


def test_a_closed_day_is_added_shown_and_opened_again(acme_admin, client_of):
    client = client_of(acme_admin)

    added = client.post(
        "/acme/settings/organisation/closures/", {"day": "2026-12-24", "name": "Inventory"}
    )
    page = client.get(URL + "?year=2026")
    removed = client.post("/acme/settings/organisation/closures/2026-12-24/remove/")

    assert added.status_code == 302
    assert "Inventory" in page.content.decode()
    assert removed.status_code == 302
    assert not Closure.objects.for_tenant(acme_admin.tenant).filter(day=date(2026, 12, 24)).exists()
    actions = list(
        AuditEntry.objects.for_tenant(acme_admin.tenant)
        .filter(action__startswith="closure.")
        .values_list("action", flat=True)
    )
    assert sorted(actions) == ["closure.removed", "closure.set"]


def test_the_years_public_holidays_are_listed(acme_admin, client_of):
    page = client_of(acme_admin).get(URL + "?year=2026").content.decode()

    # Acme is in Greece: Orthodox Easter Monday 2026 is 13 April.
    assert "Easter Monday" in page
    assert "13 Apr 2026: Easter Monday" in page


@pytest.mark.parametrize(
    ("url", "section"),
    [
        ("/acme/settings/organisation/", "Organisation"),
        ("/acme/settings/brands/new/", "Brands"),
        ("/acme/settings/departments/{department}/", "Departments"),
        ("/acme/settings/members/{member}/", "Members"),
        ("/acme/settings/complaints/sla/new/", "SLA policies"),
        ("/acme/settings/complaints/routing/new/", "Routing rules"),
    ],
)
def test_the_side_menu_marks_the_section_of_the_page_open(
    acme_admin, acme_agent, client_of, url, section
):
    url = url.format(department=acme_agent.department_id, member=acme_agent.pk)

    page = client_of(acme_admin).get(url)

    assert page.status_code == 200
    current = [each["label"] for each in page.context["settings_sections"] if each["is_current"]]
    assert current == [section]
