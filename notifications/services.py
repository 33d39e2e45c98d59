"""The outbox: enqueue a message with the change that causes it; send it after commit."""

import logging
import smtplib
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notifications.models import Delivery
from tenants.models import Tenant

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A sender that has not finished after this long is presumed dead; its row is sent again.
CLAIM_TIMEOUT = timedelta(minutes=10)
# Errors worth retrying: the server is down, busy or refused for now.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError, TimeoutError)


def delivery_enqueue(
    *,
    tenant: Tenant,
    dedupe_key: str,
    recipient: str,
    subject: str,
    body: str,
    sender: str = "",
    html_body: str = "",
    headers: dict | None = None,
    channel: Delivery.Channel = Delivery.Channel.EMAIL,
) -> Delivery:
    """Write a message to the outbox; a second call with the same key returns the first row."""
    delivery, created = Delivery.objects.get_or_create(
        tenant=tenant,
        dedupe_key=dedupe_key,
        defaults={
            "channel": channel,
            "recipient": recipient,
            "sender": sender,
            "subject": subject,
            "body": body,
            "html_body": html_body,
            "headers": headers or {},
        },
    )
    if created:
        # robust: if the broker is down the row stays pending and the sweeper sends it.
        transaction.on_commit(lambda: _dispatch(delivery.pk), robust=True)
    return delivery


def _dispatch(delivery_id: int) -> None:
    """Hand a committed, still pending delivery to a worker."""
    from notifications.tasks import send_delivery_task

    pending = Delivery.objects.unscoped().filter(pk=delivery_id, status=Delivery.Status.PENDING)
    if pending.exists():
        send_delivery_task.delay(delivery_id)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def delivery_send(*, delivery_id: int) -> bool:
    """Claim and send one delivery. True when this call sent it."""
    now = timezone.now()
    claimed = (
        Delivery.objects.unscoped()
        .filter(pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return False  # sent already, being sent by another worker, or not due yet
    delivery = Delivery.objects.unscoped().get(pk=delivery_id)
    try:
        _send_email(delivery)
    except TRANSIENT_ERRORS as error:
        failed = delivery.attempts >= MAX_ATTEMPTS
        Delivery.objects.unscoped().filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.FAILED if failed else Delivery.Status.PENDING,
            next_attempt_at=timezone.now() + backoff(delivery.attempts),
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        logger.warning("delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, error)
        return False
    Delivery.objects.unscoped().filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def _send_email(delivery: Delivery) -> None:
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.body,
        from_email=delivery.sender or None,
        to=[delivery.recipient],
        headers=delivery.headers,
    )
    if delivery.html_body:
        message.attach_alternative(delivery.html_body, "text/html")
    message.send()


def deliveries_due(limit: int = 500) -> list[int]:
    """Put back rows whose sender died; return the ids of rows due to be sent."""
    now = timezone.now()
    Delivery.objects.unscoped().filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    ).update(status=Delivery.Status.PENDING)
    return list(
        Delivery.objects.unscoped()
        .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
