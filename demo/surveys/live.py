"""A few events of the last hours, recorded for real (see ``demo.surveys``)."""

from datetime import timedelta

from demo.surveys.history import LIVE_PREFIX, History
from surveys.interactions.decision import throttled
from surveys.interactions.recording import interaction_record
from surveys.invitations.consent import may_email
from surveys.invitations.sending import invitation_send
from surveys.models import Interaction, Invitation


def record_live_events(history: History, count: int) -> None:
    """A few events of the last hours, recorded and decided by ``interaction_record``.

    Those whose sending time has come are sent now, through the outbox (the worker prints
    them in development); the others wait for the sender's next minutes. Customers not
    surveyed in the throttle window are preferred, so most of these are invited.
    """
    if not count:
        return
    rng, now, tenant = history.rng, history.now, history.tenant
    fresh = [
        customer
        for customer in history.customers
        if may_email(customer)
        and not throttled(
            history.last_invited.get(customer.pk),
            send_at=now,
            throttle_days=history.programme.throttle_days,
        )
    ]
    for number in range(count):
        interaction, _effect = history.draw()
        minutes_ago = rng.uniform(5, 25) if number % 3 == 0 else rng.uniform(240, 1200)
        interaction_record(
            tenant=tenant,
            brand=interaction.brand,
            customer=fresh.pop(rng.randrange(len(fresh))) if fresh else interaction.customer,
            occurred_at=now - timedelta(minutes=minutes_ago),
            source=Interaction.Source.API,
            external_reference=f"{LIVE_PREFIX}{number + 1:03d}",
            touchpoint=interaction.touchpoint,
            performer=interaction.performer,
            now=now,
        )
    due = Invitation.objects.for_tenant(tenant).filter(
        interaction__external_reference__startswith=LIVE_PREFIX,
        status=Invitation.Status.SCHEDULED,
        send_at__lte=now,
    )
    for invitation_id in due.values_list("pk", flat=True):
        invitation_send(tenant_id=tenant.pk, invitation_id=invitation_id, now=now)
