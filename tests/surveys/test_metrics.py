"""The figures (``surveys.metrics``) against tables computed by hand.

Rows are built directly: this tests the reads, each definition of the README's "Figures"
section. Every expected number is worked out in the comment beside it, not by the code.

Two published surveys: "After service" asks NPS (primary), CSAT and CES; "Roadside" asks CSAT
(primary), CES and NPS — its NPS is a secondary question, outside the NPS unless named.
"""

import importlib
import itertools
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from customers.models import Customer
from notifications.models import Delivery
from surveys import metrics, scoring
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
from surveys.scoring import QuestionKind, critic_q, is_critic
from tests.factories import BrandFactory, TouchpointFactory

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
NPS, CSAT, CES = QuestionKind.NPS, QuestionKind.CSAT, QuestionKind.CES
FIRST, RERATE = Invitation.Purpose.FIRST, Invitation.Purpose.RERATE
serial = itertools.count()


def _version(tenant, name: str, kinds: tuple) -> SurveyVersion:
    """A published version whose first question (of ``kinds``) is the primary one."""
    version = SurveyVersion.objects.create(
        tenant=tenant,
        survey=Survey.objects.create(tenant=tenant, name=name),
        number=1,
        status=SurveyVersion.Status.PUBLISHED,
    )
    for position, kind in enumerate(kinds, start=1):
        Question.objects.create(
            tenant=tenant,
            version=version,
            position=position,
            kind=kind,
            is_primary=position == 1,
            text={"en": kind},
        )
    return version


@pytest.fixture
def after_service(acme):
    return _version(acme, "After service", (NPS, CSAT, CES))


@pytest.fixture
def roadside(acme):
    return _version(acme, "Roadside", (CSAT, CES, NPS))


@pytest.fixture
def brand(acme):
    return BrandFactory(tenant=acme)


@pytest.fixture
def invite(acme, brand, after_service):
    """``invite(email=…, answered=…, purpose=…, interaction=…, …)``: an invitation of an
    interaction (a new one unless given), its first email in the outbox in state ``email``
    ("sent": accepted by the SMTP server, "failed", "pending"; None: not queued yet)."""
    customer = Customer.objects.create(tenant=acme, name="C", email_key="c@example.com")

    def make(
        *,
        email="sent",
        answered=False,
        purpose=FIRST,
        interaction=None,
        version=None,
        decision="invited",
        when=NOW,
        **interaction_fields,
    ) -> Invitation:
        n = next(serial)
        if interaction is None:
            interaction = Interaction.objects.create(
                tenant=acme,
                customer=customer,
                occurred_at=when,
                source="api",
                external_reference=f"event-{n}",
                decision=decision,
                **{"brand": brand, **interaction_fields},
            )
        delivery = None
        if email is not None:
            delivery = Delivery.objects.create(
                tenant=acme,
                dedupe_key=f"survey-invitation-{n}-invitation",
                recipient="c@example.com",
                body="…",
                status=email,
            )
        return Invitation.objects.create(
            tenant=acme,
            interaction=interaction,
            purpose=purpose,
            version=version or after_service,
            customer=customer,
            status=Invitation.Status.ANSWERED if answered else Invitation.Status.SENT,
            send_at=when,
            sent_at=when if email is not None else None,
            expires_at=when,
            answered_at=when if answered else None,
            delivery=delivery,
            accepted_at=when if email == "sent" else None,
        )

    return make


@pytest.fixture
def respond(acme, after_service, invite):
    """``respond(nps=…, csat=…, ces=…, version=…, purpose=…, comment=…, …)``: an answered
    invitation and its response, one answer row per question of the version (None: skipped)."""

    def make(*, nps=None, csat=None, ces=None, version=None, comment="", when=NOW, **fields):
        version = version or after_service
        invitation = invite(answered=True, version=version, when=when, **fields)
        questions = list(version.questions.order_by("position"))
        scores = {NPS: nps, CSAT: csat, CES: ces}
        primary = questions[0]
        response = Response.objects.create(
            tenant=acme,
            invitation=invitation,
            version=version,
            interaction=invitation.interaction,
            primary_kind=primary.kind,
            primary_score=scores[primary.kind],
            comment=comment,
            is_critic=is_critic(primary.kind, scores[primary.kind]),
            submitted_at=when,
        )
        for question in questions:
            Answer.objects.create(
                tenant=acme, response=response, question=question, score=scores[question.kind]
            )
        return response

    return make


