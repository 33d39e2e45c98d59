"""``complaints.metrics`` against tables worked out by hand (the complaints and the arithmetic
are in ``tests/dashboards/complaints_fixtures.py``'s doc), the complaints filed and handled
through the workflow at chosen times."""

from datetime import date, timedelta

import pytest

from complaints import corrective_actions, metrics
from complaints.lifecycle import State
from complaints.models import Category, Channel, Complaint, CorrectiveAction, RootCause
from tenants.calendar import calendar_for
from tests.complaint_fixtures import bring_to, file_complaint
from tests.dashboards.complaints_fixtures import (
    ATHENS,
    NOW,
    athens,
    filed,
    handled,
    november_world,
    resolved,
)

TODAY = date(2026, 11, 20)


@pytest.fixture
def world(clock, acme, acme_setup, acme_brand, acme_admin, acme_agent):
    return november_world(clock, acme, acme_brand, acme_admin)


def received(acme, first: date, last: date):
    """Acme's complaints received from ``first`` to ``last`` (days in Athens)."""
    return Complaint.objects.for_tenant(acme).filter(
        received_at__gte=metrics.local_midnight(first, ATHENS),
        received_at__lt=metrics.local_midnight(last + timedelta(days=1), ATHENS),
    )


def november(acme):
    return received(acme, date(2026, 11, 1), date(2026, 11, 30))


def compliance(figures) -> dict:
    return {clock: (value.met, value.missed) for clock, value in figures.items()}


def test_volume_by_channel_and_category_per_week_and_month(acme, world):
    complaints = november(acme)
    claims = world.claims.pk

    assert metrics.volume(complaints) == 7
    assert metrics.volume_by(complaints, "month", "channel", zone=ATHENS) == {
        (date(2026, 11, 1), Channel.WEB_FORM): 3,
        (date(2026, 11, 1), Channel.PHONE): 2,
        (date(2026, 11, 1), Channel.EMAIL): 2,
    }
    assert metrics.volume_by(complaints, "week", "category", zone=ATHENS) == {
        (date(2026, 11, 2), claims): 3,
        (date(2026, 11, 2), None): 1,
        (date(2026, 11, 9), claims): 1,
        (date(2026, 11, 16), claims): 2,
    }
    # October's F is a month of its own.
    everything = received(acme, date(2026, 9, 1), TODAY)
    assert metrics.volume_by(everything, "month", "category", zone=ATHENS) == {
        (date(2026, 10, 1), claims): 1,
        (date(2026, 11, 1), claims): 6,
        (date(2026, 11, 1), None): 1,
    }


def test_root_causes_most_frequent_first_with_the_cumulative_share(acme, world):
    slow = RootCause.objects.for_tenant(acme).get(code="slow-handling").pk
    wrong = RootCause.objects.for_tenant(acme).get(code="wrong-info").pk

    pareto = metrics.root_cause_pareto(november(acme))

    assert [
        (row.root_cause_id, row.complaints, round(row.percent, 2), round(row.cumulative_percent, 2))
        for row in pareto.rows
    ] == [(slow, 2, 66.67, 66.67), (wrong, 1, 33.33, 100.0)]
    assert (pareto.with_root_cause, pareto.without_root_cause) == (3, 4)


def test_sla_compliance_counts_met_and_missed_of_the_clocks_due(acme, world):
    figures = metrics.sla_compliance(november(acme), now=NOW)

    assert compliance(figures) == {
        "acknowledge": (3, 3),
        "first_response": (3, 3),
        "resolve": (3, 0),
    }
    assert figures["acknowledge"].percent == 50.0
    assert figures["resolve"].percent == 100.0
    # October's F, untouched, has missed all three.
    with_october = metrics.sla_compliance(received(acme, date(2026, 10, 1), TODAY), now=NOW)
    assert compliance(with_october) == {
        "acknowledge": (3, 4),
        "first_response": (3, 4),
        "resolve": (3, 1),
    }


def test_missed_is_the_queues_overdue_for_a_clock_still_running(acme, world):
    # The running clocks counted missed are exactly those the overdue queue lists.
    overdue = set(november(acme).overdue(NOW).values_list("reference", flat=True))
    c, h = world.complaints["C"], world.complaints["H"]

    assert overdue == {c.reference, h.reference}


