"""The outbox keeps no secret link: a survey email's row holds a slot where the token goes, the
sender fills it in (the same on every attempt), and a finished row keeps only what staff need
to see that a message went out."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Delivery
from notifications.services import MAX_ATTEMPTS, delivery_send
from surveys.models import InvitationToken
from surveys.sender import invitations_run
from tests.servers import free_port
from tests.surveys.survey_fixtures import (
    add_rule,
    make_customer,
    publish_survey,
    record,
    token_in,
)

pytestmark = pytest.mark.usefixtures("own_cache")


@pytest.fixture
def survey_email(acme, acme_brand):
    """Maria's survey invitation, queued in the outbox and not sent yet."""
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=0)
    maria = make_customer(acme, "Maria Rossi", "maria@example.com", language="en")
    now = timezone.now()
    record(acme_brand, maria, occurred_at=now - timedelta(minutes=5), now=now, reference="v-1")
    invitations_run(now=now)
    return Delivery.objects.for_tenant(acme).get()


def smtp_down(settings) -> None:
    settings.EMAIL_PORT = free_port()  # nothing listens there: connection refused


def make_due(delivery: Delivery) -> None:
    Delivery.objects.for_tenant(delivery.tenant_id).filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now()
    )


def test_a_retried_email_carries_the_same_link_and_the_sent_row_keeps_no_message(
    client, settings, smtp_server, survey_email
):
    # given the SMTP server is down for the first attempt
    sink_port = settings.EMAIL_PORT
    smtp_down(settings)
    assert delivery_send(delivery_id=survey_email.pk) is False
    retry = Delivery.objects.for_tenant(survey_email.tenant_id).get(pk=survey_email.pk)
    assert (retry.status, retry.attempts) == (Delivery.Status.PENDING, 1)
    assert retry.body == survey_email.body  # what a retry needs is kept until it is sent
    token = token_in(retry)

    # when it is back and the retry goes out
    settings.EMAIL_PORT = sink_port
    make_due(retry)
    assert delivery_send(delivery_id=retry.pk) is True

    # then Maria's email links with the token the outbox derived, and the link opens the survey
    [message] = smtp_server.wait_for(1)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert set(re.findall(r"/s/([A-Za-z0-9_-]{43})/\?score=", body)) == {token}
    assert f"/s/unsubscribe/{token}/" in str(message["List-Unsubscribe"])
    assert client.get(f"/s/{token}/").status_code == 200
    stored = InvitationToken.objects.for_tenant(survey_email.tenant_id).get()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    # and the row says that it went out, to whom and what, not what it said
    sent = Delivery.objects.for_tenant(survey_email.tenant_id).get(pk=retry.pk)
    assert (sent.status, sent.recipient, sent.subject, sent.template) == (
        Delivery.Status.SENT,
        "maria@example.com",
        "How did we do? One question from Acme Motor",
        "surveys/email/invitation",
    )
    assert sent.sent_at is not None and sent.attempts == 2
    assert (sent.body, sent.html_body, sent.headers, sent.link_nonce) == ("", "", {}, "")


def test_an_email_that_failed_for_good_keeps_no_message(settings, smtp_server, survey_email):
    # given a delivery at its last attempt, and the SMTP server down
    Delivery.objects.for_tenant(survey_email.tenant_id).filter(pk=survey_email.pk).update(
        attempts=MAX_ATTEMPTS - 1
    )
    smtp_down(settings)

    assert delivery_send(delivery_id=survey_email.pk) is False

    failed = Delivery.objects.for_tenant(survey_email.tenant_id).get(pk=survey_email.pk)
    assert (failed.status, failed.recipient, failed.template) == (
        Delivery.Status.FAILED,
        "maria@example.com",
        "surveys/email/invitation",
    )
    assert failed.last_error.startswith("ConnectionRefusedError")
    assert (failed.body, failed.html_body, failed.headers, failed.link_nonce) == ("", "", {}, "")
