"""The lists' FilterSets (``tenants.filters``): choices are the tenant's, bad input is shown
and costs nothing else, and the same class filters an API list through DRF's backend.

Acme is the tenant under test; Globex's brand, member and department ids must answer like ids
that do not exist, on every list that offers them.
"""

from datetime import date
from zoneinfo import ZoneInfo

import django_filters
import pytest
from django.urls import reverse
from rest_framework.test import APIRequestFactory

from complaints.corrective_actions import (
    corrective_action_complete,
    corrective_action_open,
    corrective_action_start,
)
from complaints.filters import CorrectiveActionFilterSet
from complaints.lifecycle import State
from complaints.models import CorrectiveAction
from complaints.selectors import visible_corrective_actions
from surveys.followups.filters import FollowUpFilterSet
from surveys.followups.selectors import visible_follow_ups
from surveys.responses.filters import ResponseFilterSet
from tenants.filters import TenantFilterSet
from tenants.models import Brand, Department, Role
from tenants.scoping import UnscopedQueryError
from tests.factories import BrandFactory, make_member
from tests.filtering import api_list, as_member

BANNER = "Some filters could not be used"
INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."


def url(name, tenant_slug="acme"):
    return reverse(name, kwargs={"tenant_slug": tenant_slug})


@pytest.fixture
def actions(complaint_in, acme_admin, acme_agent, acme_manager):
    """Four actions on a resolved complaint: Bob's open, in progress, done; Mario's open."""
    complaint = complaint_in(State.RESOLVED)

    def action(description, owner, due_day):
        return corrective_action_open(
            complaint=complaint,
            actor=acme_admin,
            description=description,
            owner=owner,
            due_date=date(2027, 1, due_day),
        )

    done = action("Done first", acme_agent, 1)
    corrective_action_complete(action=done, actor=acme_agent, outcome="Done.")
    started = action("Started", acme_agent, 9)
    corrective_action_start(action=started, actor=acme_agent)
    late = action("Open, due later", acme_agent, 20)
    marios = action("Mario's", acme_manager, 5)
    return {"done": done, "started": started, "late": late, "marios": marios}


def listed(response) -> list[str]:
    return [row.description for row in response.context["page"].rows]


# --- the tenant wall ----------------------------------------------------------------------------


