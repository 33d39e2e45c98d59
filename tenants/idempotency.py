"""One record per rendered form: a double-click or a retried POST does not write twice.

Each form that creates something carries a hidden ``submission`` input with a random token,
issued when the form is rendered (nothing is stored then). The write that the POST performs
stores the token in the same transaction, under a unique constraint per tenant: a second POST
with the same token finds it (on PostgreSQL it waits for the first to commit) and is shown the
first one's result instead of writing again. A refused write rolls its token back with it, so
the corrected form can be sent again with the same token.

A POST without a token (an old page, an API client) is processed as before, once per request.
"""

import secrets
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from tenants.models import SubmissionToken
from tenants.rls import all_tenants

FIELD = "submission"
MAX_LENGTH = 64
KEEP_DAYS = 7  # a retry comes within seconds; a week covers a browser's restored tabs


def new_token() -> str:
    """A fresh token; templates call it once per form (``{{ submission_token }}``)."""
    return secrets.token_urlsafe(24)


def posted_token(request) -> str:
    """The POST's token, or "" when it has none (or one no form of ours could have issued)."""
    token = request.POST.get(FIELD, "").strip()
    return token if 0 < len(token) <= MAX_LENGTH else ""


def once(request, tenant, kind: str, do: Callable[[], dict]) -> tuple[dict, bool]:
    """Run ``do`` unless this POST's token was already used; return (its result, is_new).

    ``do`` performs the write and returns a small JSON-able result (the address to show next,
    the created row's id). When the token was used before, ``do`` is not called and the first
    result comes back with ``is_new`` False. Exceptions from ``do`` roll the token back.
    """
    token = posted_token(request)
    if not token:
        return do(), True
    tenant_id = getattr(tenant, "pk", tenant)
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the conflict must not end the transaction
                row = SubmissionToken.objects.create(tenant_id=tenant_id, token=token, kind=kind)
        except IntegrityError:
            first = SubmissionToken.objects.for_tenant(tenant_id).get(token=token)
            return first.result, False
        row.result = do()
        row.save(update_fields=["result"])
        return row.result, True


def earlier_result(request, tenant, kind: str) -> dict | None:
    """The stored result of this POST's token if a ``kind`` write already used it, else None.

    For views that refuse a repeat before reaching :func:`once` (a survey already answered).
    """
    token = posted_token(request)
    if not token:
        return None
    row = (
        SubmissionToken.objects.for_tenant(tenant).filter(token=token, kind=kind).only("result")
    ).first()
    return row.result if row is not None else None


@all_tenants()  # every tenant's tokens, by age
def purge_old(now=None) -> int:
    """Delete tokens older than ``KEEP_DAYS`` (every tenant's; cheap, by the age index)."""
    cutoff = (now or timezone.now()) - timedelta(days=KEEP_DAYS)
    deleted, _ = SubmissionToken.objects.unscoped().filter(created_at__lt=cutoff).delete()
    return deleted
