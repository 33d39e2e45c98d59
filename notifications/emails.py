"""Emails to customers (a complaint's steps, survey invitations): rendered one way, queued in
the outbox.

A message is a text template whose first line is the subject, and an HTML version of it in the
brand's colours that extends ``notifications/email/base.html`` (the brand's header, the frame,
the unsubscribe footer). Both are rendered in the customer's language and in the tenant's time
zone, so a date in an email is the date where the customer is served.
"""

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from notifications.models import Delivery
from notifications.services import delivery_enqueue
from tenants.branding import accent_of, ink_on
from tenants.models import Brand, Tenant


@dataclass(frozen=True)
class CustomerEmail:
    subject: str
    body: str  # plain text
    html: str


def customer_email_render(
    *,
    tenant: Tenant,
    brand: Brand,
    language: str,
    template: str,
    context: dict[str, Any],
    html_template: str = "",
    unsubscribe_url: str = "",
) -> CustomerEmail:
    """Render ``<template>.txt`` (its first line is the subject) and the HTML version
    (``html_template``, by default ``<template>.html``).

    Both templates get ``context`` plus ``brand``, its colour ``accent``, the ink that reads on
    it ``accent_ink`` and ``unsubscribe_url``; the HTML one also gets the ``subject`` and the
    text ``body``, which a layout may show as it is.
    """
    accent = accent_of(brand)
    context = {
        **context,
        "brand": brand,
        "accent": accent,
        "accent_ink": ink_on(accent),
        "unsubscribe_url": unsubscribe_url,
    }
    with translation.override(language), timezone.override(tenant.time_zone):
        text = render_to_string(f"{template}.txt", context).strip()
        subject, _newline, body = text.partition("\n")
        subject, body = subject.strip(), body.strip()
        html = render_to_string(
            html_template or f"{template}.html", {**context, "subject": subject, "body": body}
        )
    return CustomerEmail(subject=subject, body=f"{body}\n", html=html)


def customer_email_enqueue(
    *,
    tenant: Tenant,
    brand: Brand,
    recipient: str,
    language: str,
    template: str,
    context: dict[str, Any],
    dedupe_key: str,
    html_template: str = "",
    unsubscribe_url: str = "",
    priority: Delivery.Priority = Delivery.Priority.TRANSACTIONAL,
) -> Delivery:
    """Render an email (:func:`customer_email_render`) and write it to the outbox, from the
    brand's sender (replies to its reply-to address, if it has one); a second call with the
    same ``dedupe_key`` returns the first delivery. ``priority`` BULK: mail sent by the
    thousand, which must not delay the rest (``notifications.services.delivery_enqueue``).

    An ``unsubscribe_url`` also goes into the headers (RFC 2369 and RFC 8058), for the
    unsubscribe button of mail clients, which POSTs there. A secret in the links is passed as
    ``notifications.links.LINK_KEY_SLOT``: the outbox fills it in when it sends.
    """
    email = customer_email_render(
        tenant=tenant,
        brand=brand,
        language=language,
        template=template,
        context=context,
        html_template=html_template,
        unsubscribe_url=unsubscribe_url,
    )
    headers = {}
    if brand.reply_to_email:  # the customer's reply goes to the desk that reads it
        headers["Reply-To"] = brand.reply_to_email
    if unsubscribe_url:
        headers |= {
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return delivery_enqueue(
        tenant=tenant,
        dedupe_key=dedupe_key,
        recipient=recipient,
        sender=f"{brand.sender_name} <{brand.sender_email}>",
        subject=email.subject,
        body=email.body,
        html_body=email.html,
        headers=headers,
        template=template,
        priority=priority,
    )
