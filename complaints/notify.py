"""Messages to the complainant: rendered in their language, with the brand, via the outbox."""

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from complaints.models import Complaint
from notifications.models import Delivery
from notifications.services import delivery_enqueue
from tenants.branding import accent_of, ink_on

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
    """Queue the ``kind`` email (templates/complaints/email/<kind>.txt) to the complainant.

    The template's first line is the subject. ``key`` makes the message unique (default: the
    complaint's version, which every change bumps), so a retried step does not send twice.
    """
    customer = complaint.customer
    if not customer.email and not (customer.phone and customer.consent_sms):
        return
    brand = complaint.brand
    tenant = complaint.tenant
    link = status_url(complaint, tenant.slug)
    accent = accent_of(brand)
    with translation.override(customer.language):
        text = render_to_string(
            f"complaints/email/{kind}.txt",
            {
                "complaint": complaint,
                "customer": customer,
                "brand": brand,
                "status_url": link,
                **context,
            },
        ).strip()
        subject, _, body = text.partition("\n")
        # The same words, in the brand's colours, for mail clients that show HTML.
        html = render_to_string(
            "complaints/email/_html.html",
            {
                "brand": brand,
                "accent": accent,
                "accent_ink": ink_on(accent),
                "subject": subject,
                "body": body.strip(),
                "status_url": link,
            },
        )
    dedupe_key = f"complaint-{complaint.pk}-{kind}-{key or f'v{complaint.version}'}"
    if customer.email:
        delivery_enqueue(
            tenant=tenant,
            dedupe_key=dedupe_key,
            recipient=customer.email,
            sender=f"{brand.sender_name} <{brand.sender_email}>",
            subject=subject.strip(),
            body=body.strip() + "\n",
            html_body=html,
        )
    if customer.phone and customer.consent_sms:
        # A text message says what happened and where to read more: the subject and the link.
        delivery_enqueue(
            tenant=tenant,
            dedupe_key=f"{dedupe_key}-sms",
            channel=Delivery.Channel.SMS,
            recipient=customer.phone,
            sender=brand.name[:11],
            subject="",
            body=f"{brand.name}: {subject.strip()} {link}",
        )
