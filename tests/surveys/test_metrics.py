"""Metrics against tables computed by hand (rows built directly: this tests the reads)."""

import itertools
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from surveys import metrics
from surveys.models import (
    Answer,
    FollowUp,
    Interaction,
    Invitation,
    Question,
    Response,
    Survey,
    SurveyVersion,
)
from surveys.scoring import QuestionKind
from tests.factories import BrandFactory, TouchpointFactory

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
serial = itertools.count()


@pytest.fixture
def survey(acme):
    version = SurveyVersion.objects.create(
        tenant=acme, survey=Survey.objects.create(tenant=acme, name="After service"), number=1
    )
    for position, kind in enumerate(
        (QuestionKind.NPS, QuestionKind.CSAT, QuestionKind.CES), start=1
    ):
        Question.objects.create(
            tenant=acme, version=version, position=position, kind=kind, text={"en": kind}
        )
    return version


@pytest.fixture
def respond(acme, survey):
    from customers.models import Customer

    brand = BrandFactory(tenant=acme)
    customer = Customer.objects.create(tenant=acme, name="C", email_key="c@example.com")
    questions = {q.kind: q for q in survey.questions.all()}

    def make(
        *,
        nps=None,
        csat=None,
        ces=None,
        primary="nps",
        answered=True,
        decision="invited",
        when=NOW,
        **interaction_fields,
    ):
        n = next(serial)
        interaction = Interaction.objects.create(
            tenant=acme,
            customer=customer,
            occurred_at=when,
            source="api",
            external_reference=f"event-{n}",
            decision=decision,
            **{"brand": brand, **interaction_fields},
        )
        invitation = Invitation.objects.create(
            tenant=acme,
            interaction=interaction,
            version=survey,
            customer=customer,
            send_at=when,
            sent_at=when,
            expires_at=when,
            answered_at=when if answered else None,
        )
        if not answered:
            return None
        scores = {"nps": nps, "csat": csat, "ces": ces}
        response = Response.objects.create(
            tenant=acme,
            invitation=invitation,
            version=survey,
            interaction=interaction,
            primary_kind=primary,
            primary_score=scores[primary],
            submitted_at=when,
        )
        for kind, score in scores.items():
            Answer.objects.create(
                tenant=acme, response=response, question=questions[kind], score=score
            )
        return response

    return make


def answers(acme):
    return Answer.objects.for_tenant(acme)


def test_nps_of_the_worked_example(acme, respond):
    for score in (0, 7, 7, 9, 9, 9):
        respond(nps=score)
    respond(nps=None)  # skipped: counted apart, not in n

    result = metrics.nps(answers(acme))

    assert (result.answered, result.skipped) == (6, 1)
    assert (result.promoters, result.passives, result.detractors) == (3, 2, 1)
    assert round(result.score, 1) == 33.3
    assert round(result.standard_error, 1) == 30.4  # SE 0.304
    assert round(result.margin_of_error, 1) == 59.6  # 1.96 × 30.4


def test_nps_edge_cases(acme, respond):
    assert metrics.nps(answers(acme)).score is None
    assert metrics.nps(answers(acme)).margin_of_error is None

    respond(nps=10)
    one = metrics.nps(answers(acme))
    assert (one.score, one.standard_error) == (100.0, 0.0)

    for _ in range(3):
        respond(nps=8)
    passives_mostly = metrics.nps(answers(acme))
    assert passives_mostly.score == 25.0


def test_all_passives_score_zero_with_no_spread(acme, respond):
    for score in (7, 8, 7, 8):
        respond(nps=score)

    result = metrics.nps(answers(acme))

    assert (result.score, result.standard_error) == (0.0, 0.0)


def test_csat_is_the_share_of_4_and_5(acme, respond):
    for score in (5, 4, 4, 3, 1):
        respond(csat=score, primary="csat")
    respond(csat=None, primary="csat")

    share = metrics.csat(answers(acme))

    assert (share.part, share.whole, share.percent) == (3, 5, 60.0)


def test_ces_is_the_mean_effort(acme, respond):
    for score in (2, 3, 7):
        respond(ces=score)

    assert metrics.ces(answers(acme)) == 4.0


def test_response_rate_counts_delivered_invitations(acme, respond):
    respond(nps=9)
    respond(nps=3)
    respond(answered=False)
    respond(answered=False)

    share = metrics.response_rate(Invitation.objects.for_tenant(acme))

    assert (share.part, share.whole, share.percent) == (2, 4, 50.0)


def test_coverage_is_surveyed_over_eligible(acme, respond):
    respond(nps=9)
    respond(answered=False, decision="throttled")
    respond(answered=False, decision="opted_out")
    respond(answered=False, decision="not_eligible")

    share = metrics.coverage(Interaction.objects.for_tenant(acme))

    assert (share.part, share.whole) == (1, 3)


