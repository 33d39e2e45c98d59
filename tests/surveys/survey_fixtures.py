"""Helpers for the survey tests: a published survey, a rule, customers and sent invitations.

The managers' survey builder is built elsewhere; these write the published rows directly
(what publishing leaves behind), and everything after that goes through the services.
"""

import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from customers.services import customer_match_or_create
from notifications.models import Delivery
from notifications.services import RenderedDelivery, delivery_rendered
from surveys.interactions.recording import interaction_record
from surveys.models import Question, Survey, SurveyRule, SurveyVersion
from surveys.scoring import QuestionKind
from tenants.models import Brand, Tenant

NPS_TEXT = {
    "en": "How likely are you to recommend Acme Motor to a friend?",
    "el": "Πόσο πιθανό είναι να προτείνετε την Acme Motor σε έναν φίλο;",
    "it": "Quanto è probabile che consigli Acme Motor a un amico?",
}
CSAT_TEXT = {"en": "How satisfied are you with how we handled your request?"}
CHOICE_TEXT = {"en": "What mattered most to you?", "el": "Τι μετρούσε περισσότερο για εσάς;"}
COMMENT_TEXT = {
    "en": "Anything else you would like to tell us?",
    "it": "C'è altro che vorrebbe dirci?",
}
CHOICES = [
    {"value": "speed", "label": {"en": "Speed", "el": "Ταχύτητα"}},
    {"value": "outcome", "label": {"en": "The outcome", "el": "Το αποτέλεσμα"}},
]


def publish_survey(tenant: Tenant, *, name: str = "After service", primary=QuestionKind.NPS):
    """A survey with a published version: NPS (primary, required), CSAT, a choice, a comment."""
    survey = Survey.objects.create(tenant=tenant, name=name)
    version = SurveyVersion.objects.create(
        tenant=tenant,
        survey=survey,
        number=1,
        status=SurveyVersion.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    rows = [
        (QuestionKind.NPS, NPS_TEXT, primary == QuestionKind.NPS, primary == QuestionKind.NPS),
        (QuestionKind.CSAT, CSAT_TEXT, primary == QuestionKind.CSAT, False),
        (QuestionKind.CHOICE, CHOICE_TEXT, False, False),
        (QuestionKind.TEXT, COMMENT_TEXT, False, False),
    ]
    for position, (kind, text, is_primary, is_required) in enumerate(rows, start=1):
        Question.objects.create(
            tenant=tenant,
            version=version,
            position=position,
            kind=kind,
            text=text,
            is_primary=is_primary,
            is_required=is_required,
            choices=CHOICES if kind == QuestionKind.CHOICE else [],
        )
    return version


def add_rule(tenant: Tenant, survey: Survey, **fields) -> SurveyRule:
    fields = {"delay_minutes": 60, "sample_percent": 100, **fields}
    return SurveyRule.objects.create(tenant=tenant, survey=survey, **fields)


def make_customer(tenant: Tenant, name: str, email: str = "", **fields) -> Customer:
    with transaction.atomic():
        customer = customer_match_or_create(
            tenant=tenant,
            name=name,
            email=email,
            phone=fields.pop("phone", ""),
            language=fields.pop("language", "en"),
        )
    if fields:
        Customer.objects.for_tenant(tenant).filter(pk=customer.pk).update(**fields)
        customer.refresh_from_db()
    return customer


def record(brand: Brand, customer: Customer, *, occurred_at, now, reference: str, **fields):
    """An API-posted service event of ``customer`` with ``brand``, decided at ``now``."""
    interaction, _created = interaction_record(
        tenant=brand.tenant,
        brand=brand,
        customer=customer,
        occurred_at=occurred_at,
        source=fields.pop("source", "api"),
        external_reference=reference,
        now=now,
        **fields,
    )
    return interaction


LINK = re.compile(rf"{re.escape(settings.SITE_URL)}(/s/([A-Za-z0-9_-]{{43}})/)\?score=(\d+)")


def score_links(body: str) -> dict[int, str]:
    """Score → path (with ?score=) of the links in an email body."""
    return {int(score): f"{path}?score={score}" for path, _token, score in LINK.findall(body)}


def as_sent(delivery: Delivery) -> RenderedDelivery:
    """The message of an outbox row as the customer gets it: the outbox stores its links with
    a slot where the token goes, and fills it in when it sends."""
    return delivery_rendered(delivery)


def token_in(delivery: Delivery) -> str:
    return LINK.search(as_sent(delivery).body).group(2)
