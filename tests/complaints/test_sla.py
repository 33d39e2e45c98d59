"""SLA clocks: due times from policies in working time, pauses, and the scan's alerts."""

import importlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone, translation

from complaints import services, sla_scan, workflow
from complaints.lifecycle import State
from complaints.models import (
    Category,
    ComplaintSettings,
    RoutingRule,
    SlaAlert,
    SlaCheck,
    SlaPolicy,
)
from notifications.models import Notification
from tenants.models import Department, Role, Tenant
from tests.complaint_fixtures import bring_to, file_complaint
from tests.factories import make_department, make_member

# Tuesday 3 March 2026, 10:00 in Athens (08:00 UTC): a working day, working hours 09–17.
TUESDAY_10 = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


def athens(day, hour, minute=0):
    """An instant given in Athens time (UTC+2 in March before the 29th)."""
    return datetime(2026, 3, day, hour - 2, minute, tzinfo=UTC)


MINUTE = timedelta(minutes=1)


@pytest.fixture
def claim(acme_setup, acme_brand, acme_agent):
    """A claims complaint filed on Tuesday 10:00, routed to bob in the north branch."""
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


def worded(tenant, fields, language=None):
    """The tenant's notifications as a reader of ``language`` (the tenant's own by default)
    sees them in the tenant's time zone: ``fields`` of each, ``text`` its words."""
    tenant = Tenant.objects.get(pk=getattr(tenant, "pk", tenant))
    rows = Notification.objects.for_tenant(tenant).select_related("recipient__user")
    with (
        translation.override(language or tenant.default_language),
        timezone.override(tenant.time_zone),
    ):
        return sorted(
            tuple(
                row.recipient.user.username if field == "recipient" else getattr(row, field)
                for field in fields
            )
            for row in rows
        )


def notified(complaint):
    return worded(complaint.tenant_id, ("recipient", "text"))


def test_the_default_targets_are_counted_in_working_time(claim):
    # acknowledge in 8 working hours, first response in 24, resolve in 15 working days
    assert claim.acknowledge_due_at == athens(4, 10)  # Wed 10:00
    assert claim.acknowledge_warn_at == athens(3, 16)  # 75 %: 6 working hours → Tue 16:00
    assert claim.first_response_due_at == athens(6, 10)  # Fri 10:00
    assert claim.resolve_due_at == athens(24, 10)  # 15 working days → Tue 24 March 10:00
    assert next_check(claim) == claim.acknowledge_warn_at


def test_the_most_specific_policy_wins(acme_setup, acme_brand, claim):
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


def test_waiting_on_the_customer_pauses_the_clocks(claim, acme_admin, clock):
    clock(athens(3, 11))
    claim = bring_to(claim, State.INVESTIGATING, acme_admin)  # acknowledged: that clock stops
    clock(athens(4, 10))  # Wednesday 10:00

    paused = workflow.complaint_request_information(
        complaint=claim, actor=acme_admin, question="Please send the invoice."
    )

    assert next_check(paused) is None
    clock(athens(9, 10))  # Monday 10:00: 24 working hours later (Wed 7, Thu 8, Fri 8, Mon 1)

    resumed = workflow.complaint_receive_information(complaint=paused, actor=None, body="Attached.")

    assert resumed.sla_paused_at is None
    # Acknowledgement stopped before the pause, first response with the question itself.
    assert (resumed.acknowledged_at, resumed.acknowledge_due_at) == (athens(3, 11), athens(4, 10))
    assert (resumed.first_responded_at, resumed.first_response_due_at) == (
        athens(4, 10),
        athens(6, 10),
    )
    # The running clock moves on by the 24 working hours the pause lasted.
    # Was Tue 24 March 10:00: past the 25 March holiday and into summer time (UTC+3).
    assert resumed.resolve_due_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert resumed.resolve_warn_at == athens(23, 12)  # was Wed 18 12:00
    assert next_check(resumed) == athens(23, 12)


