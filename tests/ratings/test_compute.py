"""Stored ratings (``ratings.services``) from real rows, against numbers worked out by hand.

The default scheme: CSAT norm 3.0 → 4.5, SLA 50 → 95 %, median resolution 120 → 24 working
hours, reopened 20 → 0 %, follow-ups 50 → 100 %; weights 40/20/15/10/15; m = 10; at least 5
answers and 3 cases. Acme's clock is Europe/Athens (UTC+2, UTC+3 from 29 March 2026) and works
Monday to Friday 09:00–17:00; 2–13 March 2026 hold no Greek holiday (25 March does).

Pete (performer) and Bob (agent) work in the north branch, Mario (manager) in the north
region above it, Sara (agent) in the south branch; Charlie works for Globex.
"""

import functools
import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaints import workflow
from complaints.lifecycle import State
from complaints.models import Complaint, RootCause
from ratings import formula
from ratings.models import Rating, RatingScheme
from ratings.services import (
    DEFAULT_NORMS,
    DEFAULT_WEIGHTS,
    period_for,
    rating_period_recompute,
    rating_period_reopen,
    ratings_compute,
    ratings_refresh,
)
from surveys.models import Answer, FollowUp, Interaction, Invitation, Response
from surveys.scoring import QuestionKind, is_critic
from tenants.errors import Conflict, NotAllowed
from tenants.models import AuditEntry, Department, Role
from tests.complaint_fixtures import bring_to, file_complaint
from tests.factories import make_member
from tests.surveys.survey_fixtures import make_customer, publish_survey

ATHENS = ZoneInfo("Europe/Athens")
CUSTOMER, SLA, HOURS, REOPEN, FOLLOW_UPS = (kind.key for kind in formula.COMPONENTS)
CSAT, NPS = QuestionKind.CSAT, QuestionKind.NPS
FIRST, RERATE = Invitation.Purpose.FIRST, Invitation.Purpose.RERATE


def athens(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ATHENS)


MID_MARCH = athens(3, 10, 11)


def march(tenant):
    return period_for(tenant, "month", date(2026, 3, 15))


def rating_of(period, *, performer=None, department: str | None = None) -> Rating:
    rows = Rating.objects.for_tenant(period.tenant_id).filter(period=period)
    if performer is not None:
        return rows.get(performer=performer)
    return rows.get(department__code=department)


def assert_components(rating: Rating, expected: dict) -> None:
    """``expected``: ``{key: (raw, count, normalised)}``; a key left out has no data at all."""
    stored = {each["key"]: each for each in rating.components}
    assert list(stored) == [CUSTOMER, SLA, HOURS, REOPEN, FOLLOW_UPS]
    for key, each in stored.items():
        raw, count, normalised = expected.get(key, (None, 0, None))
        assert (each["raw"], each["count"], each["normalised"]) == pytest.approx(
            (raw, count, normalised)
        ), key
        assert each["has_enough"] is (normalised is not None), key
        assert each["weight"] == DEFAULT_WEIGHTS[key]


@pytest.fixture
def answer(db):
    """``answer(performer, score, brand=…, when=…, kind=CSAT, purpose=FIRST)``: a response
    about a visit at ``when`` (served by ``performer``, or nobody), its primary question
    scored ``score`` — the rows a submitted survey leaves (as tests/surveys/test_metrics.py)."""
    versions, customers, serial = {}, {}, itertools.count()

    def make(performer, score, *, brand, when=MID_MARCH, kind=CSAT, purpose=FIRST) -> Response:
        tenant, n = brand.tenant, next(serial)
        if (tenant.pk, kind) not in versions:
            versions[tenant.pk, kind] = publish_survey(tenant, name=f"{kind}", primary=kind)
            customers.setdefault(tenant.pk, make_customer(tenant, "Maria", f"m@{tenant.slug}.gr"))
        version, customer = versions[tenant.pk, kind], customers[tenant.pk]
        interaction = Interaction.objects.create(
            tenant=tenant,
            brand=brand,
            customer=customer,
            performer=performer,
            occurred_at=when,
            source="api",
            external_reference=f"visit-{n}",
            decision="invited",
        )
        invitation = Invitation.objects.create(
            tenant=tenant,
            interaction=interaction,
            version=version,
            customer=customer,
            purpose=purpose,
            status=Invitation.Status.ANSWERED,
            send_at=when,
            sent_at=when,
            expires_at=when + timedelta(days=14),
            answered_at=when + timedelta(hours=1),
        )
        response = Response.objects.create(
            tenant=tenant,
            invitation=invitation,
            version=version,
            interaction=interaction,
            primary_kind=kind,
            primary_score=score,
            is_critic=is_critic(kind, score),
            submitted_at=when + timedelta(hours=1),
        )
        Answer.objects.create(
            tenant=tenant,
            response=response,
            question=version.questions.get(is_primary=True),
            score=score,
        )
        return response

    return make


