"""SLA policies and routing rules on the settings pages, the "which rule would route this?"
tester, and the journey: a rule and a policy made on the pages route a complaint filed by
intake to that department with that policy's due times."""

import zoneinfo
from datetime import datetime

import pytest

from complaints.models import RoutingRule, Severity, SlaPolicy
from complaints.routing_rules import routing_rule_save
from complaints.services import route_for
from tenants.errors import ApplicationError
from tenants.models import AuditEntry, Department
from tests.complaint_fixtures import file_complaint

POLICIES = "/acme/settings/complaints/sla/"
RULES = "/acme/settings/complaints/routing/"
ATHENS = zoneinfo.ZoneInfo("Europe/Athens")


def _policy_form(**overrides) -> dict:
    return {
        "name": "Motor, high",
        "brand": "",
        "category": "",
        "severity": "high",
        "acknowledgement_hours": 2,
        "first_response_hours": 4,
        "resolution_hours": 16,
        "warning_percent": "",
        "is_active": "on",
        **overrides,
    }


def _rule_form(to: Department, **overrides) -> dict:
    return {
        "name": "Windscreens to the south",
        "order": 1,
        "brand": "",
        "touchpoint": "",
        "category": "",
        "severity": "",
        "keywords": "Windscreen,  glass ,",
        "department": to.pk,
        "strategy": "round_robin",
        "is_active": "on",
        **overrides,
    }


def _department(tenant, code: str) -> Department:
    return Department.objects.for_tenant(tenant).get(code=code)


