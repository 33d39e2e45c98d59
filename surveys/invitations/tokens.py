"""Survey link tokens: random, single-use, stored only as their SHA-256.

A token is ``secrets.token_urlsafe(32)`` (256 random bits, 43 URL-safe characters), minted for
each email (the invitation and the reminder), so the plaintext never has to be kept to write
the second email. The public pages find the invitation — and with it the tenant — by the
token's hash alone; that lookup is the one place that crosses tenants, and it is explicit.
"""

import hashlib
import re
import secrets
from datetime import datetime

from surveys.models import Invitation, InvitationToken
from tenants import rls

TOKEN_BYTES = 32
# What token_urlsafe(32) produces: anything else is refused before it reaches the database.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_mint(*, invitation: Invitation) -> str:
    """A new token for ``invitation``; returns the plaintext, which only the email keeps."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    InvitationToken.objects.create(
        tenant_id=invitation.tenant_id, invitation=invitation, token_hash=token_hash(token)
    )
    return token


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