@pytest.fixture
def resolved(acme_setup, acme_admin):
    """``resolved(brand, assignee, department, received, resolved, due, reopened=False,
    actor=acme_admin)``: a complaint received at ``received``, assigned, investigated and
    resolved through the workflow (closed, reopened and resolved again when ``reopened``);
    its resolution and due times then moved to ``resolved`` and ``due``."""

    def make(brand, assignee, department, received, resolved, due, *, reopened=False, actor=None):
        actor = actor or acme_admin
        complaint = bring_to(file_complaint(brand, received_at=received), State.ASSESSED, actor)
        complaint = workflow.complaint_assign(
            complaint=complaint,
            actor=actor,
            department=Department.objects.for_tenant(brand.tenant).get(code=department),
            assignee=assignee,
        )
        complaint = bring_to(complaint, State.RESOLVED, actor)
        if reopened:
            complaint = bring_to(complaint, State.REOPENED, actor)
            complaint = workflow.complaint_start_investigation(complaint=complaint, actor=actor)
            complaint = bring_to(complaint, State.RESOLVED, actor)
        Complaint.objects.for_tenant(brand.tenant).filter(pk=complaint.pk).update(
            resolved_at=resolved, resolve_due_at=due
        )
        return complaint

    return make


# --- 1. the customer score: smoothing, minimum answers, renormalised weights -------------------


def test_few_answers_give_no_customer_score_and_many_are_smoothed_towards_the_mean(
    acme, acme_brand, answer, acme_performer, acme_south_agent, acme_agent, acme_manager
):
    for _ in range(2):
        answer(acme_performer, 5, brand=acme_brand)  # Pete: 2 answers, sum 10
    for score in [4] * 10 + [3] * 10:
        answer(acme_south_agent, score, brand=acme_brand)  # Sara: 20 answers, sum 70
    answer(None, 1, brand=acme_brand)  # nobody's: only in the tenant's mean
    answer(acme_south_agent, 5, brand=acme_brand, purpose=RERATE)  # a re-rate: history
    answer(acme_agent, 5, brand=acme_brand, when=athens(2, 27, 11))  # February: outside

    # Pete, Sara, and the departments above them: north branch, north, south branch, south,
    # head office. Bob and Mario have nothing in March: no row.
    assert ratings_compute(period=march(acme)) == 7
    period = march(acme)
    assert not Rating.objects.for_tenant(acme).filter(performer__in=[acme_agent, acme_manager])

    # tenant mean = (10 + 70 + 1) / 23 = 81 / 23 = 3.5217
    mean = 81 / 23
    sara = rating_of(period, performer=acme_south_agent)
    # smoothed (70 + 10 × 81/23) / (20 + 10) = 2420 / 690 = 3.5072;
    # normalised (3.5072 − 3) / (4.5 − 3) × 100 = 33.816 %
    assert_components(sara, {CUSTOMER: (2420 / 690, 20, (2420 / 690 - 3) / 1.5 * 100)})
    # her only component with data: its weight 40 of 40, the rating is that score
    assert sara.value == pytest.approx(33.8164, abs=1e-4)
    assert sara.inputs["tenant_mean"] == pytest.approx(mean)
    assert (sara.inputs["score_total"], sara.inputs["answers"]) == (70.0, 20)
    assert sara.scheme.version == 1

    pete = rating_of(period, performer=acme_performer)
    # (10 + 10 × 81/23) / 12 = 1040 / 276 = 3.7681, but 2 answers < 5: not counted
    assert_components(pete, {CUSTOMER: (1040 / 276, 2, None)})
    assert pete.value is None  # data, but no component with enough: no rating, never 0 %
    assert rating_of(period, department="north").value is None
    # the head office pools both: (80 + 810/23) / (22 + 10) = 2650 / 736 = 3.6005 → 40.036 %
    assert rating_of(period, department="head-office").value == pytest.approx(40.0362, abs=1e-4)


