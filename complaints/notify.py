"""Messages to the complainant: rendered in their language, with the brand, via the outbox."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from complaints.models import Complaint
from notifications.emails import customer_email_enqueue, customer_email_render
from notifications.models import Delivery
from notifications.services import delivery_enqueue

STATUS_LINK_SALT = "complaints.status-link"
# A link in an email opens the case for a year; after that, reference + email or phone.
STATUS_LINK_MAX_AGE = 60 * 60 * 24 * 365


def status_key(complaint: Complaint) -> str:
    """The secret in the complainant's status link (signed and dated, so nothing is stored)."""
    signer = signing.TimestampSigner(salt=STATUS_LINK_SALT)
    return signer.sign(f"{complaint.tenant_id}:{complaint.pk}")


def status_key_matches(complaint: Complaint, key: str) -> bool:
    try:
        value = signing.TimestampSigner(salt=STATUS_LINK_SALT).unsign(
            key, max_age=STATUS_LINK_MAX_AGE
        )
    except signing.BadSignature:
        return False
    return value == f"{complaint.tenant_id}:{complaint.pk}"


def status_url(complaint: Complaint, tenant_slug: str) -> str:
    path = reverse(
        "public-complaint-status",
        kwargs={"tenant_slug": tenant_slug, "reference": complaint.reference},
    )
    return f"{settings.SITE_URL.rstrip('/')}{path}?key={status_key(complaint)}"


def customer(complaint: Complaint, kind: str, *, key: str | None = None, **context) -> None:
    """Queue the ``kind`` email (templates/complaints/email/<kind>.txt) to the complainant, and
    a text message to a complainant who agreed to SMS.

    The template's first line is the subject. ``key`` makes the message unique (default: the
    complaint's version, which every change bumps), so a retried step does not send twice.
    """
    customer = complaint.customer
    wants_sms = bool(customer.phone and customer.consent_sms)
    if not customer.email and not wants_sms:
        return
    brand = complaint.brand
    link = status_url(complaint, complaint.tenant.slug)
    message = {
        "tenant": complaint.tenant,
        "brand": brand,
        "language": customer.language,
        "template": f"complaints/email/{kind}",
        # The same words, in the brand's colours, with a button to the status page.
        "html_template": "complaints/email/_html.html",
        "context": {"complaint": complaint, "customer": customer, "status_url": link, **context},
    }
    dedupe_key = f"complaint-{complaint.pk}-{kind}-{key or f'v{complaint.version}'}"
    if customer.email:
        email = customer_email_enqueue(recipient=customer.email, dedupe_key=dedupe_key, **message)
    else:
        email = customer_email_render(**message)
    if wants_sms:
        # A text message says what happened and where to read more: the subject and the link.
        delivery_enqueue(
            tenant=complaint.tenant,
            dedupe_key=f"{dedupe_key}-sms",
            channel=Delivery.Channel.SMS,
            recipient=customer.phone,
            sender=brand.name[:11],
            subject="",
            body=f"{brand.name}: {email.subject} {link}",
        )
