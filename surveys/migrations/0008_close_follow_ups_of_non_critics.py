"""Follow-ups opened before the rule "a follow-up is for a critic" (a detractor on the primary
question: NPS 0–6, CSAT 1–3, CES 1–3; praise with a comment opens none) and still open are
closed, each with an audit entry, so old rows agree with the rule: a manager's list no longer
asks them to call back a customer who was happy.

The thresholds and the outcome are frozen here on purpose: a migration must mean the same thing
when ``surveys.scoring`` or the catalogues change later. Reversing leaves them closed (the
audit entries say which were).
"""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

CRITIC_MAX = {"nps": 6, "csat": 3, "ces": 3}
OUTCOME = "Closed without a call: not a critic's answer (follow-ups are for critics only)."
NOTE = "not a critic: closed by migration surveys 0008"


def close_follow_ups_of_non_critics(apps, schema_editor):
    FollowUp = apps.get_model("surveys", "FollowUp")
    AuditEntry = apps.get_model("tenants", "AuditEntry")
    critic = Q(pk__in=[])
    for kind, highest in CRITIC_MAX.items():
        critic |= Q(
            response__primary_kind=kind,
            response__primary_score__isnull=False,
            response__primary_score__lte=highest,
        )
    now = timezone.now()
    stray = FollowUp.objects.filter(status="open").exclude(critic)
    rows = list(stray.values_list("pk", "tenant_id"))
    FollowUp.objects.filter(pk__in=[pk for pk, _tenant in rows], status="open").update(
        status="done", outcome=OUTCOME, completed_at=now
    )
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                tenant_id=tenant_id,
                actor=None,
                action="survey.follow_up_complete",
                target_type="surveys.followup",
                target_id=str(pk),
                changes={"status": ["open", "done"], "outcome": ["", OUTCOME]},
                note=NOTE,
            )
            for pk, tenant_id in rows
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0003_working_hours_closures"),
        ("surveys", "0007_invitation_accepted_at"),
    ]

    operations = [
        migrations.RunPython(close_follow_ups_of_non_critics, migrations.RunPython.noop),
    ]
