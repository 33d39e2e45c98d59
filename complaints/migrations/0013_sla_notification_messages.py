"""The SLA scan's notifications written as text (in the tenant's language) get their message
key and parameters (``complaints.notices``), so each reader sees them in their own language.

Their dedupe key names the event: ``sla:<complaint>:<clock>:<round>:<level>:<member>``; the
due time of a warning is its alert's. A warning still unread whose clock has since been
breached is marked read: the breach says it (as the scan now does).
"""

from django.db import migrations
from django.utils import timezone

MESSAGES = {0: "sla.warning", 1: "sla.breach"}
ESCALATION = "sla.escalation"


def sla_text_to_keys(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    SlaAlert = apps.get_model("complaints", "SlaAlert")
    Complaint = apps.get_model("complaints", "Complaint")
    rows = list(
        Notification.objects.filter(message="text", dedupe_key__startswith="sla:").values_list(
            "pk", "dedupe_key", "read_at", "params"
        )
    )
    events = {}
    for pk, key, read_at, old in rows:
        parts = key.split(":")
        if len(parts) != 6 or not all(part.isdigit() for part in (parts[1], *parts[3:])):
            continue
        complaint_id, clock, round_, level = int(parts[1]), parts[2], int(parts[3]), int(parts[4])
        events[pk] = (complaint_id, clock, round_, level, read_at, old.get("text", ""))
    complaint_ids = {event[0] for event in events.values()}
    references = dict(Complaint.objects.filter(pk__in=complaint_ids).values_list("pk", "reference"))
    alerts = {
        (alert.complaint_id, alert.clock, alert.round, alert.level): alert.due_at
        for alert in SlaAlert.objects.filter(complaint_id__in=complaint_ids)
    }
    now = timezone.now()
    for pk, (complaint_id, clock, round_, level, read_at, text) in events.items():
        if complaint_id not in references:
            continue
        # The old text stays beside, shown should the parameters not fill the words.
        params = {"reference": references[complaint_id], "clock": clock, "text": text}
        fields = {"message": MESSAGES.get(level, ESCALATION), "params": params}
        if level == 0:
            due_at = alerts.get((complaint_id, clock, round_, 0))
            if due_at is not None:
                params["due"] = due_at.isoformat()
            if read_at is None and (complaint_id, clock, round_, 1) in alerts:
                fields["read_at"] = now
        Notification.objects.filter(pk=pk).update(**fields)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0012_complaint_contact_and_access_keys"),
        ("notifications", "0005_notification_message_key"),
    ]

    operations = [
        migrations.RunPython(sla_text_to_keys, migrations.RunPython.noop),
    ]