def test_a_clock_paused_while_waiting_on_the_customer_is_not_due(acme, world, clock, acme_admin):
    # F's resolution was due on 21 October; asked a question now, F waits on the customer:
    # its acknowledgement and first response stop (late: missed), its paused resolution clock
    # is not overdue and counts nowhere until it runs again.
    clock(NOW)
    f = bring_to(world.complaints["F"], State.WAITING_ON_CUSTOMER, acme_admin)
    assert f.sla_paused_at is not None and f.resolve_due_at < NOW

    figures = metrics.sla_compliance(received(acme, date(2026, 10, 1), TODAY), now=NOW)

    assert compliance(figures) == {
        "acknowledge": (3, 4),
        "first_response": (3, 4),
        "resolve": (3, 0),
    }


def test_sla_compliance_by_department_and_brand(acme, acme_brand, world):
    north_branch = world.complaints["A"].department_id
    head_office = world.complaints["C"].department_id

    by_department = metrics.sla_compliance_by(november(acme), "department", now=NOW)
    by_brand = metrics.sla_compliance_by(november(acme), "brand", now=NOW)

    assert {key: compliance(value) for key, value in by_department.items()} == {
        north_branch: {"acknowledge": (3, 2), "first_response": (3, 2), "resolve": (3, 0)},
        head_office: {"acknowledge": (0, 1), "first_response": (0, 1), "resolve": (0, 0)},
    }
    assert {key: compliance(value) for key, value in by_brand.items()} == {
        acme_brand.pk: compliance(metrics.sla_compliance(november(acme), now=NOW))
    }


def test_backlog_by_whole_days_since_received(acme, world):
    # Every complaint, whenever received: the backlog is what is open now.
    everything = Complaint.objects.for_tenant(acme)

    ages = metrics.backlog_ageing(everything, today=TODAY, zone=ATHENS)

    assert ages == {(0, 2): 1, (2, 7): 1, (7, 30): 2, (30, None): 1}
    assert metrics.age_bucket_days(TODAY, 0, 2) == (date(2026, 11, 19), TODAY)
    assert metrics.age_bucket_days(TODAY, 30, None) == (None, date(2026, 10, 21))


def test_working_hours_to_resolution_in_the_tenants_calendar(acme, world):
    hours = metrics.resolution_hours(november(acme), calendar_for(acme))
    distribution = metrics.hours_distribution(hours)

    assert hours == [6.0, 12.0, 32.0]
    assert distribution.buckets == {
        (0, 8): 1,
        (8, 24): 1,
        (24, 40): 1,
        (40, 80): 0,
        (80, 120): 0,
        (120, None): 0,
    }
    assert (distribution.resolved, distribution.median) == (3, 12.0)


def test_repeat_complainants_reach_the_tenants_threshold(acme, world):
    maria = world.complaints["A"].customer_id

    assert metrics.repeat_complainants(november(acme), threshold=3) == {maria: 3}
    assert metrics.repeat_complainants(november(acme), threshold=4) == {}
    assert len(metrics.repeat_complainants(november(acme), threshold=1)) == 5


# --- corrective actions and their effectiveness --------------------------------------------


def open_action(complaint, actor, due: date):
    return corrective_actions.corrective_action_open(
        complaint=complaint, actor=actor, description="Train the desk.", owner=actor, due_date=due
    )


def test_corrective_actions_by_status_and_past_due(acme, world, clock, acme_admin):
    clock(NOW)
    a, b, g = (world.complaints[key] for key in "ABG")
    done = open_action(a, acme_admin, date(2026, 12, 1))
    corrective_actions.corrective_action_complete(action=done, actor=acme_admin, outcome="Done.")
    late = open_action(b, acme_admin, date(2026, 11, 19))
    corrective_actions.corrective_action_start(action=late, actor=acme_admin)
    open_action(g, acme_admin, date(2026, 11, 27))

    counts = metrics.corrective_action_counts(
        CorrectiveAction.objects.for_tenant(acme), today=TODAY
    )

    assert counts == {"open": 1, "in_progress": 1, "done": 1, "cancelled": 0, "overdue": 1}


