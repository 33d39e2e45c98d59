"""Link keys: the secret in a customer's link (a survey's token), never stored.

An email that carries a secret link is written to the outbox with :data:`LINK_KEY_SLOT` where
the secret goes (in the text, the HTML and the headers: ``/s/__loopdesk_link_key__/``). The
secret of a delivery is an HMAC of the server's link key (``LOOPDESK_LINK_KEY``) over the row's
id and a random nonce stored on the row (:func:`delivery_link_key`): the sender fills the slot
in just before it hands the message to the SMTP server, so a retry sends the same link, and
what needs to find the row later (the survey page) stores only the key's SHA-256
(:func:`link_key_hash`). The database alone cannot give the secret back: neither the outbox
row (slot and nonce), nor the hash.

Rotating the key (or ``SECRET_KEY`` when ``LOOPDESK_LINK_KEY`` is not set) leaves every link
already sent working (only its hash is looked up) but changes the link of an email still
waiting in the outbox, which then opens nothing: rotate when the outbox has no pending
deliveries (``status`` pending or sending).
"""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

# What a template gets instead of the secret (URL-safe, so ``reverse()`` keeps it as it is).
LINK_KEY_SLOT = "__loopdesk_link_key__"
# ``link_key_hash`` of a key: hex SHA-256.
HASH_LENGTH = 64


def new_nonce() -> str:
    """The random half of a delivery's link key, stored on the row."""
    return secrets.token_hex(16)


def _server_key() -> bytes:
    """``LOOPDESK_LINK_KEY``, or one derived from ``SECRET_KEY`` for this purpose alone."""
    if settings.LOOPDESK_LINK_KEY:
        return settings.LOOPDESK_LINK_KEY.encode()
    return salted_hmac("loopdesk.notifications.links", "link-key").digest()


def link_key(*, delivery_id: int, nonce: str) -> str:
    """The secret of delivery ``delivery_id``: 43 URL-safe characters (256 bits)."""
    digest = hmac.new(
        _server_key(), f"delivery:{delivery_id}:{nonce}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def link_key_hash(key: str) -> str:
    """What is stored to find a row by its link key: hex SHA-256."""
    return hashlib.sha256(key.encode()).hexdigest()


def link_key_fill(text: str, key: str) -> str:
    """``text`` with every :data:`LINK_KEY_SLOT` replaced by ``key``."""
    return text.replace(LINK_KEY_SLOT, key)
