"""A member's invitation email (``tenants.members`` announces it with ``MemberInvited``): queued
in the outbox in the transaction that issues the invitation, with the outbox's slot where the
link's token goes. The token is the row's link key (``notifications.links``): the outbox fills
it in as it sends, and the invitation keeps only its hash, so it is stored nowhere.

The link is built on ``SITE_URL``, never on a request's Host header. The email is in the
tenant's default language and time zone, from the site's sender (``DEFAULT_FROM_EMAIL``).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from notifications.links import LINK_KEY_SLOT, link_key_hash
from notifications.models import Delivery
from notifications.services import delivery_enqueue, delivery_link_key
from tenants.events import MemberInvited
from tenants.members import invitation_token_record
from tenants.models import MemberInvitation

TEMPLATE = "notifications/email/member_invitation"


def outbox_key(*, invitation_id: int, round: int) -> str:
    """Unique per tenant: a round's email is queued once; a resend is a new round."""
    return f"member-invitation-{invitation_id}-{round}"


def member_invitation_email(event: MemberInvited) -> Delivery:
    """Queue the invitation's email for ``event.round`` and record its token's hash."""
    invitation = (
        MemberInvitation.objects.for_tenant(event.tenant_id)
        .select_related("tenant", "invited_by")
        .get(pk=event.invitation_id)
    )
    tenant = invitation.tenant
    path = reverse("invitation-link", kwargs={"token": LINK_KEY_SLOT})
    inviter = invitation.invited_by
    with translation.override(tenant.default_language), timezone.override(tenant.time_zone):
        context = {
            "tenant": tenant,
            "inviter": inviter and (inviter.get_full_name() or inviter.email),
            "role": invitation.get_role_display(),
            "accept_url": f"{settings.SITE_URL.rstrip('/')}{path}",
            "expires_at": invitation.expires_at,
        }
        subject = render_to_string(f"{TEMPLATE}_subject.txt", context)
        body = render_to_string(f"{TEMPLATE}.txt", context)
    delivery = delivery_enqueue(
        tenant=tenant,
        dedupe_key=outbox_key(invitation_id=invitation.pk, round=event.round),
        recipient=invitation.email,
        subject=" ".join(subject.split()),
        body=body,
        template=TEMPLATE,
    )
    invitation_token_record(
        tenant_id=tenant.pk,
        invitation_id=invitation.pk,
        round=event.round,
        token_hash=link_key_hash(delivery_link_key(delivery)),
    )
    return delivery
