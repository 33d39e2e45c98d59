"""The outbox (enqueue a message with the change that causes it; send it after commit) and the
members' in-app notifications."""

import logging
import smtplib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any, NamedTuple

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from notifications import links
from notifications.events import DeliverySent
from notifications.messages import message_check
from notifications.models import Delivery, DeliveryAttachment, Notification
from notifications.sms import SmsError, TransientSmsError, get_sms_backend
from tenants.bulk import insert_new_rows
from tenants.errors import ApplicationError
from tenants.events import publish
from tenants.models import Membership, Tenant
from tenants.rls import all_tenants

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A sender that has not finished after this long is presumed dead; its row is sent again.
CLAIM_TIMEOUT = timedelta(minutes=10)
# Errors worth retrying: the server is down, busy or refused for now.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError, TimeoutError, TransientSmsError)
# How long a sender waits for the server's answer to QUIT, the message being sent and marked.
QUIT_TIMEOUT = 5


class Attachment(NamedTuple):
    """A file to send with an email (:func:`delivery_enqueue`)."""

    filename: str
    content: bytes
    content_type: str


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
    template: str = "",
    priority: Delivery.Priority = Delivery.Priority.TRANSACTIONAL,
    attachments: Sequence[Attachment] = (),
) -> Delivery:
    """Write a message to the outbox; a second call with the same key returns the first row.

    ``priority``: BULK for mail sent by the thousand (survey invitations and reminders), which
    then waits in a queue of its own (:func:`delivery_queue`); everything a customer or a
    member is waiting for stays TRANSACTIONAL, served first.

    Where ``body``, ``html_body`` or a header holds ``links.LINK_KEY_SLOT``, the message is
    sent with the row's link key there (:func:`delivery_link_key`): the secret is never stored.

    ``attachments`` (emails only) are stored with the row, in the same transaction, and sent
    with it; like the message, they are deleted once the row is done with.
    """
    headers = headers or {}
    has_slot = any(links.LINK_KEY_SLOT in text for text in (body, html_body, *headers.values()))
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
            "headers": headers,
            "template": template,
            "link_nonce": links.new_nonce() if has_slot else "",
            "priority": priority,
        },
    )
    if created:
        DeliveryAttachment.objects.bulk_create(
            DeliveryAttachment(
                tenant=tenant,
                delivery=delivery,
                filename=attachment.filename,
                content=attachment.content,
                content_type=attachment.content_type,
            )
            for attachment in attachments
        )
        # robust: if the broker is down the row stays pending and the sweeper sends it.
        transaction.on_commit(
            lambda: _dispatch(delivery.pk, tenant.pk, delivery.priority), robust=True
        )
    return delivery


# ``notifications.tasks.send_delivery_task``, sent by name: the tasks module imports this one.
SEND_DELIVERY_TASK = "notifications.tasks.send_delivery_task"


def delivery_queue(priority: int) -> str:
    """The Celery queue that sends a delivery of ``priority``: bulk mail has a queue of its
    own, which workers serve only while the default queue is empty (``CELERY_TASK_QUEUES``'s
    order), so a receipt queued behind 2,500 invitations goes out next, not after them."""
    if priority == Delivery.Priority.BULK:
        return settings.OUTBOX_BULK_QUEUE
    return settings.CELERY_TASK_DEFAULT_QUEUE


def _dispatch(delivery_id: int, tenant_id: int, priority: int) -> None:
    """Hand a committed, still pending delivery to a worker, which sends it as its tenant."""
    pending = Delivery.objects.unscoped().filter(pk=delivery_id, status=Delivery.Status.PENDING)
    if pending.exists():
        current_app.send_task(
            SEND_DELIVERY_TASK,
            args=[delivery_id],
            kwargs={"tenant_id": tenant_id},
            queue=delivery_queue(priority),
        )


def delivery_link_key(delivery: Delivery) -> str:
    """The secret that fills the slot of ``delivery``'s links: the same on every attempt."""
    if not delivery.link_nonce:
        raise ValueError(f"delivery {delivery.pk} has no link key")
    return links.link_key(delivery_id=delivery.pk, nonce=delivery.link_nonce)


class RenderedDelivery(NamedTuple):
    """What is sent: the stored message with its link key filled in."""

    body: str
    html_body: str
    headers: dict[str, str]


def delivery_rendered(delivery: Delivery) -> RenderedDelivery:
    """The message of ``delivery`` as it is sent (the secret in its links), stored nowhere."""
    if not delivery.link_nonce:
        return RenderedDelivery(delivery.body, delivery.html_body, dict(delivery.headers))
    key = delivery_link_key(delivery)
    return RenderedDelivery(
        links.link_key_fill(delivery.body, key),
        links.link_key_fill(delivery.html_body, key),
        {name: links.link_key_fill(value, key) for name, value in delivery.headers.items()},
    )


# Once a row is done with (sent, or failed for good) its message is emptied: its links and
# the customer's words are not kept. What stays says that a message went out, to whom, when.
PURGED = {"body": "", "html_body": "", "headers": {}, "link_nonce": ""}