# --- 2. the complaint components, in working hours ---------------------------------------------


def test_sla_reopen_rate_and_median_working_hours_of_an_agent(
    acme, acme_brand, acme_agent, resolved
):
    # each received on Monday 2 March at 09:00 and handled by Bob in the north branch
    bobs = functools.partial(resolved, acme_brand, acme_agent, "north-branch", athens(3, 2, 9))
    bobs(athens(3, 2, 17), athens(3, 2, 17))  # 8 working hours, due that very moment: in time
    bobs(athens(3, 3, 17), athens(3, 4, 17))  # Tuesday 17:00: 16 h, in time
    bobs(athens(3, 6, 17), athens(3, 5, 17))  # Friday 17:00: 40 h, due Thursday: late
    # Thursday 12 March 17:00: 9 working days, 72 h, in time, but reopened once
    bobs(athens(3, 12, 17), athens(3, 13, 17), reopened=True)
    # resolved on 1 April 00:30 in Athens (31 March 21:30 UTC): April's
    bobs(athens(4, 1, 0, 30), athens(4, 2, 9))

    ratings_compute(period=march(acme))

    bob = rating_of(march(acme), performer=acme_agent)
    assert bob.inputs == {
        "score_total": 0,
        "answers": 0,
        "resolved": 4,
        "resolved_in_time": 3,
        "reopened": 1,
        "resolution_hours": [8.0, 16.0, 40.0, 72.0],
        "follow_ups_due": 0,
        "follow_ups_in_time": 0,
        "tenant_mean": None,
    }
    assert_components(
        bob,
        {
            SLA: (75.0, 4, (75 - 50) / (95 - 50) * 100),  # 3 of 4 → 55.556 %
            HOURS: (28.0, 4, (28 - 120) / (24 - 120) * 100),  # median (16 + 40) / 2 → 95.833 %
            REOPEN: (25.0, 4, 0.0),  # 1 of 4 = 25 %, past the floor of 20 %: clamped to 0 %
        },
    )
    # no customer score, no follow-ups: weights 20 + 15 + 10 = 45
    # (55.556 × 20 + 95.833 × 15 + 0 × 10) / 45 = (1111.11 + 1437.5) / 45 = 56.636 %
    assert bob.value == pytest.approx((1000 / 0.9 + 1437.5) / 45)
    assert bob.value == pytest.approx(56.6358, abs=1e-4)


# --- 3 and 4. departments pool their subtree ---------------------------------------------------


