"""A delivery is marked sent once the SMTP server accepted its DATA, before QUIT: a server (or
a network) that misbehaves on QUIT, or a sender that dies there, does not send it twice.

The SMTP server is a real aiosmtpd one on 127.0.0.1 that answers QUIT badly on demand; the
sender runs in this process. Waiting out the claim timeout is stood in for by moving
``claimed_at`` back.
"""

import logging
import threading
from contextlib import contextmanager

import pytest
from django.db import connections
from django.db.models import F

from notifications import services
from notifications.events import DeliverySent
from notifications.models import Delivery
from notifications.services import CLAIM_TIMEOUT, deliveries_due, delivery_message_id
from tenants import events as bus
from tenants import rls
from tests.servers import ControlledSmtpSink


@pytest.fixture
def smtp_server(settings):
    """The SMTP email backend pointed at a server of the test's own."""
    sink = ControlledSmtpSink()
    sink.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_TIMEOUT = 5
    yield sink
    sink.stop()


@contextmanager
def sent_events():
    """The ids of the deliveries whose ``DeliverySent`` was published during the block."""
    ids: list[int] = []

    def record(event: DeliverySent) -> None:
        ids.append(event.delivery_id)

    bus.subscribe(DeliverySent, record)
    try:
        yield ids
    finally:
        bus._subscribers[DeliverySent].remove(record)


def make_delivery(tenant) -> Delivery:
    # Written directly, not through delivery_enqueue: no task is handed to a broker.
    return Delivery.objects.create(
        tenant=tenant,
        dedupe_key="ack:1",
        recipient="customer@example.com",
        sender="Acme Insurance <care@acme.example>",
        subject="AMO-2026-000001: we have your complaint",
        body="We have your complaint.\n",
    )


def reloaded(delivery: Delivery) -> Delivery:
    return Delivery.objects.for_tenant(delivery.tenant_id).get(pk=delivery.pk)


def assert_not_sent_again(delivery: Delivery, sink: ControlledSmtpSink) -> None:
    """Long after the claim would have timed out, the sweeper finds nothing to send."""
    Delivery.objects.for_tenant(delivery.tenant_id).filter(pk=delivery.pk).update(
        claimed_at=F("claimed_at") - CLAIM_TIMEOUT * 2
    )
    assert delivery.pk not in deliveries_due()
    assert services.delivery_send(delivery_id=delivery.pk) is False
    after = reloaded(delivery)
    assert (after.status, after.attempts, after.last_error) == (Delivery.Status.SENT, 1, "")
    assert [m["Message-ID"] for m in sink.wait_for(2, timeout=1)] == [delivery_message_id(delivery)]


def test_a_delivery_is_marked_sent_while_the_server_has_not_answered_quit(
    transactional_db, smtp_server, acme, monkeypatch, caplog
):
    # given a delivery, a server that never answers QUIT, and a sender that waits 2 s for it
    delivery = make_delivery(acme)
    monkeypatch.setattr(services, "QUIT_TIMEOUT", 2, raising=False)
    results: list[bool] = []

    def send() -> None:  # a worker's thread, acting for the delivery's tenant like its task
        try:
            with rls.tenant(delivery.tenant_id):
                results.append(services.delivery_send(delivery_id=delivery.pk))
        finally:
            connections.close_all()

    with (
        sent_events() as published,
        caplog.at_level(logging.WARNING, logger="notifications.services"),
        smtp_server.misbehaving_on_quit("hang") as quitting,
    ):
        # when the sender sends it and says QUIT
        sender = threading.Thread(target=send)
        sender.start()
        assert quitting.wait(timeout=10), "the sender never said QUIT"

        # then, while the server keeps it waiting, the row is already marked sent (committed:
        # this is another connection) and DeliverySent was published with the mark
        during_quit = reloaded(delivery)
        assert during_quit.status == Delivery.Status.SENT
        assert during_quit.sent_at is not None
        assert published == [delivery.pk]

        # and the sender gives up on QUIT after its timeout, with a log line, not an error
        sender.join(timeout=10)
        assert not sender.is_alive()
    assert results == [True]
    assert "no answer to QUIT" in caplog.text

    # and the message arrived once, and is not sent again
    assert_not_sent_again(delivery, smtp_server)
    assert published == [delivery.pk]


def test_a_connection_reset_on_quit_neither_fails_the_delivery_nor_sends_it_again(
    db, smtp_server, acme, caplog
):
    # given a delivery and a server that drops the connection (TCP reset) on QUIT
    delivery = make_delivery(acme)

    with (
        sent_events() as published,
        caplog.at_level(logging.WARNING, logger="notifications.services"),
        smtp_server.misbehaving_on_quit("reset") as quitting,
    ):
        # when it is sent
        sent = services.delivery_send(delivery_id=delivery.pk)

    # then the server reset the connection on QUIT, and yet the delivery counts as sent once
    assert quitting.is_set()
    assert sent is True
    assert published == [delivery.pk]
    assert "no answer to QUIT" in caplog.text
    assert_not_sent_again(delivery, smtp_server)