def answers(acme):
    return Answer.objects.for_tenant(acme)


def invitations(acme):
    return Invitation.objects.for_tenant(acme)


# --- NPS -----------------------------------------------------------------------------------------


def test_nps_of_the_worked_example(acme, respond):
    for score in (0, 7, 7, 9, 9, 9):
        respond(nps=score)
    respond(nps=None)  # skipped: counted apart, not in n

    result = metrics.nps(answers(acme))

    assert (result.answered, result.skipped) == (6, 1)
    assert (result.promoters, result.passives, result.detractors) == (3, 2, 1)
    # p = 3/6, d = 1/6: NPS = 100 · (0.5 − 0.1667) = 33.3
    assert round(result.score, 1) == 33.3
    # variance = 0.5 + 0.1667 − 0.3333² = 0.5556; SE = √(0.5556 / 6) = 0.304
    assert round(result.standard_error, 1) == 30.4
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
    assert passives_mostly.score == 25.0  # 1 promoter of 4


def test_all_passives_score_zero_with_no_spread(acme, respond):
    for score in (7, 8, 7, 8):
        respond(nps=score)

    result = metrics.nps(answers(acme))

    assert (result.score, result.standard_error) == (0.0, 0.0)


def test_a_secondary_nps_question_of_a_csat_survey_is_not_in_the_nps(acme, respond, roadside):
    for score in (10, 9, 2):  # After service: NPS primary
        respond(nps=score, csat=5)
    for score in (0, 0, 0, 0):  # Roadside: CSAT primary, NPS secondary
        respond(nps=score, csat=4, version=roadside)
    secondary = roadside.questions.get(kind=NPS)

    primary_only = metrics.nps(answers(acme))
    named = metrics.nps(answers(acme), question=secondary)
    both = metrics.nps(answers(acme), question=Question.objects.for_tenant(acme).filter(kind=NPS))

    # 2 promoters, 1 detractor of 3: 100 · (2 − 1) / 3 = 33.3 — the four 0s are not in it.
    assert (primary_only.answered, round(primary_only.score, 1)) == (3, 33.3)
    assert (named.answered, named.score) == (4, -100.0)
    # Named together: 2 promoters, 5 detractors of 7 = 100 · (2 − 5) / 7 = −42.9
    assert (both.answered, round(both.score, 1)) == (7, -42.9)


def test_naming_a_question_of_another_kind_is_refused(acme, after_service):
    csat_question = after_service.questions.get(kind=CSAT)

    with pytest.raises(ValueError):
        metrics.nps(answers(acme), question=csat_question)


def test_the_distribution_counts_each_score_of_the_answers_the_nps_counts(acme, respond, roadside):
    for score in (0, 6, 6, 8, 9, 10, 10, 10):
        respond(nps=score)
    respond(nps=None)  # skipped: in no score
    respond(nps=3, csat=4, version=roadside)  # Roadside's NPS is not its primary question
    respond(nps=2, purpose=RERATE, interaction=respond(nps=7).interaction)  # history

    counts = metrics.nps_distribution(answers(acme))
    after = metrics.nps_distribution(answers(acme), after_follow_up=True)

    assert counts == {0: 1, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 2, 7: 1, 8: 1, 9: 1, 10: 3}
    # The same rows as the NPS: 3 detractors (0, 6, 6), 2 passives, 4 promoters of 9.
    nps = metrics.nps(answers(acme))
    assert sum(counts.values()) == nps.answered == 9
    assert (nps.detractors, nps.passives, nps.promoters) == (3, 2, 4)
    assert after == {**dict.fromkeys(range(11), 0), 2: 1}


# --- two NPS compared: the two-sample test -------------------------------------------------------


