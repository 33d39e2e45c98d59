"""Files sent with an outbox email: stored with the delivery in its transaction, sent with it to
a real SMTP server, and deleted with the rest of the message once the delivery is done with."""

import pytest

from notifications import services
from notifications.models import Delivery, DeliveryAttachment
from notifications.services import Attachment, delivery_enqueue, delivery_send

pytestmark = pytest.mark.postgres

REPORT = Attachment("report.pdf", b"%PDF-1.7 pretend", "application/pdf")
NOTES = Attachment("notes.txt", "Ελληνικά".encode(), "text/plain")


def enqueue(tenant, key: str = "with-files", attachments=(REPORT, NOTES)) -> Delivery:
    return delivery_enqueue(
        tenant=tenant,
        dedupe_key=key,
        recipient="mario@acme.example",
        subject="Your report",
        body="Attached.\n",
        attachments=attachments,
    )


def test_an_email_arrives_with_its_files_and_the_outbox_keeps_none_of_them(acme, smtp_server):
    delivery = enqueue(acme)
    assert DeliveryAttachment.objects.for_tenant(acme).filter(delivery=delivery).count() == 2

    assert delivery_send(delivery_id=delivery.pk) is True

    [message] = smtp_server.wait_for(1)
    files = [
        (a.get_filename(), a.get_content_type(), a.get_content())
        for a in message.iter_attachments()
    ]
    assert files == [
        ("report.pdf", "application/pdf", b"%PDF-1.7 pretend"),
        ("notes.txt", "text/plain", "Ελληνικά"),
    ]
    assert message.get_body(preferencelist=("plain",)).get_content().strip() == "Attached."
    assert not DeliveryAttachment.objects.for_tenant(acme).exists()


def test_asking_twice_stores_the_files_once(acme):
    first = enqueue(acme)
    again = enqueue(acme, attachments=(REPORT,))

    assert again.pk == first.pk
    names = DeliveryAttachment.objects.for_tenant(acme).values_list("filename", flat=True)
    assert sorted(names) == ["notes.txt", "report.pdf"]


def test_a_retry_keeps_the_files_and_the_last_failed_try_deletes_them(acme, settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: refused
    delivery = enqueue(acme)

    assert delivery_send(delivery_id=delivery.pk) is False
    assert DeliveryAttachment.objects.for_tenant(acme).count() == 2  # for the next attempt

    monkeypatch.setattr(services, "MAX_ATTEMPTS", 2)
    Delivery.objects.for_tenant(acme).filter(pk=delivery.pk).update(
        next_attempt_at=delivery.created_at
    )
    assert delivery_send(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert not DeliveryAttachment.objects.for_tenant(acme).exists()
