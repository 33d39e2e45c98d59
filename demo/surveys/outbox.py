"""The outbox rows of the demo history's first emails (see ``history``)."""

from notifications.models import Delivery
from surveys.invitations.sending import outbox_key
from surveys.invitations.status import invitations_first_emails_record
from surveys.models import Invitation
from tenants.models import Tenant

BATCH = 500


def first_emails_write(tenant: Tenant, invitations: list[Invitation], *, bounced: set[int]):
    """Write the first email of every sent invitation (saved, in ``invitations``) to the outbox,
    long since accepted by the mail server — or refused, for those whose ``id()`` is in
    ``bounced`` — and link it to its invitation as the sender does: the response rate counts
    what the server accepted."""
    sent = [invitation for invitation in invitations if invitation.sent_at is not None]
    for invitation in sent:
        is_bounced = id(invitation) in bounced
        invitation.delivery = Delivery(
            tenant=tenant,
            dedupe_key=outbox_key(invitation_id=invitation.pk, kind="invitation"),
            recipient=invitation.customer.email,
            subject=f"{invitation.interaction.brand.name}: how did we do?",
            # Finished rows keep no message (``notifications.services.PURGED``).
            body="",
            template="surveys/email/invitation",
            priority=Delivery.Priority.BULK,
            status=Delivery.Status.FAILED if is_bounced else Delivery.Status.SENT,
            attempts=1,
            next_attempt_at=invitation.sent_at,
            sent_at=None if is_bounced else invitation.sent_at,
            last_error="550 5.1.1 mailbox unavailable" if is_bounced else "",
        )
    Delivery.objects.bulk_create([invitation.delivery for invitation in sent], batch_size=BATCH)
    invitations_first_emails_record(tenant_id=tenant.pk, invitations=sent)