def test_the_scan_warns_then_breaches_then_escalates_up_the_tree(
    claim, acme_agent, north_manager, acme_manager
):
    # warning (75 % of 8 h) on Tuesday 16:00: the assignee hears of it
    assert sla_scan.sla_scan(now=athens(3, 16, 30)) == 1
    assert alerts(claim) == [("acknowledgement", 0)]
    assert notified(claim) == [
        ("bob@acme.example", "AMO-2026-000001: Acknowledgement is due 4 Mar 2026, 10:00.")
    ]

    # breach on Wednesday 10:00: the assignee and the branch's manager
    assert sla_scan.sla_scan(now=athens(4, 10, 30)) == 1
    assert alerts(claim) == [("acknowledgement", 0), ("acknowledgement", 1)]
    assert notified(claim)[1:] == [
        ("bob@acme.example", "AMO-2026-000001: Acknowledgement is overdue."),
        ("nora@acme.example", "AMO-2026-000001: Acknowledgement is overdue."),
    ]
    # The warning is old news now: read, so the bell counts the breach alone.
    assert worded(claim.tenant_id, ("recipient", "text", "is_read"))[:2] == [
        ("bob@acme.example", "AMO-2026-000001: Acknowledgement is due 4 Mar 2026, 10:00.", True),
        ("bob@acme.example", "AMO-2026-000001: Acknowledgement is overdue.", False),
    ]

    # 8 working hours after the breach: the regional manager one level up
    assert sla_scan.sla_scan(now=athens(5, 10, 30)) == 1
    assert alerts(claim) == [("acknowledgement", 0), ("acknowledgement", 1), ("acknowledgement", 2)]
    escalated = "AMO-2026-000001: Acknowledgement is still overdue; escalated to you."
    assert [row for row in notified(claim) if "escalated" in row[1]] == [
        ("mario@acme.example", escalated)
    ]
    assert len(notified(claim)) == 4


# Friday 12:00, when the scan first looks at the claim: every event until then, at once.
FRIDAY_NOON_ALERTS = [
    ("acknowledgement", 0),
    ("acknowledgement", 1),
    ("acknowledgement", 2),
    ("acknowledgement", 3),
    ("first_response", 0),
    ("first_response", 1),
]


def test_a_scan_run_twice_raises_each_alert_once(claim, north_manager):
    later = athens(6, 12)

    first = sla_scan.sla_scan(now=later)
    second = sla_scan.sla_scan(now=later)

    assert (first, second) == (6, 0)
    assert alerts(claim) == FRIDAY_NOON_ALERTS
    # Nobody sits above nora and there is no admin: the escalations reach no one. The warnings
    # are raised (an alert each) but tell nobody: their deadlines had passed, the breaches say it.
    assert notified(claim) == [
        ("bob@acme.example", "AMO-2026-000001: Acknowledgement is overdue."),
        ("bob@acme.example", "AMO-2026-000001: First response is overdue."),
        ("nora@acme.example", "AMO-2026-000001: Acknowledgement is overdue."),
        ("nora@acme.example", "AMO-2026-000001: First response is overdue."),
    ]


def test_a_scan_that_died_before_storing_its_next_checks_raises_nothing_twice(claim, north_manager):
    later = athens(6, 12)
    assert sla_scan.sla_scan(now=later) == 6
    before = notified(claim)
    # What a crash between raising the alerts and storing the next check would leave.
    SlaCheck.objects.for_tenant(claim.tenant_id).filter(complaint=claim).update(
        next_check_at=TUESDAY_10
    )

    assert sla_scan.sla_scan(now=later) == 0

    assert alerts(claim) == FRIDAY_NOON_ALERTS
    assert notified(claim) == before
    assert next_check(claim) > later


@pytest.mark.postgres  # SQLite runs the two one after the other; PostgreSQL races them
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_raise_each_alert_once(acme_setup, acme_brand, acme_agent):
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
    assert sum(results) == 20 * 6
    assert [alerts(complaint) for complaint in complaints] == [FRIDAY_NOON_ALERTS] * 20
    # bob hears of each breach (the warnings' deadlines had passed when the scans ran: no news);
    # nobody sits above him to hear of the escalations.
    assert Notification.objects.for_tenant(acme_setup).filter(recipient=acme_agent).count() == 40
    assert Notification.objects.for_tenant(acme_setup).count() == 40


def test_a_stopped_clock_raises_nothing(claim, acme_admin):
    workflow.complaint_acknowledge(complaint=claim, actor=acme_admin)

    sla_scan.sla_scan(now=athens(4, 12))

    assert [clock for clock, _ in alerts(claim)] == []


def test_a_closed_complaint_is_never_scanned(claim, acme_admin):
    workflow.complaint_withdraw(complaint=claim, actor=None, reason="Sorted.")

    claim.refresh_from_db()
    assert next_check(claim) is None
    assert sla_scan.sla_scan(now=athens(30, 12)) == 0


