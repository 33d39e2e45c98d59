"""SMS deliveries through the outbox: a console backend, and an HTTP gateway run locally."""

import socket
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from notifications.models import Delivery
from notifications.services import delivery_enqueue, delivery_send
from notifications.sms import HttpSmsBackend, TransientSmsError, get_sms_backend

TEXT = "Acme Motor: your complaint AMO-2026-000001 is resolved. Reply STOP to opt out."


def enqueue_sms(tenant, *, key="sms:1", sender="AcmeMotor") -> Delivery:
    return delivery_enqueue(
        tenant=tenant,
        dedupe_key=key,
        recipient="+306900000001",
        subject="",
        body=TEXT,
        sender=sender,
        channel=Delivery.Channel.SMS,
    )


def reloaded(delivery: Delivery) -> Delivery:
    return Delivery.objects.for_tenant(delivery.tenant_id).get(pk=delivery.pk)


def test_an_sms_is_posted_to_the_gateway_as_json_with_the_token(sms_gateway, acme):
    delivery = enqueue_sms(acme)

    assert delivery_send(delivery_id=delivery.pk) is True

    [request] = sms_gateway.requests
    assert request.path == "/v1/messages"
    assert request.json == {"to": "+306900000001", "from": "AcmeMotor", "text": TEXT}
    assert request.headers["Authorization"] == "Bearer gateway-token-123"
    assert request.headers["Content-Type"] == "application/json"
    sent = reloaded(delivery)
    assert (sent.status, sent.attempts, sent.last_error) == (Delivery.Status.SENT, 1, "")
    assert sent.sent_at is not None


def test_an_sms_without_a_sender_goes_from_the_default_sender(sms_gateway, acme, settings):
    settings.SMS_SENDER = "Loopdesk"

    delivery_send(delivery_id=enqueue_sms(acme, sender="").pk)

    assert sms_gateway.requests[0].json["from"] == "Loopdesk"


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_a_busy_gateway_puts_the_sms_back_for_later(sms_gateway, acme, status):
    sms_gateway.status = status
    delivery = enqueue_sms(acme)
    before = timezone.now()

    assert delivery_send(delivery_id=delivery.pk) is False

    waiting = reloaded(delivery)
    assert (waiting.status, waiting.attempts) == (Delivery.Status.PENDING, 1)
    assert waiting.next_attempt_at >= before + timedelta(seconds=30)
    assert waiting.last_error.startswith(f"TransientSmsError: SMS gateway answered {status}")
    # Not due yet: a second worker (or a doubled task) does not send it again now.
    assert delivery_send(delivery_id=delivery.pk) is False
    assert len(sms_gateway.requests) == 1


def test_a_retried_sms_is_sent_once_the_gateway_is_back(sms_gateway, acme):
    sms_gateway.status = 503
    delivery = enqueue_sms(acme)
    delivery_send(delivery_id=delivery.pk)
    # The back-off is over.
    Delivery.objects.for_tenant(acme).filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    sms_gateway.status = 200

    assert delivery_send(delivery_id=delivery.pk) is True

    sent = reloaded(delivery)
    assert (sent.status, sent.attempts, sent.last_error) == (Delivery.Status.SENT, 2, "")
    assert len(sms_gateway.requests) == 2


@pytest.mark.parametrize("status", [400, 401, 422, 302])
def test_a_refused_sms_fails_at_once(sms_gateway, acme, status):
    sms_gateway.status = status
    delivery = enqueue_sms(acme)

    assert delivery_send(delivery_id=delivery.pk) is False

    failed = reloaded(delivery)
    assert (failed.status, failed.attempts) == (Delivery.Status.FAILED, 1)
    assert failed.last_error.startswith(f"SmsError: SMS gateway answered {status}")
    assert failed.sent_at is None
    # Failed for good: nothing sends it again.
    assert delivery_send(delivery_id=delivery.pk) is False
    assert len(sms_gateway.requests) == 1


def test_a_gateway_that_is_not_listening_is_a_transient_error(settings, acme):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{closed_port}/v1/messages"
    delivery = enqueue_sms(acme)

    assert delivery_send(delivery_id=delivery.pk) is False

    waiting = reloaded(delivery)
    assert (waiting.status, waiting.attempts) == (Delivery.Status.PENDING, 1)
    assert waiting.last_error.startswith("TransientSmsError: SMS gateway unreachable")


def test_a_gateway_slower_than_the_timeout_is_a_transient_error(sms_gateway):
    sms_gateway.delay = 1.5
    backend = HttpSmsBackend(timeout=0.3)

    with pytest.raises(TransientSmsError, match="unreachable"):
        backend.send(to="+306900000001", body=TEXT, sender="AcmeMotor")


def test_the_console_backend_prints_the_sms(settings, acme, capsys):
    settings.SMS_BACKEND = "console"
    delivery = enqueue_sms(acme)

    assert delivery_send(delivery_id=delivery.pk) is True

    printed = capsys.readouterr().out
    assert "SMS from AcmeMotor to +306900000001:" in printed
    assert TEXT in printed
    assert reloaded(delivery).status == Delivery.Status.SENT


def test_an_unknown_backend_or_address_is_a_configuration_error(settings):
    settings.SMS_BACKEND = "carrier-pigeon"
    with pytest.raises(ImproperlyConfigured, match="SMS_BACKEND"):
        get_sms_backend()

    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = "file:///etc/passwd"
    with pytest.raises(ImproperlyConfigured, match="SMS_HTTP_URL"):
        get_sms_backend()