def test_follow_up_recovery_of_critics(acme, respond):
    def follow_up(first, rerate, kind):
        response = respond(**{kind: first}, primary=kind)
        again = respond(**{kind: rerate}, primary=kind) if rerate is not None else None
        FollowUp.objects.create(tenant=acme, response=response, due_at=NOW, rerate=again)

    follow_up(2, 5, "csat")  # recovered
    follow_up(3, 3, "csat")  # still a critic
    follow_up(4, 8, "nps")  # NPS detractor → passive: recovered
    follow_up(6, 6, "nps")  # not recovered
    follow_up(1, None, "csat")  # not re-surveyed: not counted

    share = metrics.follow_up_recovery(FollowUp.objects.for_tenant(acme))

    assert (share.part, share.whole, share.percent) == (2, 4, 50.0)


# --- by brand, touchpoint, department, performer and period ----------------------------------


def test_nps_and_csat_by_brand(acme, respond):
    north, south = BrandFactory(tenant=acme), BrandFactory(tenant=acme)
    for score in (10, 9, 3):  # 2 promoters, 1 detractor of 3: +33.3
        respond(nps=score, csat=5, brand=north)
    for score in (7, 8):  # all passives: 0
        respond(nps=score, csat=2, brand=south)

    by_brand = metrics.nps_by(answers(acme), "brand")
    satisfied = metrics.csat_by(answers(acme), "brand")

    assert {brand: round(n.score, 1) for brand, n in by_brand.items()} == {
        north.pk: 33.3,
        south.pk: 0.0,
    }
    assert by_brand[south.pk].margin_of_error == 0.0
    assert {brand: share.percent for brand, share in satisfied.items()} == {
        north.pk: 100.0,
        south.pk: 0.0,
    }


def test_figures_by_performer_and_by_the_performers_department(
    acme, respond, acme_agent, acme_south_agent, acme_manager
):
    respond(nps=10, ces=7, performer=acme_agent)  # north-branch
    respond(nps=0, ces=1, performer=acme_agent)
    respond(nps=9, ces=6, performer=acme_south_agent)  # south-branch
    respond(nps=6, ces=2)  # nobody recorded as performer

    by_performer = metrics.nps_by(answers(acme), "performer")
    by_department = metrics.ces_by(answers(acme), "department")

    assert {key: n.score for key, n in by_performer.items()} == {
        acme_agent.pk: 0.0,
        acme_south_agent.pk: 100.0,
        None: -100.0,
    }
    assert by_department == {
        acme_agent.department_id: 4.0,
        acme_south_agent.department_id: 6.0,
        None: 2.0,
    }


def test_figures_by_month_follow_the_tenants_clock(acme, respond):
    athens = ZoneInfo("Europe/Athens")
    respond(nps=10, when=datetime(2026, 1, 31, 21, 30, tzinfo=UTC))  # 23:30 in Athens: January
    respond(nps=0, when=datetime(2026, 1, 31, 22, 30, tzinfo=UTC))  # 00:30 on 1 February
    respond(nps=9, when=datetime(2026, 2, 14, 12, 0, tzinfo=UTC))

    by_month = metrics.nps_by(answers(acme), "month", zone=athens)

    assert {key.astimezone(athens).date(): n.score for key, n in by_month.items()} == {
        date(2026, 1, 1): 100.0,
        date(2026, 2, 1): 0.0,
    }


def test_rates_coverage_and_recovery_by_touchpoint(acme, respond):
    phone, shop = TouchpointFactory(tenant=acme), TouchpointFactory(tenant=acme)
    respond(nps=9, touchpoint=phone)
    respond(answered=False, touchpoint=phone)
    respond(answered=False, decision="throttled", touchpoint=shop)
    critic = respond(nps=2, touchpoint=shop)
    rerate = respond(nps=8, touchpoint=shop)
    FollowUp.objects.create(tenant=acme, response=critic, due_at=NOW, rerate=rerate)

    rates = metrics.response_rate_by(Invitation.objects.for_tenant(acme), "touchpoint")
    covered = metrics.coverage_by(Interaction.objects.for_tenant(acme), "touchpoint")
    recovered = metrics.follow_up_recovery_by(FollowUp.objects.for_tenant(acme), "touchpoint")

    assert {key: (s.part, s.whole) for key, s in rates.items()} == {
        phone.pk: (1, 2),
        shop.pk: (2, 3),
    }
    assert {key: (s.part, s.whole) for key, s in covered.items()} == {
        phone.pk: (2, 2),
        shop.pk: (2, 3),
    }
    assert {key: s.percent for key, s in recovered.items()} == {shop.pk: 100.0}


def test_no_rows_no_groups(acme, respond):
    assert metrics.nps_by(answers(acme), "brand") == {}
    with pytest.raises(ValueError):
        metrics.nps_by(answers(acme), "colour")
