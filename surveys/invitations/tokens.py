"""Survey link tokens: one per email, never stored, found by their SHA-256.

A token is the link key of the email's outbox row (``notifications.links``: an HMAC of the
server's key over the row's id and nonce, 43 URL-safe characters), one for each email (the
invitation and the reminder). The email is queued with a slot where the token goes; the outbox
fills it in as it sends, so neither the outbox nor this table holds the token, only its hash
(:func:`token_record`). Links sent before the tokens were derived this way were random and are
stored the same way: they keep working.

The public pages find the invitation — and with it the tenant — by the token's hash alone; that
lookup is the one place that crosses tenants, and it is explicit.
"""

import re
from datetime import datetime

from notifications.links import link_key_hash
from notifications.models import Delivery
from notifications.services import delivery_link_key
from surveys.models import Invitation, InvitationToken
from tenants import rls

# What a link key (and an older random token) looks like: anything else is refused before it
# reaches the database.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def token_hash(token: str) -> str:
    return link_key_hash(token)


def token_record(*, invitation: Invitation, delivery: Delivery) -> InvitationToken:
    """Let the token of ``delivery``'s links (its link key) open ``invitation``; the token
    itself is not kept. Recording the same delivery twice records it once."""
    token_row, _created = InvitationToken.objects.for_tenant(invitation.tenant_id).get_or_create(
        token_hash=token_hash(delivery_link_key(delivery)),
        defaults={"tenant_id": invitation.tenant_id, "invitation": invitation},
    )
    return token_row


def token_find(token: str) -> InvitationToken | None:
    """The token row with its invitation, customer, brand and tenant; None when unknown.

    Crosses tenants on purpose: the token is what tells which tenant the page belongs to.
    """
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    with rls.all_tenants():
        found = (
            InvitationToken.objects.unscoped()
            .select_related(
                "tenant",
                "invitation__customer",
                "invitation__version",
                "invitation__interaction__brand",
            )
            .filter(token_hash=token_hash(token))
            .first()
        )
    if found is not None:
        rls.activate(found.tenant_id)  # the rest of the request acts for the link's tenant
    return found


def tokens_use(invitation: Invitation, *, now: datetime) -> None:
    InvitationToken.objects.for_tenant(invitation.tenant_id).filter(
        invitation=invitation, used_at__isnull=True
    ).update(used_at=now)