def test_the_difference_of_two_nps_against_the_worked_example():
    # The README's example. Brand A: 200 answers, 90 promoters, 40 detractors.
    brand_a = metrics.Nps(answered=200, skipped=0, promoters=90, passives=70, detractors=40)
    # Brand B: 150 answers, 45 promoters, 45 detractors.
    brand_b = metrics.Nps(answered=150, skipped=0, promoters=45, passives=60, detractors=45)

    result = metrics.nps_difference(brand_a, brand_b)

    # A: p = 0.45, d = 0.20, NPS +25; variance 0.45 + 0.20 − 0.25² = 0.5875;
    #    SE = 100 · √(0.5875 / 200) = 5.42 points, SE² = 29.375.
    assert (brand_a.score, round(brand_a.standard_error, 2)) == (25.0, 5.42)
    # B: p = d = 0.30, NPS 0; variance 0.60; SE = 100 · √(0.60 / 150) = 6.32, SE² = 40.
    assert (brand_b.score, round(brand_b.standard_error, 2)) == (0.0, 6.32)
    # D = 25 − 0 = 25; SE_D = √(29.375 + 40) = √69.375 = 8.33; z = 25 / 8.33 = 3.00;
    # p = erfc(3.0015 / √2) = 0.0027 < 0.05: significant.
    assert result.difference == 25.0
    assert round(result.standard_error, 2) == 8.33
    assert round(result.z, 2) == 3.00
    assert round(result.p_value, 4) == 0.0027
    assert result.is_significant is True
    # The other way round: the same test, the sign turned.
    reverse = metrics.nps_difference(brand_b, brand_a)
    assert (reverse.difference, round(reverse.z, 2), reverse.p_value) == (
        -25.0,
        -3.00,
        result.p_value,
    )


def test_a_difference_within_the_noise_is_not_significant():
    # 10 answers each: 5 promoters, 2 detractors (+30) against 4 promoters, 3 detractors (+10).
    before = metrics.Nps(answered=10, skipped=0, promoters=5, passives=3, detractors=2)
    after = metrics.Nps(answered=10, skipped=0, promoters=4, passives=3, detractors=3)

    result = metrics.nps_difference(before, after)

    # SE: 100 · √((0.7 − 0.09) / 10) = 24.70 and 100 · √((0.7 − 0.01) / 10) = 26.27;
    # SE_D = √(610 + 690) = 36.06; z = 20 / 36.06 = 0.555; p = erfc(0.555 / √2) = 0.579.
    assert round(result.difference, 6) == 20.0
    assert round(result.standard_error, 2) == 36.06
    assert round(result.z, 3) == 0.555
    assert round(result.p_value, 3) == 0.579
    assert result.is_significant is False


def test_a_side_without_answers_or_both_without_spread_is_not_tested():
    none = metrics.Nps(answered=0, skipped=4, promoters=0, passives=0, detractors=0)
    some = metrics.Nps(answered=3, skipped=0, promoters=2, passives=0, detractors=1)
    all_promoters = metrics.Nps(answered=5, skipped=0, promoters=5, passives=0, detractors=0)
    all_detractors = metrics.Nps(answered=5, skipped=0, promoters=0, passives=0, detractors=5)

    untested = metrics.Difference(difference=None, standard_error=None, z=None, p_value=None)
    assert metrics.nps_difference(none, some) == untested
    assert metrics.nps_difference(some, none) == untested
    assert metrics.nps_difference(none, some).is_significant is False
    # +100 against −100 with no spread on either side: the difference, but no test.
    flat = metrics.nps_difference(all_promoters, all_detractors)
    assert (flat.difference, flat.standard_error, flat.z, flat.p_value) == (200.0, 0.0, None, None)
    assert flat.is_significant is False


# --- CSAT and CES --------------------------------------------------------------------------------


def test_csat_is_the_share_of_4_and_5_and_the_mean(acme, respond, roadside):
    for score in (5, 4, 4, 3, 1):
        respond(csat=score, version=roadside)
    respond(csat=None, version=roadside)  # skipped: in neither
    respond(nps=9, csat=1)  # After service asks CSAT second: not the primary question

    result = metrics.csat(answers(acme))

    assert (result.part, result.whole, result.percent) == (3, 5, 60.0)
    assert result.mean == pytest.approx(3.4)  # (5 + 4 + 4 + 3 + 1) / 5


def test_ces_is_the_mean_effort_of_the_primary_or_the_named_question(acme, respond, roadside):
    effort_first = _version(acme, "Effort", (CES, NPS))
    for score in (2, 3, 7):
        respond(ces=score, version=effort_first)
    for score in (1, 6):
        respond(csat=4, ces=score, version=roadside)  # CES second
    secondary = roadside.questions.get(kind=CES)

    assert metrics.ces(answers(acme)) == 4.0  # (2 + 3 + 7) / 3
    assert metrics.ces(answers(acme), question=secondary) == 3.5  # (1 + 6) / 2