def test_effectiveness_compares_the_months_before_and_after_completion(
    clock, acme, acme_setup, acme_brand, acme_admin, acme_agent
):
    """Claims per month: Sep 3 (2 slow handling), Oct 3 (1 slow handling), Nov 1 (the action's
    own, slow handling; the action is completed on 20 Nov), Dec 1 (wrong information), Jan 0,
    Feb 0; today is in March. Before (May–Oct): claims 6/6 = 1.0 a month, slow handling
    3/6 = 0.5; after (Dec–Feb, March not over): claims 1/3, slow handling 0: both dropped."""
    claims = Category.objects.for_tenant(acme).get(code="claims")
    plan = [
        (athens(9, 7, 9), "slow-handling"),
        (athens(9, 14, 9), "slow-handling"),
        (athens(9, 21, 9), None),
        (athens(10, 5, 9), "slow-handling"),
        (athens(10, 12, 9), None),
        (athens(10, 19, 9), None),
        (athens(12, 7, 9), "wrong-info"),
    ]
    for when, cause in plan:
        complaint = filed(clock, acme_brand, when, category=claims, channel=Channel.PHONE)
        if cause:
            complaint = handled(clock, complaint, when + timedelta(hours=1), acme_admin)
            resolved(clock, complaint, when + timedelta(hours=2), acme_admin, cause)
    own = filed(clock, acme_brand, athens(11, 2, 9), category=claims, channel=Channel.WEB_FORM)
    own = handled(clock, own, athens(11, 2, 10), acme_admin)
    own = resolved(clock, own, athens(11, 2, 11), acme_admin, "slow-handling")
    clock(athens(11, 20, 12))
    action = open_action(own, acme_admin, date(2026, 11, 30))
    action = corrective_actions.corrective_action_complete(
        action=action, actor=acme_admin, outcome="Claims desk retrained."
    )
    clock(athens(3, 15, 12, year=2027))

    counts = metrics.monthly_counts(Complaint.objects.for_tenant(acme), zone=ATHENS)
    effect = metrics.effectiveness(
        counts,
        category_id=claims.pk,
        root_cause_id=own.root_cause_id,
        completed_month=date(2026, 11, 1),
        current_month=date(2027, 3, 1),
    )

    assert [(m.month, m.category, m.root_cause) for m in effect.before] == [
        (date(2026, 5, 1), 0, 0),
        (date(2026, 6, 1), 0, 0),
        (date(2026, 7, 1), 0, 0),
        (date(2026, 8, 1), 0, 0),
        (date(2026, 9, 1), 3, 2),
        (date(2026, 10, 1), 3, 1),
    ]
    assert (effect.completed_in.category, effect.completed_in.root_cause) == (1, 1)
    assert [(m.month, m.category, m.root_cause) for m in effect.after] == [
        (date(2026, 12, 1), 1, 0),
        (date(2027, 1, 1), 0, 0),
        (date(2027, 2, 1), 0, 0),
    ]
    assert effect.mean("category", "before") == 1.0
    assert effect.mean("category", "after") == pytest.approx(1 / 3)
    assert effect.mean("root_cause", "before") == 0.5
    assert effect.mean("root_cause", "after") == 0.0
    assert effect.dropped("category") is True and effect.dropped("root_cause") is True
    assert action.completed_at == athens(11, 20, 12)


def test_no_full_month_after_completion_leaves_the_effect_untold():
    counts = {(date(2026, 10, 1), 1, 2): 4}

    effect = metrics.effectiveness(
        counts,
        category_id=1,
        root_cause_id=2,
        completed_month=date(2026, 11, 1),
        current_month=date(2026, 11, 1),
    )

    assert effect.after == []
    assert effect.dropped("category") is None
    assert effect.before[-1].category == 4 and effect.mean("category", "before") == 4 / 6


def test_another_tenants_complaints_are_not_in_a_tenants_figures(
    acme, world, clock, globex, globex_brand, acme_agent
):
    clock(NOW)
    file_complaint(globex_brand, channel=Channel.PHONE)

    assert metrics.volume(november(acme)) == 7
    assert metrics.volume(Complaint.objects.for_tenant(globex)) == 1
