"""The demo's year of surveys, read the way its dashboards will read it (``surveys.metrics``).

The demo is seeded once for the module, inside a transaction rolled back at its end; each test
runs in a savepoint of it, so a test that seeds again leaves nothing behind.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from complaints.lifecycle import State
from complaints.models import Transition
from customers.models import Customer
from demo.complaints import seed_demo_complaints
from demo.surveys import LIVE_PREFIX, seed_demo_surveys
from demo.tenant import seed_demo_tenant
from notifications.models import Delivery
from surveys import metrics
from surveys.invitations.scheduling import INVITATION_VALID_FOR
from surveys.invitations.sending import REMINDER_AFTER
from surveys.models import (
    Answer,
    FollowUp,
    Interaction,
    Invitation,
    InvitationToken,
    Question,
    Response,
    Survey,
    SurveyRule,
    SurveyVersion,
    primary_question,
)
from surveys.scoring import QuestionKind, is_critic
from tenants import rls
from tenants.models import Membership, Role, Tenant
from tests.factories import BrandFactory, make_department, make_tenant
from tests.surveys.survey_fixtures import make_customer

INTERACTIONS = 600
LANGUAGES = {"en", "el", "it", "es", "ru"}
SEEDED = (
    Customer, Interaction, Invitation, InvitationToken, Response, Answer, FollowUp, Survey,
    SurveyVersion, Question, SurveyRule,
)  # fmt: skip


@dataclass
class Demo:
    tenant: Tenant
    added: int
    other: Tenant  # there before the demo was seeded
    others_rows: dict  # what it had then


def other_tenants_rows(tenant) -> dict:
    return {model.__name__: model.objects.for_tenant(tenant).count() for model in SEEDED}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic(), rls.all_tenants():
        # Another tenant with a brand, a department and a customer of its own, so a seed that
        # reached across tenants would have something to reach.
        globex = make_tenant(slug="globex", name="Globex Assistance")
        make_department(globex, "hq", "Globex HQ")
        BrandFactory(tenant=globex, slug="globex-road", reference_prefix="GRO")
        make_customer(globex, "Maria Rossi", "maria.rossi@example.com")
        others_rows = other_tenants_rows(globex)
        tenant = seed_demo_tenant().tenant
        seed_demo_complaints(tenant, count=20)
        added = seed_demo_surveys(tenant, interactions=INTERACTIONS)
        yield Demo(tenant=tenant, added=added, other=globex, others_rows=others_rows)
        transaction.set_rollback(True)


def rows(model, demo):
    return model.objects.for_tenant(demo.tenant)


def test_every_brand_has_nps_answers_and_the_liked_brand_is_ahead_of_the_weak_one(db, demo):
    answers = rows(Answer, demo)
    # Road Assist is asked CSAT first and NPS second: every NPS question is named.
    nps_questions = rows(Question, demo).filter(kind=QuestionKind.NPS)

    by_brand = {
        slug: metrics.nps(
            answers.filter(response__interaction__brand__slug=slug), question=nps_questions
        )
        for slug in ("aegean-insurance", "aegean-direct", "aegean-road")
    }

    assert all(nps.answered >= 20 for nps in by_brand.values()), by_brand
    assert by_brand["aegean-direct"].score > by_brand["aegean-road"].score
    assert metrics.csat(answers).whole > 0
    effort = rows(Question, demo).filter(kind=QuestionKind.CES)
    assert 1 <= metrics.ces(answers, question=effort) <= 7


def test_a_year_of_events_is_decided_like_a_real_survey_programme(db, demo):
    interactions = rows(Interaction, demo)
    decisions = {
        decision: interactions.filter(decision=decision).count()
        for decision in Interaction.Decision.values
    }
    now = timezone.now()

    assert demo.added == INTERACTIONS
    assert decisions[Interaction.Decision.INVITED] > interactions.count() / 2
    for decision in ("throttled", "opted_out", "not_sampled", "no_email", "too_old"):
        assert decisions[decision] > 0, decision
    assert decisions[Interaction.Decision.PENDING] == 0
    months = {(now - occurred_at).days // 31 for occurred_at in interactions.values_list(
        "occurred_at", flat=True
    )}  # fmt: skip
    assert months == set(range(12))
    rate = metrics.response_rate(rows(Invitation, demo))
    assert 10 <= rate.percent <= 40
    # A few first emails bounced: queued, never accepted.
    assert 0 < rate.failed < rate.queued - rate.whole
    coverage = metrics.coverage(interactions)
    assert 40 <= coverage.percent <= 90
    assert coverage.part + sum(coverage.skipped.values()) == coverage.whole


def test_performers_are_rated_on_their_own_interactions_and_differ(db, demo):
    performers = rows(Membership, demo).filter(role__in=[Role.AGENT, Role.PERFORMER])
    answers = rows(Answer, demo)
    nps_questions = rows(Question, demo).filter(kind=QuestionKind.NPS)

    scores = {
        member.pk: metrics.nps(
            answers.filter(response__interaction__performer=member), question=nps_questions
        )
        for member in performers
    }

    assert len(scores) == 8
    assert all(nps.answered > 0 for nps in scores.values())
    assert max(n.score for n in scores.values()) - min(n.score for n in scores.values()) > 20


def test_critics_are_followed_up_and_some_move_to_good_after_a_re_rate(db, demo):
    responses = rows(Response, demo)
    follow_ups = rows(FollowUp, demo)

    recovery = metrics.follow_up_recovery(follow_ups)

    detractors = responses.filter(primary_kind=QuestionKind.NPS, primary_score__lte=6)
    assert detractors.exists()
    assert set(follow_ups.values_list("response_id", flat=True)) == set(
        responses.filter(is_critic=True).values_list("pk", flat=True)
    )
    assert 0 < recovery.part < recovery.whole
    done = follow_ups.filter(status=FollowUp.Status.DONE)
    assert done.count() > follow_ups.count() / 2
    assert not done.filter(outcome="").exists()
    assert not done.filter(completed_at__lt=F("response__submitted_at")).exists()
    # Left open: only answers of the last weeks (the queue shows them, some overdue).
    still_open = follow_ups.filter(status=FollowUp.Status.OPEN)
    assert not still_open.filter(response__submitted_at__lt=timezone.now() - timedelta(days=45))
    # The claims desk belongs to Attica: its manager calls back.
    claims = follow_ups.filter(response__interaction__touchpoint__code="claims-desk")
    assert set(claims.values_list("assignee__user__email", flat=True)) == {
        "nikos.georgiou@aegean.example"
    }
    rerated = follow_ups.filter(rerate__isnull=False)
    assert not rerated.exclude(rerate__invitation__purpose=Invitation.Purpose.RERATE).exists()
    assert not rerated.filter(rerate__submitted_at__lte=F("completed_at")).exists()


def test_every_response_answers_the_questions_of_its_own_version_only(db, demo):
    questions = {}
    for question in rows(Question, demo):
        questions.setdefault(question.version_id, []).append(question)
    answers = {}
    for answer in rows(Answer, demo):
        answers.setdefault(answer.response_id, []).append(answer)

    for response in rows(Response, demo).select_related("invitation"):
        own = questions[response.version_id]
        given = {answer.question_id: answer for answer in answers[response.pk]}
        assert set(given) <= {question.pk for question in own}
        assert {q.pk for q in own if q.kind != QuestionKind.TEXT} <= set(given)
        primary = primary_question(own)
        assert (response.primary_kind, response.primary_score) == (
            primary.kind,
            given[primary.pk].score,
        )
        assert response.comment == "\n\n".join(a.text for a in given.values() if a.text)
        assert response.is_critic == is_critic(response.primary_kind, response.primary_score)
        invitation = response.invitation
        assert invitation.status == Invitation.Status.ANSWERED
        assert invitation.sent_at <= response.submitted_at == invitation.answered_at
        assert invitation.answered_at < invitation.expires_at


def test_invitations_are_in_states_their_times_explain(db, demo):
    invitations = rows(Invitation, demo)
    now = timezone.now()
    Status = Invitation.Status

    assert not invitations.exclude(expires_at=F("send_at") + INVITATION_VALID_FOR)
    assert not invitations.filter(send_at__lt=F("interaction__occurred_at"))
    assert not invitations.filter(status=Status.EXPIRED, expires_at__gt=now)
    assert not invitations.filter(status=Status.SENT, expires_at__lte=now)
    assert not invitations.filter(status=Status.SCHEDULED, sent_at__isnull=False)
    assert not invitations.exclude(status=Status.SCHEDULED).filter(sent_at__isnull=True)
    assert not invitations.exclude(status=Status.ANSWERED).filter(answered_at__isnull=False)
    assert not invitations.exclude(
        reminder_sent_at__isnull=True
    ).exclude(reminder_sent_at=F("sent_at") + REMINDER_AFTER)  # fmt: skip
    invited = rows(Interaction, demo).filter(decision=Interaction.Decision.INVITED)
    first = invitations.filter(purpose=Invitation.Purpose.FIRST)
    assert set(first.values_list("interaction_id", flat=True)) == set(
        invited.values_list("pk", flat=True)
    )


def test_the_closed_demo_complaints_were_surveyed_when_they_closed(db, demo):
    closings = {}
    for complaint_id, closed_at in rows(Transition, demo).filter(
        target=State.CLOSED
    ).values_list("complaint_id", "created_at"):  # fmt: skip
        closings.setdefault(complaint_id, []).append(closed_at)

    after_complaints = rows(Interaction, demo).filter(source=Interaction.Source.COMPLAINT)

    assert after_complaints.exists()
    for interaction in after_complaints:
        assert interaction.occurred_at in closings[interaction.complaint_id]
        assert interaction.decision != Interaction.Decision.NO_RULE


def test_the_last_hours_went_through_the_real_decision_and_the_outbox(db, demo):
    live = rows(Invitation, demo).filter(interaction__external_reference__startswith=LIVE_PREFIX)

    sent = live.filter(status=Invitation.Status.SENT)
    assert sent.exists()
    assert live.filter(status=Invitation.Status.SCHEDULED, send_at__gt=timezone.now()).exists()
    assert rows(InvitationToken, demo).filter(invitation__in=sent).count() == sent.count()
    keys = {f"survey-invitation-{pk}-invitation" for pk in sent.values_list("pk", flat=True)}
    outbox = rows(Delivery, demo).filter(status=Delivery.Status.PENDING)
    assert keys <= set(outbox.values_list("dedupe_key", flat=True))


def test_the_demo_surveys_are_published_in_every_language(db, demo):
    versions = rows(SurveyVersion, demo).filter(status=SurveyVersion.Status.PUBLISHED)

    assert set(versions.values_list("survey__name", flat=True)) == {
        "After service (NPS)",
        "Roadside assistance (CSAT)",
    }
    for question in rows(Question, demo).filter(version__in=versions):
        assert set(question.text) == LANGUAGES
        for choice in question.choices:
            assert set(choice["label"]) == LANGUAGES
    assert rows(SurveyRule, demo).count() == 4


def test_seeding_again_adds_nothing(db, demo):
    before = {model.__name__: rows(model, demo).count() for model in SEEDED}

    added = seed_demo_surveys(demo.tenant, interactions=INTERACTIONS)

    assert added == 0
    assert {model.__name__: rows(model, demo).count() for model in SEEDED} == before


def test_every_seeded_row_and_what_it_points_at_belongs_to_the_demo_tenant(db, demo):
    assert demo.others_rows == {"Customer": 1} | {
        model.__name__: 0 for model in SEEDED if model is not Customer
    }
    assert other_tenants_rows(demo.other) == demo.others_rows
    interactions = rows(Interaction, demo)
    assert not interactions.exclude(customer__tenant=F("tenant"))
    assert not interactions.exclude(brand__tenant=F("tenant"))
    assert not interactions.filter(performer__isnull=False).exclude(performer__tenant=F("tenant"))
    assert not rows(Answer, demo).exclude(question__tenant=F("tenant"))
    assert not rows(Response, demo).exclude(interaction__tenant=F("tenant"))
    assert (
        not rows(FollowUp, demo)
        .filter(assignee__isnull=False)
        .exclude(assignee__tenant=F("tenant"))
    )
