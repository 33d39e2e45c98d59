"""CSAT and CES answers for the CSAT page's tests, made through the real services (recorded,
sent, submitted) at the time each test chooses.

Two surveys: "Service desk" (CSAT primary; CES, NPS, a choice and a comment after it) for
every brand, and "Roadside" (CES primary, and a comment) for the road brand, whose rule comes
first."""

import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from surveys.models import Invitation, Question, Response, Survey, SurveyVersion
from surveys.responses.submitting import response_submit
from surveys.scoring import QuestionKind
from surveys.sender import invitations_run
from tenants.models import Brand
from tests.surveys.survey_fixtures import CHOICES, add_rule, make_customer, record

serial = itertools.count(1)
TEXTS = {
    QuestionKind.CSAT: "How satisfied are you with how we handled your request?",
    QuestionKind.CES: "How easy was it to get what you needed?",
    QuestionKind.NPS: "How likely are you to recommend us?",
    QuestionKind.CHOICE: "What mattered most to you?",
    QuestionKind.TEXT: "Anything else?",
}


def survey_of(tenant, name: str, kinds: list[str], *, brand: Brand | None = None, order=100):
    """A published survey whose first kind is the primary (required) question, sent at once
    after every service event (of ``brand`` only, if given)."""
    survey = Survey.objects.create(tenant=tenant, name=name)
    version = SurveyVersion.objects.create(
        tenant=tenant,
        survey=survey,
        number=1,
        status=SurveyVersion.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    for position, kind in enumerate(kinds, start=1):
        Question.objects.create(
            tenant=tenant,
            version=version,
            position=position,
            kind=kind,
            text={"en": TEXTS[kind]},
            is_primary=position == 1,
            is_required=position == 1,
            choices=CHOICES if kind == QuestionKind.CHOICE else [],
        )
    add_rule(tenant, survey, delay_minutes=0, brand=brand, order=order)
    return version


def service_desk(tenant) -> SurveyVersion:
    kinds = [QuestionKind.CSAT, QuestionKind.CES, QuestionKind.NPS, QuestionKind.CHOICE]
    return survey_of(tenant, "Service desk", [*kinds, QuestionKind.TEXT])


def roadside(tenant, brand: Brand) -> SurveyVersion:
    return survey_of(
        tenant, "Roadside", [QuestionKind.CES, QuestionKind.TEXT], brand=brand, order=1
    )


def answered(
    brand: Brand, version: SurveyVersion, *, when: datetime, comment: str = "", **fields
) -> Response:
    """A new customer of ``brand`` served an hour before ``when``, surveyed and answering at
    ``when``: ``csat=``, ``ces=``, ``nps=``, ``choice=`` (the question of that kind) and
    ``comment``; the other ``fields`` are the interaction's (touchpoint, performer…)."""
    answers_by_kind = {
        kind: fields.pop(kind)
        for kind in (QuestionKind.CSAT, QuestionKind.CES, QuestionKind.NPS, QuestionKind.CHOICE)
        if kind in fields
    }
    n = next(serial)
    tenant = brand.tenant
    customer = make_customer(tenant, f"Customer {n}", f"csat{n}@{tenant.slug}.example")
    interaction = record(
        brand,
        customer,
        occurred_at=when - timedelta(hours=1),
        now=when,
        reference=f"desk-{n}",
        **fields,
    )
    invitations_run(now=when)
    invitation = Invitation.objects.for_tenant(tenant).get(interaction=interaction)
    questions = {question.kind: question for question in version.questions.all()}
    answers = {questions[kind].pk: value for kind, value in answers_by_kind.items()}
    if comment:
        answers[questions[QuestionKind.TEXT].pk] = comment
    return response_submit(invitation=invitation, answers=answers, now=when)