def test_another_tenants_brand_is_an_invalid_choice_not_a_filter(
    client_of, acme, acme_brand, globex_brand, acme_manager
):
    page = client_of(acme_manager).get(
        url("response-list"), {"brand": globex_brand.pk, "with_comment": "on"}
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert INVALID_CHOICE in html and BANNER in html
    assert page.context["filterset"].form.cleaned_data == {
        "touchpoint": None,
        "performer": None,
        "band": "",
        "submitted_from": None,
        "submitted_to": None,
        "with_comment": True,  # the rest still applies
    }
    assert "Globex Road" not in html  # not even offered


@pytest.mark.parametrize("value", ["abc", "1.5", "99999999999999999999", "%00"])
def test_a_malformed_id_is_a_field_error_not_a_server_error(
    client_of, acme, acme_manager, actions, value
):
    page = client_of(acme_manager).get(url("corrective-action-list"), {"owner": value})

    assert page.status_code == 200
    assert INVALID_CHOICE in page.content.decode()
    assert sorted(listed(page)) == sorted(a.description for a in actions.values())


def test_each_list_refuses_another_tenants_ids(
    client_of, acme, acme_admin, globex, globex_agent, globex_brand
):
    globex_hq = Department.objects.for_tenant(globex).get(code="hq")
    client = client_of(acme_admin)
    for name, query in [
        ("response-list", {"brand": globex_brand.pk, "performer": globex_agent.pk}),
        ("corrective-action-list", {"owner": globex_agent.pk}),
        ("team", {"department": globex_hq.pk}),
    ]:
        page = client.get(url(name), query)

        assert page.status_code == 200, name
        errors = page.context["filterset"].errors
        assert set(errors) == set(query), name
        assert all(INVALID_CHOICE in messages for messages in errors.values()), name


def test_the_choices_are_scoped_even_when_declared_unscoped(acme, globex, acme_brand, globex_brand):
    class Leaky(TenantFilterSet):
        brand = django_filters.ModelChoiceFilter(queryset=Brand.objects.unscoped())

        class Meta:
            model = Brand
            fields = []

    admin = make_member(acme, "alice", Role.ADMIN, "head-office")
    filterset = Leaky(
        {"brand": globex_brand.pk},
        queryset=Brand.objects.for_tenant(acme),
        request=as_member(admin),
    )

    assert list(filterset.form.fields["brand"].queryset) == [acme_brand]
    assert not filterset.is_valid()
    assert list(filterset.qs) == [acme_brand]


def test_assigned_to_me_without_a_member_is_nothing_not_the_unassigned(acme, acme_agent):
    # The API's key names a tenant, not a member: "mine" must not mean "assignee is empty".
    request = APIRequestFactory().get("/")
    request.tenant = acme
    visible = visible_follow_ups(acme_agent)

    mine = FollowUpFilterSet({"mine": "on"}, queryset=visible, request=request)

    assert mine.is_valid()
    assert mine.qs.query.is_empty()


def test_a_filterset_without_a_tenant_refuses_to_run(acme):
    request = APIRequestFactory().get("/")

    with pytest.raises(UnscopedQueryError):
        ResponseFilterSet({}, request=request)


# --- the lists ----------------------------------------------------------------------------------


def test_corrective_actions_open_and_in_progress_first_then_by_due_date(
    client_of, acme_manager, actions
):
    page = client_of(acme_manager).get(url("corrective-action-list"))

    assert listed(page) == ["Mario's", "Started", "Open, due later", "Done first"]


def test_corrective_actions_filter_by_status_and_owner(
    client_of, acme_manager, acme_agent, actions
):
    client = client_of(acme_manager)

    by_status = client.get(url("corrective-action-list"), {"status": "open"})
    by_owner = client.get(url("corrective-action-list"), {"owner": acme_agent.pk})

    assert listed(by_status) == ["Mario's", "Open, due later"]
    assert listed(by_owner) == ["Started", "Open, due later", "Done first"]


def test_an_update_from_a_filtered_list_comes_back_to_it(
    client_of, acme_agent, acme_manager, actions
):
    client = client_of(acme_manager)
    page = client.get(url("corrective-action-list"), {"status": "open", "owner": acme_agent.pk})
    late = actions["late"]
    form_action = reverse(
        "corrective-action-update", kwargs={"tenant_slug": "acme", "action_id": late.pk}
    )
    assert f'action="{form_action}?status=open&amp;owner={acme_agent.pk}"' in (
        page.content.decode()
    )

    moved = client.post(
        f"{form_action}?status=open&owner={acme_agent.pk}&page=2", {"status": "in_progress"}
    )

    assert moved.status_code == 302
    assert moved["Location"] == (
        f"{url('corrective-action-list')}?status=open&owner={acme_agent.pk}"
    )
    assert CorrectiveAction.objects.for_tenant(late.tenant_id).get(pk=late.pk).status == (
        CorrectiveAction.Status.IN_PROGRESS
    )


def test_the_team_filters_by_name_department_subtree_and_role(
    client_of, acme, acme_admin, acme_manager, acme_agent, acme_south_agent
):
    north = Department.objects.for_tenant(acme).get(code="north")
    client = client_of(acme_admin)

    def emails(**query):
        page = client.get(url("team"), query)
        return sorted(member.user.email for member in page.context["page"].rows)

    assert emails(department=north.pk) == ["bob@acme.example", "mario@acme.example"]
    assert emails(role=Role.AGENT) == ["bob@acme.example", "sara@acme.example"]
    assert emails(search="SARA") == ["sara@acme.example"]
    assert emails(department=north.pk, role=Role.AGENT) == ["bob@acme.example"]


def test_a_manager_is_offered_only_the_departments_they_see(client_of, acme, acme_manager):
    south = Department.objects.for_tenant(acme).get(code="south")

    page = client_of(acme_manager).get(url("team"), {"department": south.pk})

    choices = [
        label for _value, label in page.context["filterset"].form.fields["department"].choices
    ]
    assert [label.strip("\u00a0") for label in choices] == ["—", "North region", "North branch"]
    assert INVALID_CHOICE in page.content.decode()


# --- the REST API's use -------------------------------------------------------------------------


api_get = api_list(
    CorrectiveActionFilterSet,
    lambda member: visible_corrective_actions(member).order_by("due_date", "id"),
    ["id", "description", "status"],
)


def test_the_filterset_filters_an_api_list_through_djangofilterbackend(
    acme_manager, acme_agent, actions
):
    response = api_get(acme_manager, status="open", owner=str(acme_agent.pk))

    assert response.status_code == 200
    assert [row["description"] for row in response.data] == ["Open, due later"]


def test_the_api_answers_another_tenants_id_with_400_and_no_rows(
    acme_manager, actions, globex_agent
):
    response = api_get(acme_manager, owner=str(globex_agent.pk))

    assert response.status_code == 400
    assert response.data == {"owner": [INVALID_CHOICE]}


def test_the_api_refuses_another_tenants_brand_on_responses(acme, globex_brand, acme_manager):
    brand = BrandFactory(tenant=acme, name="Acme Rent", reference_prefix="ARE")
    filterset = ResponseFilterSet({"brand": str(globex_brand.pk)}, request=as_member(acme_manager))
    mine = ResponseFilterSet({"brand": str(brand.pk)}, request=as_member(acme_manager))

    assert filterset.errors == {"brand": [INVALID_CHOICE]}
    assert mine.is_valid()


# --- dates: a mistyped day or a reversed range says so ------------------------------------------

REVERSED = "This date is before the start of the range."
INVALID_DATE = "Enter a valid date."


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("complaint-queue", "received_from", "received_to"),
        ("response-list", "submitted_from", "submitted_to"),
    ],
)
def test_a_reversed_date_range_is_refused_on_its_end_and_the_start_still_filters(
    client_of, acme, acme_admin, name, start, end
):
    page = client_of(acme_admin).get(url(name), {start: "2026-03-10", end: "2026-03-01"})

    filterset = page.context["filterset"]
    assert page.status_code == 200
    assert filterset.form.errors == {end: [REVERSED]}
    assert filterset.form.cleaned_data[start] == date(2026, 3, 10)
    html = page.content.decode()
    assert REVERSED in html and BANNER in html
    # The fields keep what was typed, in the ISO form <input type="date"> reads.
    assert 'value="2026-03-10"' in html and 'value="2026-03-01"' in html


@pytest.mark.parametrize("name", ["complaint-queue", "response-list"])
@pytest.mark.parametrize("language", ["en", "el"])
def test_an_impossible_date_is_refused_in_every_language(
    client_of, acme, acme_admin, name, language
):
    client = client_of(acme_admin)
    client.cookies["django_language"] = language
    field = "received_from" if name == "complaint-queue" else "submitted_from"

    page = client.get(url(name), {field: "2026-02-30"})

    assert page.status_code == 200
    assert list(page.context["filterset"].form.errors) == [field]
    assert page.context["filterset"].has_errors


def test_a_range_of_one_day_is_not_reversed(client_of, acme, acme_admin, complaint_in):
    complaint = complaint_in(State.RECEIVED)
    day = complaint.received_at.astimezone(ZoneInfo(acme.time_zone)).date().isoformat()

    page = client_of(acme_admin).get(
        url("complaint-queue"), {"received_from": day, "received_to": day, "queue": "all"}
    )

    assert page.context["filterset"].form.errors == {}
    assert complaint.reference in page.content.decode()
