"""The sender's minute (beat runs it every minute through ``tasks``): keep the scores people
clicked and left, expire what is past its time, send what is due, remind once."""

import time
from datetime import datetime

from django.utils import timezone

from surveys.invitations.sending import SCAN_LIMIT, invitations_remind, invitations_send_due
from surveys.invitations.status import invitations_expire
from surveys.responses.submitting import invitations_settle
from tenants.rls import all_tenants

# The beat runs every minute; a busy minute takes scan after scan for this long, then leaves
# the rest to the next minute (so two runs seldom overlap; when they do, the compare-and-set
# on each invitation sends it once).
RUN_FOR_SECONDS = 45.0


@all_tenants()  # every tenant's invitations that are due
def invitations_run(
    *, now: datetime | None = None, run_for: float = RUN_FOR_SECONDS
) -> dict[str, int]:
    """The sender's minute: keep clicked scores, expire what is past its time, send what is
    due, remind once — scan after scan while there is more and ``run_for`` seconds last.

    Every step is a compare-and-set on the invitation's status (or reminder time) and every
    email has a unique outbox key, so running this twice, or twice at once, sends each once.
    """
    now = now or timezone.now()
    stop_at = time.monotonic() + run_for
    return {
        # Before expiry: a score clicked in time is an answer even if the link has run out.
        "settled": invitations_settle(now=now, limit=SCAN_LIMIT),
        "expired": invitations_expire(now=now),
        "sent": _scans(invitations_send_due, now=now, stop_at=stop_at),
        "reminded": _scans(invitations_remind, now=now, stop_at=stop_at),
    }


def _scans(scan, *, now: datetime, stop_at: float) -> int:
    """Run ``scan`` (which takes up to ``SCAN_LIMIT`` rows and says how many it found and how
    many it sent) again while it finds a full scan's worth and time is left; the total sent."""
    total = 0
    while True:
        found, sent = scan(now=now, limit=SCAN_LIMIT)
        total += sent
        if found < SCAN_LIMIT or time.monotonic() >= stop_at:
            return total
