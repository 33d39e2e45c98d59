"""Transactional customer mail never waits behind bulk survey mail.

A 2,500-row import once delayed a receipt by ten minutes: every email went to one queue, first
in first out. Survey invitations and reminders are now BULK deliveries, sent from a queue of
their own that a worker serves only while the default queue is empty; receipts, decisions and
status updates stay TRANSACTIONAL.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.models import Delivery
from notifications.services import deliveries_due, delivery_enqueue, delivery_queue
from surveys.models import Invitation
from surveys.sender import invitations_run
from tests.complaint_fixtures import file_complaint
from tests.notifications import test_outbox_resilience as outbox
from tests.servers import RedisServer
from tests.surveys.survey_fixtures import add_rule, make_customer, publish_survey, record

# The outbox tests' servers: a Redis of the test's own as the broker, an SMTP server that can
# hold a message, ``celery worker`` processes on the test database.
redis_server = outbox.redis_server
smtp_sink = outbox.smtp_sink
start_worker = outbox.start_worker

INVITATIONS = 2_000


def _invitations_queued(tenant, count: int) -> None:
    """``count`` survey invitations waiting in the outbox, handed to the broker on commit (as
    the sender's minute leaves them after a big import)."""
    with transaction.atomic():
        for number in range(count):
            delivery_enqueue(
                tenant=tenant,
                dedupe_key=f"survey-invitation-{number}-invitation",
                recipient=f"customer{number}@example.com",
                subject="How did we do? One question from Acme Motor",
                body="How likely are you to recommend Acme Motor to a friend?\n",
                template="surveys/email/invitation",
                priority=Delivery.Priority.BULK,
            )


@pytest.mark.worker
@pytest.mark.skipif(RedisServer.executable is None, reason="needs redis-server")
def test_a_receipt_queued_after_two_thousand_invitations_is_sent_before_them(
    start_worker, smtp_sink, acme, acme_brand
):
    # given a worker sending the first of 2,000 queued survey invitations, which the SMTP
    # server holds inside DATA until the receipt below is queued too
    start_worker()
    with smtp_sink.holding_data() as held:
        _invitations_queued(acme, INVITATIONS)
        assert held.wait(timeout=20), "the worker never started on the invitations"

        # when a customer files a complaint: its receipt is queued behind all of them
        complaint = file_complaint(acme_brand, email="maria.rossi@example.com")

    # then the receipt is the next message the server gets, right after the one it held
    outbox.wait_until(lambda: len(smtp_sink.messages) >= 3, timeout=20, what="three messages")
    first, second = smtp_sink.messages[:2]
    assert first["To"] == "customer0@example.com"
    assert (second["To"], complaint.reference in second["Subject"]) == (
        "maria.rossi@example.com",
        True,
    )
    # ... while almost every invitation is still waiting
    waiting = (
        Delivery.objects.for_tenant(acme)
        .filter(priority=Delivery.Priority.BULK, status=Delivery.Status.PENDING)
        .count()
    )
    assert waiting > INVITATIONS - 100


def test_survey_mail_is_bulk_and_a_receipt_transactional(acme, acme_brand):
    # given a survey invitation sent by the sender's minute, and a complaint's receipt
    add_rule(acme, publish_survey(acme).survey, delay_minutes=0)
    maria = make_customer(acme, "Maria Rossi", "maria@example.com")
    now = timezone.now()
    record(acme_brand, maria, occurred_at=now - timedelta(minutes=5), now=now, reference="ev-1")
    invitations_run(now=now)
    complaint = file_complaint(acme_brand, email="nikos@example.com")

    invitation = Invitation.objects.for_tenant(acme).select_related("delivery").get()
    receipt = Delivery.objects.for_tenant(acme).get(recipient="nikos@example.com")

    # then each goes to its queue
    assert invitation.delivery.priority == Delivery.Priority.BULK
    assert delivery_queue(invitation.delivery.priority) == settings.OUTBOX_BULK_QUEUE
    assert complaint.reference in receipt.subject
    assert receipt.priority == Delivery.Priority.TRANSACTIONAL
    assert delivery_queue(receipt.priority) == settings.CELERY_TASK_DEFAULT_QUEUE


def test_the_sweeper_requeues_transactional_mail_before_a_backlog_of_bulk_mail(acme):
    # given 5 invitations due for an hour and a receipt due just now, the broker having lost all
    hour_ago = timezone.now() - timedelta(hours=1)
    for number in range(5):
        delivery_enqueue(
            tenant=acme,
            dedupe_key=f"survey-invitation-{number}-invitation",
            recipient=f"customer{number}@example.com",
            subject="How did we do?",
            body="One question.\n",
            priority=Delivery.Priority.BULK,
        )
    Delivery.objects.for_tenant(acme).update(next_attempt_at=hour_ago)
    receipt = delivery_enqueue(
        tenant=acme, dedupe_key="receipt-1", recipient="maria@example.com", subject="R", body="."
    )

    # when the sweeper may take only three of them
    due = deliveries_due(limit=3)

    # then the receipt is among them, first
    assert next(iter(due)) == receipt.pk
    assert [row.priority for row in due.values()] == [
        Delivery.Priority.TRANSACTIONAL,
        Delivery.Priority.BULK,
        Delivery.Priority.BULK,
    ]
    assert {row.tenant_id for row in due.values()} == {acme.pk}


@pytest.mark.worker
def test_a_worker_consumes_the_bulk_queue_too(celery_worker, _smtp_sink, acme):
    # given the tests' worker, started as production starts one (both queues, default first)
    with transaction.atomic():
        delivery_enqueue(
            tenant=acme,
            dedupe_key="survey-invitation-1-invitation",
            recipient="maria@example.com",
            subject="How did we do?",
            body="One question.\n",
            priority=Delivery.Priority.BULK,
        )

    # then the invitation is sent from the bulk queue
    [message] = _smtp_sink.wait_for(1, timeout=20)
    assert message["To"] == "maria@example.com"
    outbox.wait_until(
        lambda: Delivery.objects.for_tenant(acme).get().status == Delivery.Status.SENT,
        timeout=10,
        what="the delivery is marked sent",
    )