def test_the_scan_reads_only_what_is_due(claim, django_assert_num_queries):
    ComplaintSettings.objects.get_or_create(tenant_id=claim.tenant_id)

    # nothing due yet: the savepoint, one query for the due complaints, its release
    with django_assert_num_queries(3):
        assert sla_scan.sla_scan(now=TUESDAY_10 + timedelta(minutes=5)) == 0


def test_a_pause_after_the_warning_does_not_raise_it_again(claim, acme_admin, north_manager, clock):
    clock(athens(3, 11))
    claim = bring_to(claim, State.INVESTIGATING, acme_admin)
    # A first reply stops the first-response clock: only the resolution clock runs.
    services.complaint_add_message(complaint=claim, actor=acme_admin, kind="reply", body="On it.")
    claim.refresh_from_db()
    assert (claim.resolve_warn_at, claim.resolve_due_at) == (athens(18, 12), athens(24, 10))
    assert sla_scan.sla_scan(now=athens(18, 12, 1)) == 1
    clock(athens(18, 15))  # after the warning, before the breach
    paused = workflow.complaint_request_information(
        complaint=claim, actor=acme_admin, question="Invoice?"
    )
    clock(athens(23, 15))  # 24 working hours later (Wed 2, Thu 8, Fri 8, Mon 6)

    resumed = workflow.complaint_receive_information(complaint=paused, actor=None, body="Here.")

    # The warning was already due: it stays where it was; the breach moves on.
    breach = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # Monday 10:00, summer time
    assert (resumed.resolve_warn_at, resumed.resolve_due_at) == (athens(18, 12), breach)
    assert next_check(resumed) == breach
    # The scan at the breach finds the warning due as well: it raises the breach alone.
    assert sla_scan.sla_scan(now=breach + MINUTE) == 1
    assert alerts(claim) == [("resolution", 0), ("resolution", 1)]
    assert notified(claim) == [
        ("bob@acme.example", "AMO-2026-000001: Resolution is due 24 Mar 2026, 10:00."),
        ("bob@acme.example", "AMO-2026-000001: Resolution is overdue."),
        ("nora@acme.example", "AMO-2026-000001: Resolution is overdue."),
    ]


# --- one tick, two tenants ------------------------------------------------------------------


@pytest.fixture
def globex_claims(globex, globex_brand):
    """Globex in Rome, in Italian, with its own targets; claims routed to giulia in Rome."""
    Tenant.objects.filter(pk=globex.pk).update(
        country="IT", time_zone="Europe/Rome", default_language="it"
    )
    globex.refresh_from_db()
    ComplaintSettings.objects.create(
        tenant=globex,
        acknowledgement_hours=4,
        first_response_hours=40,
        warning_percent=50,
        escalation_hours=2,
    )
    hq = Department.objects.for_tenant(globex).get(code="hq")
    make_department(globex, "roma", "Roma", parent=hq)
    make_member(globex, "giulia", Role.AGENT, "roma")
    make_member(globex, "marco", Role.MANAGER, "roma")
    make_member(globex, "gino", Role.MANAGER, "hq")
    claims = services.category_create(tenant=globex, actor=None, code="claims", name="Sinistri")
    RoutingRule.objects.create(
        tenant=globex,
        name="Sinistri a Roma",
        category=claims,
        department=Department.objects.for_tenant(globex).get(code="roma"),
        strategy=RoutingRule.Strategy.LEAST_OPEN,
    )
    return claims


def notifications_of(tenant):
    return worded(tenant, ("recipient", "text", "link"))