def test_a_region_pools_the_inputs_of_every_member_below_it(
    acme,
    acme_brand,
    answer,
    resolved,
    acme_agent,
    acme_manager,
    acme_performer,
    acme_south_agent,
    acme_admin,
):
    monday = athens(3, 2, 9)
    late = athens(3, 2, 10)
    # Bob (north branch): 8, 16 and 40 working hours, all in time
    for day, hour in ((2, 17), (3, 17), (6, 17)):
        resolved(acme_brand, acme_agent, "north-branch", monday, athens(3, day, hour), MID_MARCH)
    # Mario (north region): 72 h, late; one case alone is too few for a rating of his own
    resolved(acme_brand, acme_manager, "north", monday, athens(3, 12, 17), late)
    for score in (5, 5, 4, 4, 4):
        answer(acme_performer, score, brand=acme_brand)  # Pete: 5 answers, sum 22
    for _ in range(5):
        answer(acme_south_agent, 2, brand=acme_brand)  # Sara: 5 answers, sum 10
    # Bob's follow-ups due in March (Pete's critics called back): 2 of 3 done by their due time
    for offset in (timedelta(hours=-1), timedelta(0), timedelta(hours=3)):
        critic = answer(None, 1, brand=acme_brand, when=athens(2, 20, 9))  # February's
        follow_ups = FollowUp.objects.for_tenant(acme)
        follow_ups.create(tenant=acme, response=critic, assignee=acme_agent, due_at=MID_MARCH)
        follow_ups.filter(response=critic).update(completed_at=MID_MARCH + offset)

    # tenant mean: (22 + 10 + 3 × 1 in February, not March) / 10 = 3.2
    ratings_compute(period=march(acme))
    period = march(acme)

    assert rating_of(period, performer=acme_manager).value is None  # 1 case < 3
    assert not Rating.objects.for_tenant(acme).filter(performer=acme_admin)

    branch = rating_of(period, department="north-branch")  # Bob and Pete
    # customer (22 + 10 × 3.2) / (5 + 10) = 3.6 → 40 %; SLA 3/3 = 100 %; median 16 h → above
    # the target: 100 %; reopened 0 % → 100 %; follow-ups 2/3 = 66.7 % → 33.3 %
    assert_components(
        branch,
        {
            CUSTOMER: (3.6, 5, 40.0),
            SLA: (100.0, 3, 100.0),
            HOURS: (16.0, 3, 100.0),
            REOPEN: (0.0, 3, 100.0),
            FOLLOW_UPS: (200 / 3, 3, 100 / 3),
        },
    )
    # (40 × 40 + 100 × 20 + 100 × 15 + 100 × 10 + 33.33 × 15) / 100 = 6600 / 100
    assert branch.value == pytest.approx(66.0)

    north = rating_of(period, department="north")  # Bob, Pete and Mario
    assert north.inputs == {
        "score_total": 22.0,
        "answers": 5,
        "resolved": 4,
        "resolved_in_time": 3,
        "reopened": 0,
        "resolution_hours": [8.0, 16.0, 40.0, 72.0],  # pooled, not a median of medians
        "follow_ups_due": 3,
        "follow_ups_in_time": 2,
        "tenant_mean": pytest.approx(3.2),
    }
    # SLA 75 % → 55.556 %; median (16 + 40) / 2 = 28 h → 95.833 %
    # (1600 + 55.556 × 20 + 95.833 × 15 + 1000 + 500) / 100 = (1600 + 1111.11 + 1437.5 + 1500)
    assert north.value == pytest.approx((1600 + 1000 / 0.9 + 1437.5 + 1500) / 100)
    assert north.value == pytest.approx(56.4861, abs=1e-4)

    # Sara's branch: (10 + 32) / 15 = 2.8, below the floor of 3.0: a real 0 %, not "no rating"
    south = rating_of(period, department="south-branch")
    assert_components(south, {CUSTOMER: (2.8, 5, 0.0)})
    assert south.value == 0.0
    # the head office: answers (32 + 32) / 20 = 3.2 → 13.333 %, the rest as the north region's
    head_office = rating_of(period, department="head-office")
    assert head_office.value == pytest.approx((1600 / 3 + 1000 / 0.9 + 1437.5 + 1500) / 100)


# --- 5. the month ends at midnight on the tenant's clock ---------------------------------------


