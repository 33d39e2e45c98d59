"""The Celery app: Redis broker when REDIS_URL is set, kombu's file-system broker otherwise."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Every task runs for the tenant of its ``tenant_id`` argument, or for none (tenants.rls).
app = Celery("loopdesk", task_cls="tenants.rls:TenantTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_expires=60 * 60 * 24,
    broker_connection_retry_on_startup=True,
    # Periodic scans of the apps: time-based work comes from these, never from ETA tasks.
    beat_schedule={
        "sla-scan": {"task": "complaints.tasks.sla_scan_task", "schedule": 60.0},
        "survey-invitations": {
            "task": "surveys.tasks.send_survey_invitations_task",
            "schedule": 60.0,
        },
        "answer-rollup": {
            "task": "surveys.tasks.answer_days_catch_up_task",
            "schedule": 60.0,
        },
        "sweep-deliveries": {
            "task": "notifications.tasks.sweep_deliveries_task",
            "schedule": 60.0,
        },
        "purge-access-keys": {
            "task": "complaints.tasks.purge_access_keys_task",
            "schedule": 60.0,
        },
        "purge-submission-tokens": {
            "task": "tenants.tasks.purge_submission_tokens_task",
            "schedule": 60.0,
        },
        # Nightly (UTC), after every tenant's day has ended in Europe.
        "refresh-ratings": {
            "task": "ratings.tasks.refresh_ratings_task",
            "schedule": crontab(hour=2, minute=30),
        },
        # The 1st at 12:00 UTC: the month before has ended in every time zone by then.
        "monthly-reports": {
            "task": "dashboards.tasks.monthly_reports_task",
            "schedule": crontab(day_of_month=1, hour=12, minute=0),
        },
    },
)
app.autodiscover_tasks()