def test_one_tick_scans_two_tenants_each_with_its_own_calendar_settings_and_people(
    acme_setup, acme_brand, acme_agent, north_manager, acme_manager, globex_brand, globex_claims
):
    # Tuesday 24 March 14:00 UTC: 16:00 in Athens, 15:00 in Rome. Wednesday 25 March is a
    # public holiday in Greece, not in Italy.
    received = datetime(2026, 3, 24, 14, 0, tzinfo=UTC)
    acme_claims = Category.objects.for_tenant(acme_setup).get(code="claims")
    ours = file_complaint(acme_brand, category=acme_claims, received_at=received)
    theirs = file_complaint(globex_brand, category=globex_claims, received_at=received)
    # Acme: 8 h, warned at 75 %: Tue 16–17, then Thursday (Athens).
    assert (ours.acknowledge_warn_at, ours.acknowledge_due_at) == (athens(26, 14), athens(26, 16))
    # Globex: 4 h, warned at 50 %: Tue 15–17, then Wednesday 09–11 (Rome, UTC+1).
    assert (theirs.acknowledge_warn_at, theirs.acknowledge_due_at) == (
        datetime(2026, 3, 24, 16, 0, tzinfo=UTC),
        datetime(2026, 3, 25, 10, 0, tzinfo=UTC),
    )

    # Wednesday 12:30 UTC: Globex's warning, breach and escalation (2 working hours after the
    # breach, in Rome) are due; nothing of Acme's is, on its holiday.
    assert sla_scan.sla_scan(now=datetime(2026, 3, 25, 12, 30, tzinfo=UTC)) == 3
    # Thursday 12:30 UTC: Acme's warning, and nothing more of Globex's.
    assert sla_scan.sla_scan(now=datetime(2026, 3, 26, 12, 30, tzinfo=UTC)) == 1

    assert alerts(ours) == [("acknowledgement", 0)]
    assert alerts(theirs) == [
        ("acknowledgement", 0),
        ("acknowledgement", 1),
        ("acknowledgement", 2),
    ]
    assert notifications_of(acme_setup) == [
        (
            "bob@acme.example",
            "AMO-2026-000001: Acknowledgement is due 26 Mar 2026, 16:00.",
            "/acme/complaints/AMO-2026-000001/",
        )
    ]
    link = "/globex/complaints/GRO-2026-000001/"
    assert notifications_of(globex_claims.tenant) == [
        (
            "gino@globex.example",
            "GRO-2026-000001: scadenza «Presa in carico» ancora superata; il caso è stato "
            "inoltrato a Lei.",
            link,
        ),
        # The warning came due with the breach (Globex's holiday-free Wednesday): no news.
        ("giulia@globex.example", "GRO-2026-000001: scadenza «Presa in carico» superata.", link),
        ("marco@globex.example", "GRO-2026-000001: scadenza «Presa in carico» superata.", link),
    ]


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


def test_the_migration_gives_old_sla_texts_their_keys_and_reads_a_breached_warning(
    claim, acme_agent, north_manager
):
    # given the scan's notifications as they were stored before keys: text in the tenant's
    # language, unread; the warning's clock has been breached since
    sla_scan.sla_scan(now=athens(3, 16, 30))
    sla_scan.sla_scan(now=athens(4, 10, 30))
    rows = Notification.objects.for_tenant(claim.tenant_id)
    old = {row.pk: row.text for row in rows}
    for pk, text in old.items():
        rows.filter(pk=pk).update(message="text", params={"text": text}, read_at=None)
    rows.create(
        tenant_id=claim.tenant_id,
        recipient=acme_agent,
        message="text",
        params={"text": "Welcome aboard"},
        dedupe_key="welcome",
    )
    migration = importlib.import_module("complaints.migrations.0013_sla_notification_messages")
    state = MigrationLoader(connection).project_state(
        ("complaints", "0013_sla_notification_messages")
    )

    migration.sla_text_to_keys(state.apps, None)

    stored = sorted(
        (row.recipient.user.username, row.message, row.params, row.read_at is None)
        for row in rows.select_related("recipient__user")
    )
    due = claim.acknowledge_due_at.isoformat()
    reference = claim.reference
    assert [
        (who, message, {k: v for k, v in params.items() if k != "text"}, unread)
        for who, message, params, unread in stored
    ] == [
        (
            "bob@acme.example",
            "sla.breach",
            {"reference": reference, "clock": "acknowledgement"},
            True,
        ),
        (
            "bob@acme.example",
            "sla.warning",
            {"reference": reference, "clock": "acknowledgement", "due": due},
            False,
        ),
        ("bob@acme.example", "text", {}, True),
        (
            "nora@acme.example",
            "sla.breach",
            {"reference": reference, "clock": "acknowledgement"},
            True,
        ),
    ]
    assert notified(claim) == [
        ("bob@acme.example", "AMO-2026-000001: Acknowledgement is due 4 Mar 2026, 10:00."),
        ("bob@acme.example", "AMO-2026-000001: Acknowledgement is overdue."),
        ("bob@acme.example", "Welcome aboard"),
        ("nora@acme.example", "AMO-2026-000001: Acknowledgement is overdue."),
    ]
