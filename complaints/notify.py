"""Messages to the complainant: rendered in their language, with the brand, via the outbox."""

from complaints import access
from complaints.models import Complaint
from notifications.emails import customer_email_enqueue, customer_email_render
from notifications.models import Delivery
from notifications.services import delivery_enqueue


def customer(complaint: Complaint, kind: str, *, key: str | None = None, **context) -> None:
    """Queue the ``kind`` email (templates/complaints/email/<kind>.txt) to the contact given
    with the complaint, and a text message to its phone when the customer agreed to SMS.

    The contact is the complaint's own (``contact_email``, ``contact_phone``, in its language),
    never another found through its customer: a complaint filed by phone under a customer known
    by email does not write to that email. The template's first line is the subject. ``key``
    makes the message unique (default: the complaint's version, which every change bumps), so
    a retried step does not send twice. Its link carries a new single-use key
    (``complaints.access``).
    """
    customer = complaint.customer
    wants_sms = bool(complaint.contact_phone and customer.consent_sms)
    if not complaint.contact_email and not wants_sms:
        return
    brand = complaint.brand
    link = access.status_link(complaint)
    message = {
        "tenant": complaint.tenant,
        "brand": brand,
        "language": complaint.language,
        "template": f"complaints/email/{kind}",
        # The same words, in the brand's colours, with a button to the status page.
        "html_template": "complaints/email/_html.html",
        "context": {
            "complaint": complaint,
            "contact_name": complaint.contact_name or customer.name,
            "status_url": link,
            **context,
        },
    }
    dedupe_key = f"complaint-{complaint.pk}-{kind}-{key or f'v{complaint.version}'}"
    if complaint.contact_email:
        email = customer_email_enqueue(
            recipient=complaint.contact_email, dedupe_key=dedupe_key, **message
        )
    else:
        email = customer_email_render(**message)
    if wants_sms:
        # A text message says what happened and where to read more: the subject and the link.
        delivery_enqueue(
            tenant=complaint.tenant,
            dedupe_key=f"{dedupe_key}-sms",
            channel=Delivery.Channel.SMS,
            recipient=complaint.contact_phone,
            sender=brand.name[:11],
            subject="",
            body=f"{brand.name}: {email.subject} {link}",
        )
