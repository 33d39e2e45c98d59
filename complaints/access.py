"""Who may open a complaint's public status page: keys sent to the contact on file.

A browser sees a complaint's status page only once it has shown that it belongs to the
complainant: it filed the complaint (``complaints.public`` grants that one complaint), or it
followed a link sent to the contact given with the complaint — in an email about it, or on
request from the lookup page. Knowing a reference and an email address is not enough: the
lookup sends the link to the contact on file and never opens the page itself, so whoever
filed a complaint under someone else's address, or guessed it, reads nothing.

Each link carries a random key that works once and expires. Only its SHA-256 is stored (a key
is 256 random bits, so a fast hash is enough), so the table, a backup or the admin opens
nothing; a key is compared with ``hmac.compare_digest``.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext

from complaints.models import AccessKey, Complaint
from customers.services import contact_keys
from notifications.emails import customer_email_enqueue
from notifications.models import Delivery
from notifications.services import delivery_enqueue
from tenants import ratelimit
from tenants.audit import audit_record
from tenants.models import Tenant
from tenants.rls import all_tenants

KEY_BYTES = 32
# A complainant's inbox or phone gets at most this many lookup links per window, whoever asks.
LINKS_PER_WINDOW = 3
LINK_WINDOW_SECONDS = 10 * 60


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def access_key_issue(*, complaint: Complaint, purpose: str, lifetime: timedelta) -> str:
    """A new key that opens ``complaint`` once within ``lifetime``; only its hash is stored."""
    key = secrets.token_urlsafe(KEY_BYTES)
    AccessKey.objects.create(
        tenant_id=complaint.tenant_id,
        complaint=complaint,
        key_hash=_digest(key),
        purpose=purpose,
        expires_at=timezone.now() + lifetime,
    )
    return key


@transaction.atomic
def access_key_redeem(*, complaint: Complaint, key: str) -> bool:
    """Use ``key`` on ``complaint``: True once for a key issued for it that has not expired.

    A used key is deleted (compare-and-set: of two browsers following one link at the same
    moment, one gets in), and the use is audited.
    """
    if not key or len(key) > 128:
        return False
    digest = _digest(key)
    keys = AccessKey.objects.for_tenant(complaint.tenant_id).filter(
        complaint=complaint, expires_at__gt=timezone.now()
    )
    match = None
    for row in keys.only("pk", "key_hash", "purpose"):
        if hmac.compare_digest(row.key_hash, digest):
            match = row
    if match is None:
        return False
    deleted, _rows = keys.filter(pk=match.pk).delete()
    if not deleted:
        return False  # the other browser got there first
    audit_record(
        tenant=complaint.tenant,
        actor=None,
        action="complaint.access_key_used",
        target=complaint,
        note=match.purpose,
    )
    return True


def status_link(complaint: Complaint, *, purpose: str = AccessKey.Purpose.EMAIL) -> str:
    """The full address of ``complaint``'s status page with a new single-use key in it."""
    lifetime = (
        timedelta(minutes=settings.LOOPDESK_STATUS_LOOKUP_MINUTES)
        if purpose == AccessKey.Purpose.LOOKUP
        else timedelta(days=settings.LOOPDESK_STATUS_LINK_DAYS)
    )
    key = access_key_issue(complaint=complaint, purpose=purpose, lifetime=lifetime)
    path = reverse(
        "public-complaint-status",
        kwargs={"tenant_slug": complaint.tenant.slug, "reference": complaint.reference},
    )
    return f"{settings.SITE_URL.rstrip('/')}{path}?{urlencode({'key': key})}"


def contact_on_file(complaint: Complaint, contact: str) -> str:
    """Which of the complaint's contacts ``contact`` is ("email" or "phone"), or ""."""
    given = contact_keys(
        tenant=complaint.tenant, **{"email" if "@" in contact else "phone": contact}
    )
    on_file = contact_keys(
        tenant=complaint.tenant, email=complaint.contact_email, phone=complaint.contact_phone
    )
    for kind in ("email", "phone"):
        key = f"{kind}_key"
        if given[key] and given[key] == on_file[key]:
            return kind
    return ""


@transaction.atomic
def access_link_send(*, tenant: Tenant, reference: str, contact: str) -> None:
    """Send a link opening complaint ``reference`` to ``contact`` when it is the email address
    or phone number given with that complaint (an SMS for a phone); otherwise nothing.

    The caller answers the same either way. A complaint's contact gets at most
    ``LINKS_PER_WINDOW`` links per window, so the form cannot flood someone's inbox.
    """
    complaint = (
        Complaint.objects.for_tenant(tenant)
        .select_related("tenant", "brand")
        .filter(reference=reference)
        .first()
    )
    if complaint is None:
        return
    kind = contact_on_file(complaint, contact)
    if not kind:
        return
    limit_key = f"complaint-access-link:{tenant.pk}:{complaint.pk}"
    if not ratelimit.hit(limit_key, LINKS_PER_WINDOW, LINK_WINDOW_SECONDS):
        return
    link = status_link(complaint, purpose=AccessKey.Purpose.LOOKUP)
    brand = complaint.brand
    dedupe_key = f"complaint-{complaint.pk}-access-{secrets.token_hex(8)}"
    if kind == "email":
        customer_email_enqueue(
            tenant=tenant,
            brand=brand,
            recipient=complaint.contact_email,
            language=complaint.language,
            template="complaints/email/access_link",
            html_template="complaints/email/_html.html",
            context={
                "complaint": complaint,
                "status_url": link,
                "minutes": settings.LOOPDESK_STATUS_LOOKUP_MINUTES,
            },
            dedupe_key=dedupe_key,
        )
    else:
        delivery_enqueue(
            tenant=tenant,
            dedupe_key=dedupe_key,
            channel=Delivery.Channel.SMS,
            recipient=complaint.contact_phone,
            sender=brand.name[:11],
            subject="",
            body=_sms_text(complaint, link),
        )
    audit_record(
        tenant=tenant, actor=None, action="complaint.access_link_sent", target=complaint, note=kind
    )


def _sms_text(complaint: Complaint, link: str) -> str:
    with translation.override(complaint.language):
        return gettext("%(brand)s: your link to complaint %(reference)s (works once): %(link)s") % {
            "brand": complaint.brand.name,
            "reference": complaint.reference,
            "link": link,
        }


@all_tenants()  # every tenant's expired keys
def access_keys_purge(now=None) -> int:
    """Delete expired keys of every tenant (by age: crossing tenants on purpose)."""
    deleted, _rows = (
        AccessKey.objects.unscoped().filter(expires_at__lt=now or timezone.now()).delete()
    )
    return deleted