def test_a_month_runs_from_midnight_to_midnight_in_athens(acme, acme_brand, answer, acme_performer):
    answer(acme_performer, 3, brand=acme_brand, when=athens(2, 28, 23, 59))  # 21:59 UTC
    answer(acme_performer, 4, brand=acme_brand, when=athens(3, 1, 0, 0))  # 28 Feb 22:00 UTC
    # summer time from 29 March: 23:30 is 20:30 UTC, and 00:30 on 1 April is 21:30 UTC on 31
    # March — still March in UTC, April in Athens
    last = athens(3, 31, 23, 30)
    assert last == datetime(2026, 3, 31, 20, 30, tzinfo=UTC)
    answer(acme_performer, 5, brand=acme_brand, when=last)
    first = athens(4, 1, 0, 30)
    assert first == datetime(2026, 3, 31, 21, 30, tzinfo=UTC)
    answer(acme_performer, 1, brand=acme_brand, when=first)

    months = {month: period_for(acme, "month", date(2026, month, 1)) for month in (2, 3, 4)}
    assert (months[3].start, months[3].end) == (date(2026, 3, 1), date(2026, 4, 1))
    for period in months.values():
        ratings_compute(period=period)

    inputs = {
        month: rating_of(period, performer=acme_performer).inputs
        for month, period in months.items()
    }
    assert {month: (each["score_total"], each["answers"]) for month, each in inputs.items()} == {
        2: (3.0, 1),
        3: (9.0, 2),  # 4 + 5
        4: (1.0, 1),
    }


# --- 6. recomputing, closing, reopening --------------------------------------------------------


def _stored(period) -> list[tuple]:
    rows = Rating.objects.for_tenant(period.tenant_id).filter(period=period).order_by("pk")
    return list(rows.values_list("pk", "performer", "department", "value", "inputs"))


def test_a_closed_period_keeps_its_ratings_until_a_manager_reopens_it(
    acme, acme_brand, answer, acme_performer, acme_manager, acme_agent
):
    for _ in range(6):
        answer(acme_performer, 4, brand=acme_brand)  # sum 24, mean 4: (24 + 40) / 16 = 4
    period = march(acme)
    ratings_compute(period=period, now=athens(4, 2, 3))
    first = _stored(period)
    ratings_compute(period=period, now=athens(4, 3, 3))
    assert _stored(period) == first  # same rows, same ids, same values
    # Pete, north branch, north, head office; 66.667 % each
    assert [row[3] for row in first] == [pytest.approx(200 / 3)] * 4

    # the nightly run on 10 April (Athens) leaves March open; on 11 April (+10 days) closes it
    ratings_refresh(now=datetime(2026, 4, 10, 0, 30, tzinfo=UTC))
    period.refresh_from_db()
    assert period.closed_at is None
    closing = datetime(2026, 4, 10, 21, 30, tzinfo=UTC)  # 00:30 on 11 April in Athens
    ratings_refresh(now=closing)
    period.refresh_from_db()
    assert period.closed_at == closing
    assert AuditEntry.objects.for_tenant(acme).filter(
        action="rating_period.closed", target_id=str(period.pk), actor=None
    )
    closed = _stored(period)
    assert closed == first

    # a late answer about March: the closed period does not move
    answer(acme_performer, 1, brand=acme_brand)
    ratings_refresh(now=closing + timedelta(days=1))
    with pytest.raises(Conflict):
        ratings_compute(period=period)
    assert _stored(period) == closed

    # an agent may not reopen it: nothing changes
    with pytest.raises(NotAllowed):
        rating_period_reopen(actor=acme_agent, period=period)
    period.refresh_from_db()
    assert period.closed_at == closing
    assert not AuditEntry.objects.for_tenant(acme).filter(action="rating_period.reopened")

    rating_period_reopen(actor=acme_manager, period=period)
    period.refresh_from_db()
    assert period.closed_at is None
    entry = AuditEntry.objects.for_tenant(acme).get(action="rating_period.reopened")
    assert (entry.actor, entry.target_type, entry.target_id) == (
        acme_manager.user,
        "ratings.ratingperiod",
        str(period.pk),
    )
    assert entry.changes == {"closed_at": [closing.isoformat(), None]}

    assert rating_period_recompute(actor=acme_manager, period=period) == 4
    pete = rating_of(period, performer=acme_performer)
    assert pete.pk == first[0][0]
    # 7 answers, sum 25, tenant mean 25/7: (25 + 10 × 25/7) / 17 = 25/7 = 3.5714 → 38.095 %
    assert (pete.inputs["score_total"], pete.inputs["answers"]) == (25.0, 7)
    assert pete.value == pytest.approx((25 / 7 - 3) / 1.5 * 100)
    assert (
        AuditEntry.objects.for_tenant(acme).filter(action="rating_period.recomputed").count() == 1
    )