def _audit(tenant, prefix: str) -> list[str]:
    return list(
        AuditEntry.objects.for_tenant(tenant)
        .filter(action__startswith=prefix)
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- the journey ----------------------------------------------------------------------------


def test_a_rule_and_a_policy_made_on_the_pages_route_a_filed_complaint_with_its_due_times(
    acme_setup, acme_admin, acme_south_agent, acme_brand, client_of
):
    client = client_of(acme_admin)
    south = _department(acme_setup, "south-branch")

    made_policy = client.post(
        POLICIES + "new/",
        _policy_form(brand=acme_brand.pk, warning_percent=50, resolution_hours=16),
    )
    made_rule = client.post(RULES + "new/", _rule_form(south))
    # Monday 2 March 2026, 09:00 in Athens: working hours 09:00-17:00, Monday to Friday.
    complaint = file_complaint(
        acme_brand,
        severity=Severity.HIGH,
        description="The windscreen repair was never booked.",
        received_at=datetime(2026, 3, 2, 9, 0, tzinfo=ATHENS),
    )

    assert (made_policy.status_code, made_rule.status_code) == (302, 302)
    policy = SlaPolicy.objects.for_tenant(acme_setup).get()
    assert complaint.department == south
    assert complaint.assignee == acme_south_agent
    assert complaint.sla_policy == policy
    local = {
        name: getattr(complaint, name).astimezone(ATHENS).strftime("%a %H:%M")
        for name in (
            "acknowledge_warn_at",
            "acknowledge_due_at",
            "first_response_due_at",
            "resolve_warn_at",
            "resolve_due_at",
        )
    }
    assert local == {
        "acknowledge_warn_at": "Mon 10:00",  # 50 % of 2 hours
        "acknowledge_due_at": "Mon 11:00",
        "first_response_due_at": "Mon 13:00",
        "resolve_warn_at": "Mon 17:00",  # 8 of 16 working hours
        "resolve_due_at": "Tue 17:00",
    }
    assert AuditEntry.objects.for_tenant(acme_setup).get(action="complaint.filed").note == (
        "Windscreens to the south"
    )


def test_the_tester_names_the_rule_department_handler_and_policy_as_intake_would(
    acme_setup, acme_admin, acme_manager, acme_south_agent, acme_brand, client_of
):
    south = _department(acme_setup, "south-branch")
    client_of(acme_admin).post(RULES + "new/", _rule_form(south))
    client_of(acme_admin).post(POLICIES + "new/", _policy_form())
    client = client_of(acme_manager)  # a reader may try it: it writes nothing

    glass = client.get(
        RULES, {"brand": acme_brand.pk, "severity": "high", "text": "My GLASS is broken"}
    )
    other = client.get(RULES, {"brand": acme_brand.pk, "severity": "low", "text": "Rude staff"})

    assert glass.status_code == 200
    trial = glass.context["trial"]
    assert (trial.route.rule.name, trial.route.department, trial.route.assignee) == (
        "Windscreens to the south",
        south,
        acme_south_agent,
    )
    assert trial.policy.name == "Motor, high"
    page = glass.content.decode()
    assert "Round robin" in page
    assert f"{acme_south_agent.user.get_full_name()} would get it now" in page
    assert (
        "Acknowledge within 2 working hours, first response within 4, resolve within 16; "
        "warn at 75 %." in page
    )
    assert other.context["trial"].route.rule is None
    assert "No rule matches" in other.content.decode()
    assert "Head office" in other.content.decode()
    assert "The organisation's defaults" in other.content.decode()
    assert "resolve within 120;" in other.content.decode()  # 15 working days of 8 hours
    assert RoutingRule.objects.for_tenant(acme_setup).count() == 2  # the tester added none


def test_the_tester_refuses_another_tenants_brand_like_a_missing_one(
    acme_setup, acme_admin, globex_brand, client_of
):
    client = client_of(acme_admin)

    foreign = client.get(RULES, {"brand": globex_brand.pk, "severity": "high"})
    missing = client.get(RULES, {"brand": 987654321, "severity": "high"})

    assert (foreign.status_code, missing.status_code) == (400, 400)
    assert foreign.context["trial"] is None
    assert "Select a valid choice." in foreign.content.decode()
    assert "Globex" not in foreign.content.decode()


# --- routing rules --------------------------------------------------------------------------


def test_an_admin_adds_a_rule_and_it_is_audited_with_its_words_tidied(
    acme_setup, acme_admin, client_of
):
    south = _department(acme_setup, "south-branch")

    response = client_of(acme_admin).post(RULES + "new/", _rule_form(south))

    assert response.status_code == 302
    rule = RoutingRule.objects.for_tenant(acme_setup).get(name="Windscreens to the south")
    assert (rule.keywords, rule.department, rule.strategy) == (
        "windscreen, glass",
        south,
        "round_robin",
    )
    entry = AuditEntry.objects.for_tenant(acme_setup).get(action="routing_rule.created")
    assert entry.actor == acme_admin.user
    assert entry.changes["department"] == [None, south.pk]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": " "}, "This field is required."),
        ({"order": -1}, "Between 0 and 32767."),
        ({"department": ""}, "This field is required."),
        ({"department": 987654321}, "Select a valid choice."),
        ({"strategy": "by_mood"}, "Select a valid choice."),
        ({"severity": "apocalyptic"}, "Select a valid choice."),
    ],
)
def test_a_bad_rule_is_refused_with_a_message_and_nothing_saved(
    acme_setup, acme_admin, client_of, overrides, message
):
    south = _department(acme_setup, "south-branch")

    response = client_of(acme_admin).post(RULES + "new/", _rule_form(south, **overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert RoutingRule.objects.for_tenant(acme_setup).count() == 1  # acme_setup's own
    assert _audit(acme_setup, "routing_rule.") == []


def test_a_department_of_another_tenant_cannot_be_chosen(acme_setup, acme_admin, globex, client_of):
    theirs = _department(globex, "hq")

    response = client_of(acme_admin).post(RULES + "new/", _rule_form(theirs))

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert "Globex HQ" not in response.content.decode()
    assert RoutingRule.objects.for_tenant(acme_setup).count() == 1


def test_a_closed_department_is_not_offered_to_a_new_rule_but_an_old_rule_keeps_it(
    acme_setup, acme_admin, client_of
):
    south = _department(acme_setup, "south-branch")
    Department.objects.for_tenant(acme_setup).filter(pk=south.pk).update(is_active=False)
    south.refresh_from_db()
    client = client_of(acme_admin)

    offered = client.get(RULES + "new/").context["form"].fields["department"].queryset
    refused = client.post(RULES + "new/", _rule_form(south))
    with pytest.raises(ApplicationError) as error:
        routing_rule_save(actor=acme_admin, name="To a closed one", department=south)
    rule = RoutingRule.objects.for_tenant(acme_setup).get()
    rule.department = south  # a rule made before its department closed
    rule.save()
    kept = client.get(f"{RULES}{rule.pk}/").context["form"].fields["department"].queryset

    assert "South branch" not in [department.name for department in offered]
    assert refused.status_code == 400
    assert error.value.fields["department"] == [
        "That department is closed: it receives no complaints."
    ]
    assert RoutingRule.objects.for_tenant(acme_setup).count() == 1
    assert "South branch" in [department.name for department in kept]


def test_a_rule_is_edited_and_deactivated_and_intake_stops_using_it(
    acme_setup, acme_admin, acme_brand, client_of
):
    rule = RoutingRule.objects.for_tenant(acme_setup).get()  # claims → north branch
    form = {
        "name": "Claims to the north branch",
        "order": 5,
        "category": rule.category_id,
        "department": rule.department_id,
        "strategy": "least_open",
    }  # "is_active" unticked

    response = client_of(acme_admin).post(f"{RULES}{rule.pk}/", form)

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.order, rule.is_active) == (5, False)
    assert AuditEntry.objects.for_tenant(acme_setup).get(action="routing_rule.changed").changes == {
        "order": [100, 5],
        "is_active": [True, False],
    }
    complaint = file_complaint(acme_brand, category=rule.category)
    assert complaint.department.code == "head-office"  # no rule: head office, unassigned


def test_rules_are_reordered_by_moving_them_and_the_first_match_changes(
    acme_setup, acme_admin, acme_brand, client_of
):
    claims_rule = RoutingRule.objects.for_tenant(acme_setup).get()
    south = _department(acme_setup, "south-branch")
    catch_all = routing_rule_save(
        actor=acme_admin, name="Everything south", department=south, order=200
    )
    client = client_of(acme_admin)

    moved = client.post(f"{RULES}{catch_all.pk}/move/", {"direction": "up"})
    page = client.get(RULES).content.decode()

    assert moved.status_code == 302
    assert [(r.name, r.order) for r in RoutingRule.objects.for_tenant(acme_setup)] == [
        ("Everything south", 10),
        ("Claims to the north branch", 20),
    ]
    assert page.index("Everything south") < page.index("Claims to the north branch")
    claims_rule.refresh_from_db()
    draft = file_complaint(acme_brand, category=claims_rule.category)
    assert draft.department == south
    assert route_for(draft).rule == catch_all
    entry = AuditEntry.objects.for_tenant(acme_setup).get(action="routing_rule.moved")
    assert (entry.target_id, entry.changes) == (
        str(catch_all.pk),
        {"order": [200, 10], "position": [2, 1]},
    )

    first_up = client.post(f"{RULES}{catch_all.pk}/move/", {"direction": "up"})
    sideways = client.post(f"{RULES}{catch_all.pk}/move/", {"direction": "sideways"})

    assert first_up.status_code == 302  # already first: nothing changes
    assert sideways.status_code == 400
    assert _audit(acme_setup, "routing_rule.moved") == ["routing_rule.moved"]


# --- SLA policies ---------------------------------------------------------------------------


def test_an_admin_adds_a_policy_and_it_is_audited(acme_setup, acme_admin, acme_brand, client_of):
    response = client_of(acme_admin).post(
        POLICIES + "new/", _policy_form(brand=acme_brand.pk, warning_percent=60)
    )

    assert response.status_code == 302
    policy = SlaPolicy.objects.for_tenant(acme_setup).get()
    assert (policy.brand, policy.severity, policy.resolution_hours, policy.warning_percent) == (
        acme_brand,
        "high",
        16,
        60,
    )
    entry = AuditEntry.objects.for_tenant(acme_setup).get(action="sla_policy.created")
    assert entry.actor == acme_admin.user
    assert entry.changes["warning_percent"] == [None, 60]
    page = client_of(acme_admin).get(POLICIES).content.decode()
    assert "Motor, high" in page and "16 hours" in page and "60 %" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"acknowledgement_hours": 0}, "Between 1 and 8760 working hours."),
        ({"first_response_hours": 20}, "Acknowledge first, respond next, resolve last"),
        ({"resolution_hours": ""}, "This field is required."),
        ({"warning_percent": 100}, "Between 1 and 99 percent, or empty for the default."),
        ({"category": 987654321}, "Select a valid choice."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_a_bad_policy_is_refused_with_a_message_and_nothing_saved(
    acme_setup, acme_admin, client_of, overrides, message
):
    response = client_of(acme_admin).post(POLICIES + "new/", _policy_form(**overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SlaPolicy.objects.for_tenant(acme_setup).exists()
    assert _audit(acme_setup, "sla_policy.") == []


def test_a_policy_is_deactivated_and_new_complaints_take_the_defaults(
    acme_setup, acme_admin, acme_brand, client_of
):
    client = client_of(acme_admin)
    client.post(POLICIES + "new/", _policy_form())
    policy = SlaPolicy.objects.for_tenant(acme_setup).get()

    response = client.post(f"{POLICIES}{policy.pk}/", _policy_form(is_active=""))

    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.is_active is False
    assert file_complaint(acme_brand, severity=Severity.HIGH).sla_policy is None
    assert _audit(acme_setup, "sla_policy.") == ["sla_policy.created", "sla_policy.changed"]


# --- who may --------------------------------------------------------------------------------


def test_a_manager_reads_rules_and_policies_but_cannot_change_them(
    acme_setup, acme_admin, acme_manager, client_of
):
    south = _department(acme_setup, "south-branch")
    rule = RoutingRule.objects.for_tenant(acme_setup).get()
    policy = routing_policy = SlaPolicy.objects.create(
        tenant=acme_setup,
        name="Fast",
        acknowledgement_hours=1,
        first_response_hours=2,
        resolution_hours=8,
    )
    client = client_of(acme_manager)

    pages = [
        client.get(url)
        for url in (
            RULES,
            f"{RULES}{rule.pk}/",
            RULES + "new/",
            POLICIES,
            f"{POLICIES}{policy.pk}/",
        )
    ]
    refused = [
        client.post(RULES + "new/", _rule_form(south)),
        client.post(f"{RULES}{rule.pk}/", _rule_form(south)),
        client.post(f"{RULES}{rule.pk}/move/", {"direction": "down"}),
        client.post(POLICIES + "new/", _policy_form()),
        client.post(f"{POLICIES}{policy.pk}/", _policy_form()),
    ]

    assert [page.status_code for page in pages] == [200] * 5
    assert "<fieldset disabled>" in pages[1].content.decode()
    assert "New rule" not in pages[0].content.decode()
    assert [answer.status_code for answer in refused] == [403] * 5
    rule.refresh_from_db()
    routing_policy.refresh_from_db()
    assert (rule.name, rule.order, routing_policy.name) == (
        "Claims to the north branch",
        100,
        "Fast",
    )
    assert RoutingRule.objects.for_tenant(acme_setup).count() == 1
    assert SlaPolicy.objects.for_tenant(acme_setup).count() == 1
    assert not AuditEntry.objects.for_tenant(acme_setup).filter(actor=acme_manager.user).exists()


@pytest.mark.parametrize("persona", ["acme_agent", "acme_performer", "acme_analyst"])
@pytest.mark.parametrize("url", [RULES, RULES + "new/", POLICIES, POLICIES + "new/"])
def test_other_roles_get_forbidden(persona, url, request, client_of, acme):
    client = client_of(request.getfixturevalue(persona))

    assert client.get(url).status_code == 403


def test_another_tenants_rule_and_policy_are_not_found_and_unchanged(
    acme_setup, acme_admin, globex, client_of
):
    hq = _department(globex, "hq")
    their_rule = RoutingRule.objects.create(tenant=globex, name="Theirs", department=hq)
    their_policy = SlaPolicy.objects.create(
        tenant=globex,
        name="Theirs",
        acknowledgement_hours=1,
        first_response_hours=2,
        resolution_hours=8,
    )
    client = client_of(acme_admin)
    south = _department(acme_setup, "south-branch")

    answers = [
        client.get(f"{RULES}{their_rule.pk}/").status_code,
        client.post(f"{RULES}{their_rule.pk}/", _rule_form(south)).status_code,
        client.post(f"{RULES}{their_rule.pk}/move/", {"direction": "up"}).status_code,
        client.get(f"{POLICIES}{their_policy.pk}/").status_code,
        client.post(f"{POLICIES}{their_policy.pk}/", _policy_form()).status_code,
    ]

    assert answers == [404] * 5
    their_rule.refresh_from_db()
    their_policy.refresh_from_db()
    assert (their_rule.name, their_rule.department, their_policy.name) == ("Theirs", hq, "Theirs")
    assert _audit(acme_setup, "routing_rule.") == _audit(acme_setup, "sla_policy.") == []


def test_the_lists_read_a_fixed_number_of_queries(
    acme_setup, acme_admin, acme_brand, client_of, django_assert_num_queries
):
    client = client_of(acme_admin)
    north = _department(acme_setup, "north-branch")

    def add(count):
        for number in range(count):
            routing_rule_save(
                actor=acme_admin, name=f"Rule {number}", department=north, brand=acme_brand
            )
            SlaPolicy.objects.create(
                tenant=acme_setup,
                name=f"Policy {number}",
                brand=acme_brand,
                acknowledgement_hours=1,
                first_response_hours=2,
                resolution_hours=8,
            )

    add(1)
    client.get(RULES)
    # the workspace's 4 (session, user, memberships, bell), the rules with what they name and
    # the tester's brands (twice: a required select reads its first choice for the "required"
    # attribute), touchpoints and categories
    with django_assert_num_queries(9):
        client.get(RULES)
    # the workspace's 4, the policies with their brand and category, the defaults
    with django_assert_num_queries(6):
        client.get(POLICIES)

    add(30)

    with django_assert_num_queries(9):
        assert "Rule 29" in client.get(RULES).content.decode()
    with django_assert_num_queries(6):
        assert "Policy 29" in client.get(POLICIES).content.decode()