def _purge_attachments(delivery: Delivery) -> None:
    """The files sent with a row that is done with go with its message (:data:`PURGED`)."""
    DeliveryAttachment.objects.for_tenant(delivery.tenant_id).filter(delivery=delivery).delete()


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
    connection = None
    try:
        if delivery.channel == Delivery.Channel.SMS:
            _send_sms(delivery)
        else:
            connection = _send_email(delivery)
    except TRANSIENT_ERRORS as error:
        failed = delivery.attempts >= MAX_ATTEMPTS
        Delivery.objects.unscoped().filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.FAILED if failed else Delivery.Status.PENDING,
            next_attempt_at=timezone.now() + backoff(delivery.attempts),
            last_error=f"{type(error).__name__}: {error}"[:2000],
            **(PURGED if failed else {}),  # a retry needs its message; the last try does not
        )
        if failed:
            _purge_attachments(delivery)
        logger.warning("delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, error)
        return False
    except SmsError as error:
        # Permanent (a bad number, a rejected request): sending again would fail again.
        Delivery.objects.unscoped().filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.FAILED,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            **PURGED,
        )
        _purge_attachments(delivery)
        logger.error("delivery %s refused for good: %s", delivery.pk, error)
        return False
    try:
        _mark_sent(delivery)
    finally:
        if connection is not None:
            _hang_up(connection, delivery)
    return True


@transaction.atomic
def _mark_sent(delivery: Delivery) -> None:
    """SENT, and :class:`~notifications.events.DeliverySent` in the same transaction: what
    its subscribers write (an invitation's ``accepted_at``) commits with the status. The
    message itself is emptied in the same UPDATE (:data:`PURGED`)."""
    sent_at = timezone.now()
    marked = (
        Delivery.objects.unscoped()
        .filter(pk=delivery.pk)
        .update(status=Delivery.Status.SENT, sent_at=sent_at, last_error="", **PURGED)
    )
    if marked:
        _purge_attachments(delivery)
        publish(
            DeliverySent(tenant_id=delivery.tenant_id, delivery_id=delivery.pk, sent_at=sent_at)
        )


def delivery_message_id(delivery: Delivery) -> str:
    """The Message-ID of a delivery's email: the same on every attempt.

    If a sender dies after the SMTP server took the message but before the row was marked
    sent, the row is sent again after ``CLAIM_TIMEOUT``; SMTP cannot rule that window out,
    but the copy carries the same Message-ID, so mail systems and clients can drop it. The
    row's id and creation time keep it unique across databases; the right-hand side is the
    sender's domain, not the host the worker happens to run on.
    """
    sender = parseaddr(delivery.sender or settings.DEFAULT_FROM_EMAIL)[1]
    domain = sender.rpartition("@")[2] or "loopdesk.localhost"
    return f"<{delivery.created_at:%Y%m%d%H%M%S.%f}.{delivery.pk}@{domain}>"


def _send_email(delivery: Delivery) -> BaseEmailBackend:
    """Send the delivery's email and return the connection still open: QUIT comes after the
    row is marked sent (:func:`_hang_up`).

    The server has the message once it accepted the DATA; a sender that died during QUIT
    would otherwise leave the row claimed, and the sweeper would send it again.
    """
    rendered = delivery_rendered(delivery)
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=rendered.body,
        from_email=delivery.sender or None,
        to=[delivery.recipient],
        headers={"Message-ID": delivery_message_id(delivery), **rendered.headers},
    )
    if rendered.html_body:
        message.attach_alternative(rendered.html_body, "text/html")
    for attachment in DeliveryAttachment.objects.for_tenant(delivery.tenant_id).filter(
        delivery=delivery
    ):
        message.attach(attachment.filename, bytes(attachment.content), attachment.content_type)
    connection = get_connection()
    try:
        # Opened here, so send_messages() leaves it open (it closes only what it opened).
        connection.open()
        connection.send_messages([message])
    except BaseException:
        _hang_up(connection, delivery)
        raise
    return connection


def _hang_up(connection: BaseEmailBackend, delivery: Delivery) -> None:
    """QUIT, waiting at most ``QUIT_TIMEOUT`` for the answer. A server that drops the line or
    never answers costs a log line: the outcome of the delivery is decided (and, when it was
    sent, marked) before.

    The SMTP backend's own ``close()`` would hide such a failure and wait ``EMAIL_TIMEOUT``;
    other backends (the console, tests' locmem) just close.
    """
    smtp = getattr(connection, "connection", None)  # smtplib.SMTP, for the SMTP backend
    if getattr(smtp, "sock", None) is None:
        connection.close()
        return
    smtp.sock.settimeout(QUIT_TIMEOUT)
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning(
            "delivery %s: no answer to QUIT (ignored, the message is done with): %s",
            delivery.pk,
            error,
        )
    finally:
        smtp.close()  # the socket, which a failed QUIT may leave open
        connection.connection = None