# --- 7. tenants ---------------------------------------------------------------------------------


def test_another_tenants_answers_and_complaints_never_enter_acmes_ratings(
    acme, acme_brand, answer, acme_performer, globex, globex_brand, globex_agent, resolved
):
    for _ in range(5):
        answer(acme_performer, 4, brand=acme_brand)  # Acme: 5 × 4, mean 4
    for _ in range(5):
        answer(globex_agent, 1, brand=globex_brand)  # Globex: 5 × 1, the same month
    globex_admin = make_member(globex, "gwen", Role.ADMIN, "hq")
    RootCause.objects.create(tenant=globex, code="slow-handling", name="Slow")
    charlies = functools.partial(resolved, globex_brand, globex_agent, "hq", athens(3, 2, 9))
    for _ in range(3):
        charlies(athens(3, 2, 13), MID_MARCH, actor=globex_admin)  # 4 h each, in time

    ratings_compute(period=march(acme))
    acme_rows = _stored(march(acme))

    rows = Rating.objects.for_tenant(acme).filter(period=march(acme))
    assert set(rows.values_list("performer", flat=True)) == {acme_performer.pk, None}
    pete = rows.get(performer=acme_performer)
    # Acme's mean alone: (20 + 10 × 4) / 15 = 4.0 → 66.667 % (with Globex's: 2.5 → 3.0)
    assert pete.inputs["tenant_mean"] == 4.0
    assert pete.value == pytest.approx(200 / 3)
    assert rows.get(department__code="head-office").inputs["resolved"] == 0

    # Globex's own computation: its rows only, and Acme's stay as they were
    ratings_compute(period=march(globex))
    charlie = rating_of(march(globex), performer=globex_agent)
    assert (charlie.inputs["tenant_mean"], charlie.inputs["resolved"]) == (1.0, 3)
    # 1 → 0 %; SLA 100 %; 4 h → 100 %; reopened 0 % → 100 %: (0 + 2000 + 1500 + 1000) / 85
    assert charlie.value == pytest.approx(4500 / 85)
    assert _stored(march(acme)) == acme_rows


# --- 8. NPS as the customer score --------------------------------------------------------------


def test_an_nps_scheme_counts_promoters_and_detractors(acme, acme_brand, answer, acme_performer):
    RatingScheme.objects.create(
        tenant=acme,
        version=2,
        customer_score_kind="nps",
        min_answers=4,
        weights=DEFAULT_WEIGHTS,
        norms={CUSTOMER: [-20, 60], **DEFAULT_NORMS},
    )
    for score in (10, 9, 7, 0):
        answer(acme_performer, score, brand=acme_brand, kind=NPS)  # +100, +100, 0, −100
    answer(None, 10, brand=acme_brand, kind=NPS)  # +100, nobody's
    answer(None, 3, brand=acme_brand, kind=NPS)  # −100, nobody's
    answer(acme_performer, 1, brand=acme_brand, kind=CSAT)  # a CSAT survey's: not counted

    ratings_compute(period=march(acme))

    pete = rating_of(march(acme), performer=acme_performer)
    assert pete.scheme.version == 2
    # tenant: (100 + 100 + 0 − 100 + 100 − 100) / 6 = 100 / 6 = 16.667
    assert pete.inputs["tenant_mean"] == pytest.approx(100 / 6)
    assert (pete.inputs["score_total"], pete.inputs["answers"]) == (100.0, 4)
    # smoothed (100 + 10 × 16.667) / (4 + 10) = 19.048; (19.048 + 20) / (60 + 20) = 48.810 %
    smoothed = (100 + 10 * 100 / 6) / 14
    assert_components(pete, {CUSTOMER: (smoothed, 4, (smoothed + 20) / 80 * 100)})
    assert pete.value == pytest.approx(48.8095, abs=1e-4)
