from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.messages import message_render
from tenants.models import Membership, TenantOwned


class Delivery(TenantOwned):
    """One message to send (the outbox): written in the transaction of the change causing it.

    ``dedupe_key`` is unique per tenant, so asking twice for the same message sends it once.
    A sender claims a row (pending → sending) before it sends; the sweeper puts back rows whose
    sender died and re-queues those the broker lost.

    A message with a secret link holds a slot where the secret goes, filled in when it is sent
    from ``link_nonce`` and the server's key (``notifications.links``). Once the row is done
    with (sent, or failed for good) its text, HTML and headers are emptied: what stays tells
    staff that a message went out (recipient, subject, template, status, times), not what it
    said.

    ``priority`` says which queue a worker serves first: transactional mail (a receipt, a
    decision, a status update, a password reset) before bulk mail (survey invitations and
    reminders), which is sent from a queue of its own and never delays it.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Priority(models.IntegerChoices):
        # Lower first: the sweeper re-queues in this order too.
        TRANSACTIONAL = 0, _("Transactional")
        BULK = 1, _("Bulk")

    dedupe_key = models.CharField(max_length=200)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    recipient = models.CharField(max_length=254)
    sender = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # The template it was rendered from (``surveys/email/invitation``); blank: none.
    template = models.CharField(max_length=200, blank=True)
    # Random; with the server's link key it gives the secret of the message's links.
    link_nonce = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.TRANSACTIONAL
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "dedupe_key"], name="delivery_unique_key"),
        ]
        indexes = [
            # The sweeper's scan crosses tenants: only unfinished rows, transactional first,
            # by due time.
            models.Index(
                fields=["priority", "next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="delivery_priority_all_tenants",
            ),
        ]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient}: {self.subject}"


class Notification(TenantOwned):
    """A message to one member in the workspace: shown under the bell until they read it.

    It is stored as a message key and plain parameters (``notifications.messages``) and worded
    when shown, in the reader's language and date format (:attr:`text`).
    ``dedupe_key`` is unique per tenant, so a retried or doubled scan notifies once; a key names
    the event *and* the recipient (``sla-breach:42:member-7``) when one event notifies several.
    Only ``notifications.services`` writes rows.
    """

    recipient = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    # A key of ``notifications.messages`` and its parameters (JSON values; dates as ISO text).
    message = models.CharField(_("message"), max_length=60)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    link = models.CharField(
        _("link"), max_length=300, blank=True, help_text=_("A path in the app, e.g. /acme/…")
    )
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "dedupe_key"], name="notification_unique_key"
            ),
        ]
        indexes = [
            # The list: a member's notifications, newest first.
            models.Index(fields=["tenant", "recipient", "-created_at"], name="notification_inbox"),
            # The bell, on every page: a member's unread ones only, so it stays small.
            models.Index(
                fields=["tenant", "recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The message in the active language (the reader's), dates in its format."""
        return message_render(self.message, self.params)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeliveryAttachment(TenantOwned):
    """A file sent with an email of the outbox (a monthly report's PDF): stored with the
    delivery, in its transaction, so a worker that dies before sending still finds it. Emptied
    with the rest of the message once the delivery is done with (``services.PURGED``)."""

    delivery = models.ForeignKey(
        Delivery,
        on_delete=models.CASCADE,
        related_name="attachments",
        db_index=False,  # the tenant's index below serves it
        verbose_name=_("delivery"),
    )
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    content = models.BinaryField(_("content"))

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["tenant", "delivery"], name="delivery_attachment_delivery"),
        ]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename
