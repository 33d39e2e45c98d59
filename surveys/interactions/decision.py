"""Whether to survey a service interaction: one pure function, taken once per interaction.

The rules, in order:

1. a complaint that is not closed (rejected, withdrawn, merged, reopened…) → NOT_ELIGIBLE;
2. no active rule (by ``order``) matches the brand, touchpoint and source with a published
   survey → NO_RULE;
3. the customer opted out of surveys or does not agree to email → OPTED_OUT;
4. no email address → NO_EMAIL (3 and 4: ``invitations.consent``, the one rule);
5. the event is older than the programme's maximum age (``max_event_age``, 24 hours unless
   the tenant changed it) when it is recorded → TOO_OLD;
6. the customer has a first invitation (not cancelled) whose sending time is less than the
   programme's throttle (``throttle_days``) before this one's → THROTTLED;
7. the interaction falls outside the rule's sample (a stable hash of its id) → NOT_SAMPLED;
8. otherwise INVITED: the invitation goes out ``rule.delay_minutes`` after the event, but
   never later than the maximum age after it.

Both limits are the tenant's survey programme (``SurveySettings``, read by
``surveys.models.survey_settings_for``), passed in by the caller.

``interactions.recording`` gathers the facts from the database and applies the verdict; the
demo's year of history decides thousands of interactions with the same function.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from complaints.lifecycle import State
from surveys.invitations.consent import survey_email_refusal
from surveys.models import Interaction

Decision = Interaction.Decision


@dataclass(frozen=True)
class Verdict:
    decision: str
    send_at: datetime | None = None  # when INVITED


def sample_bucket(interaction: Interaction) -> int:
    """0–99, fixed for an interaction: it is in a rule's sample when below ``sample_percent``.

    A hash of the ids rather than a random draw, so a decision can be reproduced and explained.
    """
    digest = hashlib.sha256(f"{interaction.tenant_id}:{interaction.pk}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def throttled(last_invited_at: datetime | None, *, send_at: datetime, throttle_days: int) -> bool:
    """Whether a customer last invited at ``last_invited_at`` (None: never) is still inside the
    tenant's throttle window for an invitation sent at ``send_at``."""
    return last_invited_at is not None and last_invited_at > send_at - timedelta(days=throttle_days)


def decide(
    *,
    interaction: Interaction,
    complaint_state: str | None,
    rule,
    customer,
    now: datetime,
    last_invited_at: datetime | None,
    throttle_days: int,
    max_event_age: timedelta,
) -> Verdict:
    """The decision for ``interaction`` recorded at ``now``.

    ``rule`` is the matching survey rule (None: none matches), ``customer`` the interaction's
    customer as it is now, ``last_invited_at`` the latest sending time of the customer's first
    invitations that were not cancelled (None: never invited); ``throttle_days`` and
    ``max_event_age`` the tenant's programme.
    """
    if complaint_state is not None and complaint_state != State.CLOSED:
        return Verdict(Decision.NOT_ELIGIBLE)
    if rule is None:
        return Verdict(Decision.NO_RULE)
    refusal = survey_email_refusal(customer)
    if refusal is not None:
        return Verdict(refusal)
    if now - interaction.occurred_at > max_event_age:
        return Verdict(Decision.TOO_OLD)
    send_at = interaction.occurred_at + min(timedelta(minutes=rule.delay_minutes), max_event_age)
    if throttled(last_invited_at, send_at=send_at, throttle_days=throttle_days):
        return Verdict(Decision.THROTTLED)
    if sample_bucket(interaction) >= rule.sample_percent:
        return Verdict(Decision.NOT_SAMPLED)
    return Verdict(Decision.INVITED, send_at)
