"""Metrics against tables computed by hand (rows built directly: this tests the reads)."""

import itertools
from datetime import UTC, datetime

import pytest

from surveys import metrics
from surveys.models import (
    Answer,
    FollowUp,
    Interaction,
    Invitation,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyVersion,
)
from tests.factories import BrandFactory

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
    from complaints.models import Customer

    brand = BrandFactory(tenant=acme)
    customer = Customer.objects.create(tenant=acme, name="C", email_key="c@example.com")
    questions = {q.kind: q for q in survey.questions.all()}

    def make(*, nps=None, csat=None, ces=None, primary="nps", answered=True, decision="invited"):
        n = next(serial)
        interaction = Interaction.objects.create(
            tenant=acme,
            brand=brand,
            customer=customer,
            occurred_at=NOW,
            source="api",
            external_reference=f"event-{n}",
            decision=decision,
        )
        invitation = Invitation.objects.create(
            tenant=acme,
            interaction=interaction,
            version=survey,
            customer=customer,
            send_at=NOW,
            sent_at=NOW,
            expires_at=NOW,
            answered_at=NOW if answered else None,
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
            submitted_at=NOW,
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
