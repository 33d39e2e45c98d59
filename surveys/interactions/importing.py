"""Importing a checked file: its valid rows a batch at a time, each through
``recording.interaction_record``, and the upload and the import under way kept between requests.
"""

import re
import secrets
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from customers.services import customer_match_or_create
from surveys.interactions.checking import RowError, import_check
from surveys.interactions.recording import interaction_record
from surveys.models import Interaction
from tenants.audit import audit_record
from tenants.errors import ApplicationError, Conflict, NotFound
from tenants.models import AuditEntry, Brand, Membership, Tenant, Touchpoint
from tenants.permissions import Action, require

UPLOAD_KEPT_FOR = 60 * 60  # seconds between the check and the import, and between batches
# One request imports at most this many rows, and stops after this many seconds: a row is a
# dozen queries, so a 10,000-row file goes in several requests, each well inside a gateway's
# timeout; the page asks for the next batch by itself.
BATCH_ROWS = 1000
BATCH_SECONDS = 10.0
LOCK_SECONDS = 120  # a batch that died leaves its lock this long
# The skipped rows kept in the audit entry for the summary page (the check showed them all).
SKIPPED_KEPT = 200
IMPORT_ACTION = "interaction.imported"
TOKEN = re.compile(r"[A-Za-z0-9_-]{24}")


# --- keeping the upload between the check and the import -------------------------------------


def _key(kind: str, actor: Membership, token: str = "") -> str:
    return f"surveys:interaction-import:{kind}:{actor.tenant_id}:{actor.pk}:{token}"


def _gone() -> NotFound:
    return NotFound(
        _(
            "This upload is no longer here (uploads wait an hour and are imported once): "
            "upload the file again."
        )
    )


def upload_keep(*, actor: Membership, file_name: str, text: str) -> str:
    """Keep a checked file for ``actor`` for an hour; returns the token that takes it back."""
    token = secrets.token_urlsafe(18)
    cache.set(
        _key("upload", actor, token),
        {"file_name": file_name, "text": zlib.compress(text.encode())},
        UPLOAD_KEPT_FOR,
    )
    return token


def upload_take(*, actor: Membership, token: str) -> tuple[str, str]:
    """(file name, text) of the file ``actor`` kept under ``token``, removed from the cache.

    NotFound when it expired, was imported already, or is not this member's: whoever deletes
    the entry imports it, so two clicks on "Import" import once.
    """
    if not TOKEN.fullmatch(token or ""):
        raise _gone()
    key = _key("upload", actor, token)
    kept = cache.get(key)
    if kept is None or not cache.delete(key):
        raise _gone()
    return kept["file_name"], zlib.decompress(kept["text"]).decode()


# --- importing, a batch at a time -------------------------------------------------------------


class PendingRow(NamedTuple):
    """A valid row waiting to be imported, by ids (what the cache keeps between batches)."""

    row: int
    external_reference: str
    occurred_at: datetime
    brand_id: int
    touchpoint_id: int | None
    email: str
    phone: str
    name: str
    language: str
    performer_id: int | None


@dataclass
class ImportRun:
    """An import under way: the rows to import, how far it got and what came of it."""

    token: str
    file_name: str
    row_count: int
    rows: list[PendingRow]
    already_imported: int
    skipped: list[RowError]
    position: int = 0
    created: int = 0
    decisions: dict[str, int] = field(default_factory=dict)

    @property
    def is_done(self) -> bool:
        return self.position >= len(self.rows)


def import_start(
    *, actor: Membership, token: str, text: str, file_name: str, now: datetime | None = None
) -> ImportRun:
    """Check the file again (brands, touchpoints or members may have changed since the check
    the manager saw) and return the import of its valid rows, not yet begun."""
    check = import_check(actor=actor, text=text, now=now)
    return ImportRun(
        token=token,
        file_name=file_name,
        row_count=check.row_count,
        rows=[
            PendingRow(
                row.row,
                row.external_reference,
                row.occurred_at,
                row.brand.pk,
                row.touchpoint.pk if row.touchpoint else None,
                row.email,
                row.phone,
                row.name,
                row.language,
                row.performer.pk if row.performer else None,
            )
            for row in check.rows
        ],
        already_imported=len(check.already_imported),
        skipped=list(check.errors),
    )