# --- re-rates are history ------------------------------------------------------------------------


def test_a_re_rate_is_its_own_after_follow_up_figure_not_a_second_answer(acme, respond, invite):
    critic = respond(nps=2)
    respond(nps=9, purpose=RERATE, interaction=critic.interaction)  # after the call
    respond(nps=10)
    respond(nps=8)
    unhappy = respond(nps=3, csat=2)
    respond(nps=5, csat=5, purpose=RERATE, interaction=unhappy.interaction)
    invite(purpose=RERATE, interaction=respond(nps=6).interaction)  # asked, not answered

    first = metrics.nps(answers(acme))
    after = metrics.nps(answers(acme), after_follow_up=True)
    rate = metrics.response_rate(invitations(acme))
    rerate_rate = metrics.response_rate(invitations(acme), after_follow_up=True)

    # First answers 2, 10, 8, 3, 6: one promoter, three detractors of 5 → −40
    assert (first.answered, first.promoters, first.detractors, first.score) == (5, 1, 3, -40.0)
    # Re-rates 9 and 5: one promoter, one detractor of 2 → 0
    assert (after.answered, after.promoters, after.detractors, after.score) == (2, 1, 1, 0.0)
    # The five first invitations, all answered; the three re-rates (two answered) apart.
    assert (rate.part, rate.whole) == (5, 5)
    assert (rerate_rate.part, rerate_rate.whole) == (2, 3)
    assert metrics.csat(answers(acme)).whole == 0  # After service's CSAT is not its primary


def test_csat_after_a_follow_up(acme, respond, roadside):
    critic = respond(csat=1, version=roadside)
    respond(csat=4, version=roadside, purpose=RERATE, interaction=critic.interaction)
    respond(csat=5, version=roadside)

    first = metrics.csat(answers(acme))
    after = metrics.csat(answers(acme), after_follow_up=True)

    assert (first.part, first.whole, first.mean) == (1, 2, 3.0)  # 1 and 5
    assert (after.part, after.whole, after.mean) == (1, 1, 4.0)


# --- the response rate ---------------------------------------------------------------------------


def test_the_response_rate_counts_what_the_smtp_server_accepted(acme, respond, invite):
    respond(nps=9)  # accepted, answered
    respond(nps=3)  # accepted, answered
    invite(email="sent")  # accepted, not answered
    invite(email="sent")  # accepted, not answered
    invite(email="pending")  # queued, not accepted yet
    invite(email="sending")  # being handed to the server
    invite(email="failed")  # refused for good
    invite(email=None)  # not queued yet (scheduled)

    rate = metrics.response_rate(invitations(acme))

    assert (rate.part, rate.whole, rate.percent) == (2, 4, 50.0)  # 2 answered of 4 accepted
    assert (rate.queued, rate.failed) == (7, 1)  # all but the scheduled one; one bounced


def test_an_accepted_invitation_still_counts_once_its_outbox_row_is_gone(acme, respond, invite):
    respond(nps=9)
    invite(email="sent")
    # the outbox is pruned of old rows: the invitations lose their link to them
    Delivery.objects.for_tenant(acme).delete()

    rate = metrics.response_rate(invitations(acme))

    assert (rate.part, rate.whole, rate.queued, rate.percent) == (1, 2, 2, 50.0)


# --- coverage ------------------------------------------------------------------------------------


def test_coverage_is_invited_over_the_sample_with_every_skip_beside_it(acme, invite):
    for decision in ("invited", "invited", "throttled", "throttled", "opted_out", "no_email"):
        invite(decision=decision)
    for decision in ("too_old", "not_sampled"):
        invite(decision=decision, email=None)
    # Outside the sample: no rule matched, a complaint not closed, not decided yet.
    for decision in ("no_rule", "not_eligible", "pending"):
        invite(decision=decision, email=None)

    share = metrics.coverage(Interaction.objects.for_tenant(acme))

    assert (share.part, share.whole) == (2, 8)  # 2 invited of the 8 that matched a rule
    assert share.percent == 25.0
    assert share.skipped == {
        "opted_out": 1,
        "no_email": 1,
        "too_old": 1,
        "throttled": 2,
        "not_sampled": 1,
    }
    assert share.part + sum(share.skipped.values()) == share.whole


