"""SLA clocks: due times from policies in working time, pauses, and the scan's alerts."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from complaints import sla_scan, workflow
from complaints.lifecycle import State
from complaints.models import Complaint, ComplaintSettings, SlaAlert, SlaCheck, SlaPolicy
from notifications.models import Notification
from tenants.models import Role
from tests.complaint_fixtures import bring_to, file_complaint
from tests.factories import make_member

# Tuesday 3 March 2026, 10:00 in Athens (08:00 UTC): a working day, working hours 09–17.
TUESDAY_10 = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


def athens(day, hour, minute=0):
    """An instant given in Athens time (UTC+2 in March before the 29th)."""
    return datetime(2026, 3, day, hour - 2, minute, tzinfo=UTC)


@pytest.fixture
def claim(acme_setup, acme_brand, acme_agent):
    """A claims complaint filed on Tuesday 10:00, routed to bob in the north branch."""
    from complaints.models import Category

    claims = Category.objects.for_tenant(acme_setup).get(code="claims")
    return file_complaint(acme_brand, category=claims, received_at=TUESDAY_10)


@pytest.fixture
def north_manager(acme):
    return make_member(acme, "nora", Role.MANAGER, "north-branch")


def next_check(complaint):
    return SlaCheck.objects.for_tenant(complaint.tenant_id).get(complaint=complaint).next_check_at


def alerts(complaint):
    return list(
        SlaAlert.objects.for_tenant(complaint.tenant_id)
        .filter(complaint=complaint)
        .order_by("clock", "level")
        .values_list("clock", "level")
    )


def notified(complaint):
    return sorted(
        Notification.objects.for_tenant(complaint.tenant_id).values_list(
            "recipient__user__username", "text"
        )
    )


def test_the_default_targets_are_counted_in_working_time(claim):
    # acknowledge in 8 working hours, first response in 24, resolve in 15 working days
    assert claim.acknowledge_due_at == athens(4, 10)  # Wed 10:00
    assert claim.acknowledge_warn_at == athens(3, 16)  # 75 %: 6 working hours → Tue 16:00
    assert claim.first_response_due_at == athens(6, 10)  # Fri 10:00
    assert claim.resolve_due_at == athens(24, 10)  # 15 working days → Tue 24 March 10:00
    assert next_check(claim) == claim.acknowledge_warn_at


def test_the_most_specific_policy_wins(acme_setup, acme_brand, claim):
    from complaints.models import Category

    claims = Category.objects.for_tenant(acme_setup).get(code="claims")
    SlaPolicy.objects.create(
        tenant=acme_setup,
        name="Any claim",
        category=claims,
        acknowledgement_hours=4,
        first_response_hours=8,
        resolution_hours=40,
    )
    SlaPolicy.objects.create(
        tenant=acme_setup,
        name="Critical motor claims",
        brand=acme_brand,
        category=claims,
        severity="critical",
        acknowledgement_hours=1,
        first_response_hours=2,
        resolution_hours=16,
    )

    critical = file_complaint(
        acme_brand, category=claims, severity="critical", received_at=TUESDAY_10
    )
    medium = file_complaint(acme_brand, category=claims, severity="medium", received_at=TUESDAY_10)

    assert critical.sla_policy.name == "Critical motor claims"
    assert critical.acknowledge_due_at == athens(3, 11)
    assert critical.resolve_due_at == athens(5, 10)  # 16 working hours → Thu 10:00
    assert medium.sla_policy.name == "Any claim"
    assert medium.acknowledge_due_at == athens(3, 14)


def test_waiting_on_the_customer_pauses_the_clocks(claim, acme_admin):
    claim = bring_to(claim, State.INVESTIGATING, acme_admin)
    due_before = claim.resolve_due_at
    paused = workflow.complaint_request_information(
        complaint=claim, actor=acme_admin, question="Please send the invoice."
    )
    assert next_check(paused) is None
    # The customer answers two working days later (the pause started "now").
    Complaint.objects.for_tenant(claim.tenant_id).filter(pk=claim.pk).update(
        sla_paused_at=datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # Mon 10:00 Athens
    )
    paused.refresh_from_db()

    resumed = workflow.complaint_receive_information(complaint=paused, actor=None, body="Attached.")

    assert resumed.sla_paused_at is None
    assert resumed.resolve_due_at > due_before


def test_the_scan_warns_then_breaches_then_escalates_up_the_tree(
    claim, acme_agent, north_manager, acme_manager
):
    # warning (75 % of 8 h) on Tuesday 16:00: the assignee hears of it
    created = sla_scan.sla_scan(now=athens(3, 16, 30))
    assert created == 1
    assert alerts(claim) == [("acknowledgement", 0)]
    assert [r for r, _ in notified(claim)] == ["bob@acme.example"]

    # breach on Wednesday 10:00: the assignee and the branch's manager
    sla_scan.sla_scan(now=athens(4, 10, 30))
    assert alerts(claim) == [("acknowledgement", 0), ("acknowledgement", 1)]
    recipients = [r for r, text in notified(claim) if "overdue" in text]
    assert recipients == ["bob@acme.example", "nora@acme.example"]

    # 8 working hours after the breach: the regional manager one level up
    sla_scan.sla_scan(now=athens(5, 10, 30))
    assert ("acknowledgement", 2) in alerts(claim)
    escalated = [r for r, text in notified(claim) if "escalated" in text]
    assert escalated == ["mario@acme.example"]


def test_a_scan_run_twice_raises_each_alert_once(claim, north_manager):
    later = athens(6, 12)

    first = sla_scan.sla_scan(now=later)
    second = sla_scan.sla_scan(now=later)

    assert first > 0
    assert second == 0
    count = SlaAlert.objects.for_tenant(claim.tenant_id).count()
    assert count == first
    assert Notification.objects.for_tenant(claim.tenant_id).count() == len(
        set(Notification.objects.for_tenant(claim.tenant_id).values_list("dedupe_key", flat=True))
    )


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_raise_each_alert_once(acme_setup, acme_brand, acme_agent):
    from complaints.models import Category

    claims = Category.objects.for_tenant(acme_setup).get(code="claims")
    complaints = [
        file_complaint(acme_brand, category=claims, received_at=TUESDAY_10) for _ in range(20)
    ]
    later = athens(6, 12)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def scan():
        try:
            barrier.wait()
            results.append(sla_scan.sla_scan(now=later))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    per_complaint = len(alerts(complaints[0]))
    assert per_complaint >= 3
    assert SlaAlert.objects.for_tenant(acme_setup).count() == 20 * per_complaint
    assert sum(results) == 20 * per_complaint
    keys = list(Notification.objects.for_tenant(acme_setup).values_list("dedupe_key", flat=True))
    assert len(keys) == len(set(keys))


def test_a_stopped_clock_raises_nothing(claim, acme_admin):
    workflow.complaint_acknowledge(complaint=claim, actor=acme_admin)

    sla_scan.sla_scan(now=athens(4, 12))

    assert [clock for clock, _ in alerts(claim)] == []


def test_a_closed_complaint_is_never_scanned(claim, acme_admin):
    workflow.complaint_withdraw(complaint=claim, actor=None, reason="Sorted.")

    claim.refresh_from_db()
    assert next_check(claim) is None
    assert sla_scan.sla_scan(now=athens(30, 12)) == 0


def test_the_scan_reads_only_what_is_due(claim, django_assert_max_num_queries):
    ComplaintSettings.objects.get_or_create(tenant_id=claim.tenant_id)

    # nothing due yet: one query for the due complaints, nothing else
    with django_assert_max_num_queries(3):
        assert sla_scan.sla_scan(now=TUESDAY_10 + timedelta(minutes=5)) == 0


def test_a_pause_does_not_raise_the_warning_again(claim, acme_admin, acme_agent):
    claim = bring_to(claim, State.INVESTIGATING, acme_admin)
    Complaint.objects.for_tenant(claim.tenant_id).filter(pk=claim.pk).update(
        resolve_warn_at=athens(4, 9)
    )
    SlaCheck.objects.for_tenant(claim.tenant_id).filter(complaint=claim).update(
        next_check_at=athens(4, 9)
    )
    sla_scan.sla_scan(now=athens(4, 10))
    warnings_before = [a for a in alerts(claim) if a == ("resolution", 0)]
    claim.refresh_from_db()

    paused = workflow.complaint_request_information(
        complaint=claim, actor=acme_admin, question="Invoice?"
    )
    resumed = workflow.complaint_receive_information(complaint=paused, actor=None, body="Here.")
    sla_scan.sla_scan(now=resumed.resolve_warn_at + timedelta(minutes=1))

    assert warnings_before == [("resolution", 0)]
    assert [a for a in alerts(claim) if a == ("resolution", 0)] == [("resolution", 0)]


def test_with_no_manager_on_the_way_up_the_admins_hear_of_a_breach(claim, acme_admin):
    sla_scan.sla_scan(now=athens(4, 10, 30))

    breach = [r for r, text in notified(claim) if "overdue" in text]
    assert breach == ["alice@acme.example", "bob@acme.example"]


def test_an_assessment_that_changes_the_severity_changes_the_targets(claim, acme_setup, acme_admin):
    SlaPolicy.objects.create(
        tenant=acme_setup,
        name="Critical",
        severity="critical",
        acknowledgement_hours=1,
        first_response_hours=4,
        resolution_hours=16,
    )
    claim = workflow.complaint_acknowledge(complaint=claim, actor=acme_admin)
    assert claim.sla_policy is None

    assessed = workflow.complaint_assess(
        complaint=claim,
        actor=acme_admin,
        severity="critical",
        impact="high",
        complexity="low",
        is_in_scope=True,
    )

    assert assessed.sla_policy.name == "Critical"
    assert assessed.first_response_due_at == athens(3, 14)  # 4 working hours from Tue 10:00
    assert assessed.resolve_due_at == athens(5, 10)  # 16 working hours → Thu 10:00
    assert assessed.acknowledge_due_at == athens(4, 10)  # stopped clocks keep their due time