def import_step(
    *,
    actor: Membership,
    run: ImportRun,
    now: datetime | None = None,
    max_rows: int | None = None,
    max_seconds: float | None = None,
) -> AuditEntry | None:
    """Import the next rows of ``run`` (at most ``max_rows``, stopping after ``max_seconds``),
    advancing it; when the last row is done, record the import's audit entry and return it.

    Each row is its own transaction: the customer is found by email, then phone, or created
    (an existing customer is never changed by the file), then ``recording.interaction_record``
    records the event and takes its survey decision. So no lock is held for long, and rows
    done before a crash are reported as already imported when the file comes again.
    """
    require(actor, Action.MANAGE_SURVEYS)
    tenant = actor.tenant
    batch = run.rows[run.position : run.position + (max_rows or BATCH_ROWS)]
    brands = Brand.objects.for_tenant(tenant).in_bulk({row.brand_id for row in batch})
    touchpoints = Touchpoint.objects.for_tenant(tenant).in_bulk(
        {row.touchpoint_id for row in batch} - {None}
    )
    performers = Membership.objects.for_tenant(tenant).in_bulk(
        {row.performer_id for row in batch} - {None}
    )
    deadline = time.monotonic() + (max_seconds or BATCH_SECONDS)
    for row in batch:
        run.position += 1
        try:
            interaction, is_new = _import_row(
                tenant,
                row,
                brand=brands.get(row.brand_id),
                touchpoint=touchpoints.get(row.touchpoint_id),
                performer=performers.get(row.performer_id),
                now=now,
            )
        except ApplicationError as error:
            run.skipped.append(RowError(row.row, "", error.message))
        else:
            if is_new:
                run.created += 1
                decision = str(interaction.decision)
                run.decisions[decision] = run.decisions.get(decision, 0) + 1
            else:
                run.already_imported += 1
        if time.monotonic() > deadline:
            break
    if not run.is_done:
        return None
    skipped = sorted(run.skipped, key=lambda error: error.row)
    return audit_record(
        tenant=tenant,
        actor=actor.user,
        action=IMPORT_ACTION,
        target=tenant,
        changes={
            "file": [None, run.file_name],
            "rows": [None, run.row_count],
            "created": [None, run.created],
            "already_imported": [None, run.already_imported],
            "skipped": [None, len({error.row for error in skipped})],
            "decisions": [None, run.decisions],
            "skipped_rows": [None, [list(error) for error in skipped[:SKIPPED_KEPT]]],
        },
        note=run.file_name,
    )


@transaction.atomic
def _import_row(tenant: Tenant, row: PendingRow, *, brand, touchpoint, performer, now):
    if brand is None:
        # Deleted between the check and this batch: nothing else can stand in for it.
        raise ApplicationError(_("The brand of this row no longer exists."))
    customer = customer_match_or_create(
        tenant=tenant,
        name=row.name,
        email=row.email,
        phone=row.phone,
        language=row.language,
        learn=False,
    )
    interaction, is_new = interaction_record(
        tenant=tenant,
        brand=brand,
        customer=customer,
        occurred_at=row.occurred_at,
        source=Interaction.Source.IMPORT,
        external_reference=row.external_reference,
        touchpoint=touchpoint,
        performer=performer,
        now=now,
    )
    if not is_new:
        # Imported by someone else since the check: keep no customer created for it.
        transaction.set_rollback(True)
    return interaction, is_new


def interactions_import(
    *, actor: Membership, text: str, file_name: str, now: datetime | None = None
) -> AuditEntry:
    """Check and import a whole file in one go (for scripts and tests; the page goes a batch
    per request, see ``import_step``). Returns the import's audit entry."""
    run = import_start(actor=actor, token="", text=text, file_name=file_name, now=now)
    while (entry := import_step(actor=actor, run=run, now=now)) is None:
        pass
    return entry


# --- an import under way, between the page's requests -------------------------------------------


def import_advance(*, actor: Membership, run: ImportRun) -> AuditEntry | None:
    """One batch of ``run``: its audit entry when that was the last (the run is forgotten),
    else None (the run is kept for the next batch)."""
    entry = import_step(actor=actor, run=run)
    if entry is not None:
        run_finish(actor=actor, run=run)
    else:
        run_keep(actor=actor, run=run)
    return entry


def run_keep(*, actor: Membership, run: ImportRun) -> None:
    """Keep ``run`` for the next batch; the member's pointer shows it on the interactions page."""
    cache.set_many(
        {_key("run", actor, run.token): run, _key("running", actor): run.token},
        UPLOAD_KEPT_FOR,
    )


def run_get(*, actor: Membership, token: str) -> ImportRun:
    """The member's import under way with this token; NotFound when there is none."""
    run = cache.get(_key("run", actor, token)) if TOKEN.fullmatch(token or "") else None
    if run is None:
        raise _gone()
    return run


def run_finish(*, actor: Membership, run: ImportRun) -> None:
    cache.delete(_key("run", actor, run.token))
    if cache.get(_key("running", actor)) == run.token:
        cache.delete(_key("running", actor))


def running_import(actor: Membership) -> ImportRun | None:
    """The member's latest import that is not finished, if any."""
    token = cache.get(_key("running", actor))
    return cache.get(_key("run", actor, token)) if token else None


@contextmanager
def run_lock(*, actor: Membership, token: str):
    """Hold the batch of one import: a second window asking at the same time is refused.

    ``cache.add`` is atomic on Redis; the file cache of the embedded default may let two
    batches through at once, which only costs work: the (source, reference) constraint
    behind ``interaction_record`` still records each row once.
    """
    key = _key("lock", actor, token)
    if not cache.add(key, 1, LOCK_SECONDS):
        raise Conflict(_("This import is going on in another window."), code="import_running")
    try:
        yield
    finally:
        cache.delete(key)