def _send_sms(delivery: Delivery) -> None:
    get_sms_backend().send(
        to=delivery.recipient,
        body=delivery_rendered(delivery).body,
        sender=delivery.sender or settings.SMS_SENDER,
    )


class DueDelivery(NamedTuple):
    tenant_id: int
    priority: int


@all_tenants()  # every tenant's outbox; each row is then sent as its own tenant
def deliveries_due(limit: int = 500) -> dict[int, DueDelivery]:
    """Put back rows whose sender died; return up to ``limit`` rows due to be sent, each id
    with its tenant and priority: transactional ones first, then by due time (a backlog of
    bulk mail never keeps a receipt out of the sweep)."""
    now = timezone.now()
    Delivery.objects.unscoped().filter(
        status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    ).update(status=Delivery.Status.PENDING)
    due = (
        Delivery.objects.unscoped()
        .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("priority", "next_attempt_at")
        .values_list("pk", "tenant_id", "priority")[:limit]
    )
    return {pk: DueDelivery(tenant_id, priority) for pk, tenant_id, priority in due}


# --- in-app notifications -------------------------------------------------------------------


LINK_MAX_LENGTH = Notification._meta.get_field("link").max_length


def is_local_path(url: str) -> bool:
    """``/a/path`` on this site: no scheme, no host (``//evil.example`` is a host)."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


def _check_link(link: str) -> None:
    """Opening a notification redirects to its link: only a path in the app will do."""
    if link and not (is_local_path(link) and len(link) <= LINK_MAX_LENGTH):
        raise ApplicationError("A notification links to a path in the app.", fields={"link": link})


def notification_create(
    *,
    recipient: Membership,
    message: str,
    params: Mapping[str, Any] | None = None,
    link: str = "",
    dedupe_key: str,
) -> Notification | None:
    """Notify one member; returns the new notification, or None when ``dedupe_key`` was used.

    ``message`` is a key registered in ``notifications.messages`` and ``params`` its plain
    values (ids, references, codes; a date as ISO text): the words are chosen when the member
    reads it, in their language. The key is unique per tenant, so a retried or doubled scan
    notifies once; when one event notifies several members, each needs a key of their own
    (``sla-breach:42:member-7``). ``link`` is a path in the app
    (``/acme/complaints/AMO-2026-000001/``): opening the notification redirects there, so an
    address on another site is refused.
    """
    params = dict(params or {})
    message_check(message, params)
    _check_link(link)
    notification, created = Notification.objects.get_or_create(
        tenant_id=recipient.tenant_id,
        dedupe_key=dedupe_key,
        defaults={"recipient": recipient, "message": message, "params": params, "link": link},
    )
    return notification if created else None


class NewNotification(NamedTuple):
    """One row for :func:`notifications_create_bulk`: plain values, no model instance."""

    tenant_id: int
    recipient_id: int  # a Membership of that tenant
    message: str  # a key of ``notifications.messages``
    params: dict
    link: str
    dedupe_key: str


def notifications_create_bulk(
    *, notifications: Sequence[NewNotification], created_at: datetime
) -> None:
    """Notify many members at once (a scan's tick: thousands), skipping each row whose
    ``dedupe_key`` is used already in its tenant, so a retried or doubled scan notifies once.

    The rules of :func:`notification_create` hold (a registered message with plain
    parameters, a link that is a path in the app); one bad row refuses the whole batch. One
    statement on PostgreSQL. The caller vouches that each recipient belongs to the row's
    tenant: checking it here would cost a query per tick, and the scan reads its recipients
    from that tenant's members.
    """
    for link in {notification.link for notification in notifications}:
        _check_link(link)
    for notification in notifications:
        message_check(notification.message, notification.params)
    insert_new_rows(
        Notification,
        fields=NewNotification._fields,
        rows=notifications,
        same={"created_at": created_at},
    )


def notifications_supersede(*, tenant_id: int, dedupe_keys: Sequence[str], now: datetime) -> int:
    """Mark read the unread notifications with these keys: news that a later one replaces (a
    deadline's warning once its breach is announced). Returns how many changed."""
    if not dedupe_keys:
        return 0
    return (
        Notification.objects.for_tenant(tenant_id)
        .filter(dedupe_key__in=list(dedupe_keys), read_at__isnull=True)
        .update(read_at=now)
    )


def notifications_mark_history_read(*, tenant: Tenant, until: datetime) -> int:
    """Mark read every notification of ``tenant`` created at or before ``until``: seeded
    history (the demo's year of complaints) is not news. Returns how many changed."""
    return (
        Notification.objects.for_tenant(tenant)
        .filter(created_at__lte=until, read_at__isnull=True)
        .update(read_at=until)
    )


def notifications_mark_read(*, member: Membership, ids: list[int] | None = None) -> int:
    """Mark the member's own unread notifications read: those in ``ids``, or all of them.

    Ids of someone else's notifications (in this tenant or another) are ignored. Returns how
    many changed. One UPDATE, so two clicks at once count each row once.
    """
    unread = Notification.objects.for_tenant(member.tenant_id).filter(
        recipient=member, read_at__isnull=True
    )
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
