"""Survey answers for the dashboards' tests, made through the real services (recorded, sent,
submitted), at the time each test chooses (``tests.surveys.survey_fixtures``)."""

import itertools
from datetime import datetime, timedelta

from surveys.models import Invitation, Response, SurveyVersion
from surveys.responses.submitting import response_submit
from surveys.scoring import QuestionKind
from surveys.sender import invitations_run
from tenants.models import Brand
from tests.surveys.survey_fixtures import add_rule, make_customer, publish_survey, record

serial = itertools.count(1)


def nps_survey(tenant) -> SurveyVersion:
    """The After-service survey (NPS primary), sent at once after every service event."""
    version = publish_survey(tenant)
    add_rule(tenant, version.survey, delay_minutes=0)
    return version


def answered(
    brand: Brand,
    version: SurveyVersion,
    nps: int | None,
    *,
    when: datetime,
    comment: str = "",
    name: str = "",
    **interaction_fields,
) -> Response:
    """A new customer of ``brand`` served an hour before ``when`` (touchpoint, performer,
    complaint in ``interaction_fields``), surveyed and answering ``nps`` (None: skipped) at
    ``when``."""
    n = next(serial)
    tenant = brand.tenant
    customer = make_customer(tenant, name or f"Customer {n}", f"customer{n}@{tenant.slug}.example")
    interaction = record(
        brand,
        customer,
        occurred_at=when - timedelta(hours=1),
        now=when,
        reference=f"visit-{n}",
        **interaction_fields,
    )
    invitations_run(now=when)
    invitation = Invitation.objects.for_tenant(tenant).get(interaction=interaction)
    questions = {question.kind: question for question in version.questions.all()}
    answers = {questions[QuestionKind.NPS].pk: nps}
    if comment:
        answers[questions[QuestionKind.TEXT].pk] = comment
    return response_submit(invitation=invitation, answers=answers, now=when)