def test_every_decision_is_invited_a_skip_or_outside_the_sample_once():
    groups = [(Interaction.Decision.INVITED,), metrics.SKIP_REASONS, metrics.OUTSIDE_THE_SAMPLE]

    every = [decision for group in groups for decision in group]

    assert sorted(every) == sorted(Interaction.Decision.values)


# --- critics and recovery ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "score", "critic"),
    [
        (NPS, 0, True),
        (NPS, 6, True),
        (NPS, 7, False),
        (CSAT, 3, True),
        (CSAT, 4, False),
        (CES, 1, True),
        (CES, 3, True),  # CES runs 1–7, 7 the easiest: 1–3 found it hard
        (CES, 4, False),
        (CES, None, False),
        (QuestionKind.SCALE, 1, False),  # a custom scale has no critics
    ],
)
def test_a_critic_is_a_detractor_in_python_and_in_sql(acme, respond, kind, score, critic):
    version = _version(acme, f"{kind} first", (kind,) if kind != QuestionKind.SCALE else (NPS,))
    response = respond(version=version, **({kind: score} if kind in (NPS, CSAT, CES) else {}))
    Response.objects.for_tenant(acme).filter(pk=response.pk).update(
        primary_kind=kind, primary_score=score
    )

    assert is_critic(kind, score) is critic
    assert Response.objects.for_tenant(acme).filter(critic_q()).exists() is critic


def test_the_band_labels_say_the_ranges_the_bands_hold():
    labels = dict(scoring.BANDS)

    for band, ranges in scoring.BAND_RANGES.items():
        for kind, (low, high) in ranges.items():
            assert f"{kind.upper()} {low}–{high}" in str(labels[band]), (band, kind)
    # The low band is exactly the critics.
    assert scoring.BAND_RANGES[scoring.LOW] == {NPS: (0, 6), CSAT: (1, 3), CES: (1, 3)}


def test_recovery_is_the_share_of_re_rated_critics_no_longer_critics(acme, respond, roadside):
    effort_first = _version(acme, "Effort", (CES,))

    def follow_up(first, rerate, version, kind):
        response = respond(**{kind: first}, version=version)
        again = None
        if rerate is not None:
            again = respond(
                **{kind: rerate}, version=version, purpose=RERATE, interaction=response.interaction
            )
        FollowUp.objects.create(
            tenant=acme,
            response=response,
            due_at=NOW,
            status=FollowUp.Status.DONE,
            rerate=again,
        )

    follow_up(2, 5, roadside, CSAT)  # recovered
    follow_up(3, 3, roadside, CSAT)  # still a critic
    follow_up(4, 7, None, NPS)  # NPS detractor → passive: recovered
    follow_up(6, 6, None, NPS)  # not recovered
    follow_up(2, 4, effort_first, CES)  # CES 1–3 → 4: recovered
    follow_up(1, None, roadside, CSAT)  # not re-rated: not counted
    follow_up(9, 10, None, NPS)  # a praise follow-up of old: not a critic, not counted

    share = metrics.follow_up_recovery(FollowUp.objects.for_tenant(acme))

    assert (share.part, share.whole, share.percent) == (3, 5, 60.0)


# --- by brand, touchpoint, department, performer and period --------------------------------------


def test_nps_and_csat_by_brand(acme, respond, roadside):
    north, south = BrandFactory(tenant=acme), BrandFactory(tenant=acme)
    for score in (10, 9, 3):  # 2 promoters, 1 detractor of 3: +33.3
        respond(nps=score, brand=north)
    respond(nps=0, purpose=RERATE, interaction=respond(nps=9, brand=north).interaction)
    for score in (7, 8):  # all passives: 0
        respond(nps=score, brand=south)
    for score in (5, 2, 1):  # 1 of 3 satisfied, mean 8 / 3
        respond(csat=score, version=roadside, brand=south)

    by_brand = metrics.nps_by(answers(acme), "brand")
    satisfied = metrics.csat_by(answers(acme), "brand")

    # North: 10, 9, 3 and 9 (its re-rate 0 is not a second answer): 3 promoters, 1 detractor
    # of 4 → +50.
    assert {brand: n.score for brand, n in by_brand.items()} == {north.pk: 50.0, south.pk: 0.0}
    assert by_brand[south.pk].margin_of_error == 0.0
    assert {brand: (s.part, s.whole) for brand, s in satisfied.items()} == {south.pk: (1, 3)}
    assert round(satisfied[south.pk].mean, 2) == 2.67
    assert metrics.nps_by(answers(acme), "brand", after_follow_up=True)[north.pk].score == -100.0


