"""The Celery app: a real worker, and the beat schedule wired to tasks that do their job."""

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from complaints.models import Category, SlaAlert
from config.celery import app as celery_app
from notifications.models import Delivery, Notification
from notifications.services import delivery_enqueue
from surveys.models import Invitation
from tenants.tasks import ping_task
from tests.complaint_fixtures import file_complaint
from tests.surveys.survey_fixtures import add_rule, make_customer, publish_survey, record


@pytest.mark.worker
def test_a_real_worker_process_runs_a_task_on_the_same_database(celery_worker, acme, globex):
    result = ping_task.delay()

    answer = result.get(timeout=30)

    assert answer["worker"].startswith(f"test-{settings.CELERY_TASK_DEFAULT_QUEUE}@")
    assert answer["database"] == connection.vendor
    assert answer["tenants"] == ["acme", "globex"]


# --- beat ----------------------------------------------------------------------------------------

# What beat sends, by the task's name: a module move must not leave beat sending a name no
# worker knows. Every minute, but the ratings: nightly.
BEAT = {
    "sla-scan": "complaints.tasks.sla_scan_task",
    "survey-invitations": "surveys.tasks.send_survey_invitations_task",
    "answer-rollup": "surveys.tasks.answer_days_catch_up_task",
    "sweep-deliveries": "notifications.tasks.sweep_deliveries_task",
    "purge-submission-tokens": "tenants.tasks.purge_submission_tokens_task",
    "purge-access-keys": "complaints.tasks.purge_access_keys_task",
    "refresh-ratings": "ratings.tasks.refresh_ratings_task",
    "monthly-reports": "dashboards.tasks.monthly_reports_task",
}
NIGHTLY = {"refresh-ratings": crontab(hour=2, minute=30)}
MONTHLY = {"monthly-reports": crontab(day_of_month=1, hour=12, minute=0)}


def beat_task(entry: str):
    """The task a worker runs for the beat entry, looked up by the name beat sends."""
    celery_app.loader.import_default_modules()  # what a worker does at start
    return celery_app.tasks[celery_app.conf.beat_schedule[entry]["task"]]


def test_every_beat_entry_names_a_task_a_worker_knows_and_runs_every_minute_or_nightly():
    celery_app.loader.import_default_modules()  # what a worker does at start

    schedule = celery_app.conf.beat_schedule

    assert {name: entry["task"] for name, entry in schedule.items()} == BEAT
    assert {name: entry["schedule"] for name, entry in schedule.items()} == {
        **dict.fromkeys(BEAT, 60.0),
        **NIGHTLY,
        **MONTHLY,
    }
    assert [name for name in BEAT.values() if name not in celery_app.tasks] == []


def test_the_sla_scan_entry_raises_what_is_due(acme_setup, acme_brand, acme_agent):
    claims = Category.objects.for_tenant(acme_setup).get(code="claims")
    # Received two weeks ago and never acknowledged: the warning and the breach are due.
    complaint = file_complaint(
        acme_brand, category=claims, received_at=timezone.now() - timedelta(days=14)
    )

    result = beat_task("sla-scan").apply()

    alerts = SlaAlert.objects.for_tenant(acme_setup)
    assert result.get() == alerts.count()
    # Warning, breach, and an escalation to each of the two levels above the north branch.
    for clock in ("acknowledgement", "first_response"):
        levels = alerts.filter(clock=clock).order_by("level").values_list("level", flat=True)
        assert list(levels) == [0, 1, 2, 3]
    assert (
        Notification.objects.for_tenant(acme_setup)
        .filter(
            recipient=acme_agent,
            message="sla.breach",
            params={"reference": complaint.reference, "clock": "acknowledgement"},
        )
        .count()
        == 1
    )
    assert beat_task("sla-scan").apply().get() == 0  # nothing new a minute later


def test_the_survey_invitations_entry_sends_what_is_due(acme, acme_brand):
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=60)
    maria = make_customer(acme, "Maria Rossi", "maria@example.com", language="en")
    now = timezone.now()
    record(acme_brand, maria, occurred_at=now - timedelta(hours=2), now=now, reference="ev-1")

    result = beat_task("survey-invitations").apply()

    assert result.get() == {"settled": 0, "expired": 0, "sent": 1, "reminded": 0}
    assert list(Invitation.objects.for_tenant(acme).values_list("status", flat=True)) == [
        Invitation.Status.SENT
    ]
    assert list(Delivery.objects.for_tenant(acme).values_list("recipient", "subject")) == [
        ("maria@example.com", "How did we do? One question from Acme Motor")
    ]


def test_the_sweep_entry_sends_what_the_broker_never_delivered(acme, monkeypatch):
    # The broker lost the message: the row is pending and due, and no task will come for it.
    delivery = delivery_enqueue(
        tenant=acme,
        dedupe_key="lost-1",
        recipient="maria@example.com",
        subject="Your complaint",
        body="We have it.",
    )
    # The sends it queues run here, in this test, instead of in a worker.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)

    result = beat_task("sweep-deliveries").apply()

    assert result.get() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 1)
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["maria@example.com"], "Your complaint")
    ]