def test_figures_by_performer_and_by_the_performers_department(
    acme, respond, acme_agent, acme_south_agent
):
    effort_first = _version(acme, "Effort", (CES, NPS))
    respond(nps=10, performer=acme_agent)  # north-branch
    respond(nps=0, performer=acme_agent)
    respond(nps=9, performer=acme_south_agent)  # south-branch
    respond(nps=6)  # nobody recorded as performer
    respond(ces=7, version=effort_first, performer=acme_agent)
    respond(ces=1, version=effort_first, performer=acme_agent)
    respond(ces=6, version=effort_first, performer=acme_south_agent)
    respond(ces=2, version=effort_first)

    by_performer = metrics.nps_by(answers(acme), "performer")
    by_department = metrics.ces_by(answers(acme), "department")

    assert {key: n.score for key, n in by_performer.items()} == {
        acme_agent.pk: 0.0,  # one promoter, one detractor
        acme_south_agent.pk: 100.0,
        None: -100.0,
    }
    assert by_department == {
        acme_agent.department_id: 4.0,  # (7 + 1) / 2
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


def test_rates_coverage_and_recovery_by_touchpoint(acme, respond, invite):
    phone, shop = TouchpointFactory(tenant=acme), TouchpointFactory(tenant=acme)
    respond(nps=9, touchpoint=phone)
    invite(touchpoint=phone)  # accepted, not answered
    invite(email="failed", touchpoint=phone)
    invite(email=None, decision="throttled", touchpoint=shop)
    invite(email=None, decision="no_rule", touchpoint=shop)  # outside the sample
    critic = respond(nps=2, touchpoint=shop)
    rerate = respond(nps=8, touchpoint=shop, purpose=RERATE, interaction=critic.interaction)
    FollowUp.objects.create(
        tenant=acme, response=critic, due_at=NOW, status=FollowUp.Status.DONE, rerate=rerate
    )

    rates = metrics.response_rate_by(invitations(acme), "touchpoint")
    covered = metrics.coverage_by(Interaction.objects.for_tenant(acme), "touchpoint")
    recovered = metrics.follow_up_recovery_by(FollowUp.objects.for_tenant(acme), "touchpoint")

    # Phone: 1 answered of 2 accepted, 3 queued, 1 failed. Shop: its critic's first invitation
    # (the re-rate is not counted again).
    assert {key: (r.part, r.whole, r.queued, r.failed) for key, r in rates.items()} == {
        phone.pk: (1, 2, 3, 1),
        shop.pk: (1, 1, 1, 0),
    }
    assert {key: (c.part, c.whole, c.skipped["throttled"]) for key, c in covered.items()} == {
        phone.pk: (3, 3, 0),
        shop.pk: (1, 2, 1),
    }
    assert {key: s.percent for key, s in recovered.items()} == {shop.pk: 100.0}


def test_no_rows_no_groups(acme, respond):
    assert metrics.nps_by(answers(acme), "brand") == {}
    with pytest.raises(ValueError):
        metrics.nps_by(answers(acme), "colour")


def test_the_migration_makes_is_critic_mean_a_critic_only(acme, respond):
    praise = respond(nps=10, comment="Lovely people.")
    effort = respond(ces=2, version=_version(acme, "Effort", (CES,)))
    detractor = respond(nps=4)
    # As rows were before: any comment made a "critic"; CES had no critics.
    Response.objects.for_tenant(acme).filter(pk=praise.pk).update(is_critic=True)
    Response.objects.for_tenant(acme).filter(pk=effort.pk).update(is_critic=False)
    name = "0006_follow_up_machine_invitation_delivery"
    migration = importlib.import_module(f"surveys.migrations.{name}")
    state = MigrationLoader(connection).project_state(("surveys", name))

    migration.critics_only(state.apps, None)

    flags = dict(Response.objects.for_tenant(acme).values_list("pk", "is_critic"))
    assert flags == {praise.pk: False, effort.pk: True, detractor.pk: True}
