"""The monthly report end to end: the beat's task (run twice, as a doubled beat would) hands
each due tenant to a real Celery worker, which issues the report and queues one email per
manager in the outbox, which the worker sends to a real SMTP server with the PDF attached.

The worker keeps the real time: the report is of the month before the current one (in
Athens, Acme's zone), with a complaint received on its 10th day.
"""

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from dashboards import reports
from dashboards.models import MonthlyReport
from dashboards.tasks import monthly_reports_task
from notifications.models import Delivery, DeliveryAttachment
from ratings.periods import local_day
from tenants.models import Role, Tenant
from tests.complaint_fixtures import file_complaint
from tests.dashboards.complaints_fixtures import ATHENS
from tests.dashboards.test_report import pdf_pages
from tests.factories import make_member

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker]

DONE = re.compile(r"Task dashboards\.tasks\.monthly_report_task\[[^\]]+\] succeeded")


def wait_until(condition, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_the_report_arrives_once_per_manager_with_its_pdf_however_often_beat_runs(
    celery_worker, _smtp_sink, acme, acme_setup, acme_brand, acme_admin, acme_manager, globex
):
    # Given two managers (Mario, Marta), an admin and an analyst who get no email, a complaint
    # last month, and tenants that existed then
    marta = make_member(acme, "marta", Role.MANAGER, "south")
    make_member(acme, "ana", Role.ANALYST, None)
    month = reports.month_before(local_day(timezone.now(), acme.time_zone))
    file_complaint(acme_brand, received_at=datetime.combine(month, datetime.min.time(), ATHENS))
    Tenant.objects.update(created_at=datetime(2020, 1, 1, tzinfo=UTC))
    before = len(DONE.findall(celery_worker.log()))

    # When beat runs the monthly task twice
    first = monthly_reports_task()
    second = monthly_reports_task()  # those the worker has not issued yet: queued again

    # Then each manager receives exactly one message, with the report's PDF
    assert first == 2  # Acme and Globex
    assert wait_until(lambda: len(DONE.findall(celery_worker.log())) - before == first + second)
    sent = Delivery.objects.for_tenant(acme).filter(template=reports.EMAIL_TEMPLATE)
    assert wait_until(lambda: sent.filter(status=Delivery.Status.SENT).count() == 2)
    messages = [m for m in _smtp_sink.wait_for(2, timeout=30) if "analysis" in m["Subject"]]
    assert sorted(m["To"] for m in messages) == sorted([acme_manager.user.email, marta.user.email])
    report = MonthlyReport.objects.for_tenant(acme).get()
    assert report.month == month and report.recipients == 2
    assert MonthlyReport.objects.for_tenant(globex).count() == 1  # no manager: no email
    label = month.strftime("%B %Y")
    for message in messages:
        assert message["Subject"].strip() == f"Acme Insurance: complaint analysis for {label}"
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert "Complaints received: 1" in body
        assert f"/acme/dashboards/reports/{report.pk}/" in body
        [attachment] = list(message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename() == f"acme-complaint-report-{month:%Y-%m}.pdf"
        pdf = attachment.get_content()
        assert pdf.startswith(b"%PDF-") and pdf_pages(pdf) >= 1
        assert pdf == bytes(report.pdf)
    # A sent message keeps nothing of what it said, its attachment included.
    assert not DeliveryAttachment.objects.for_tenant(acme).exists()
    # Nothing more comes: the second run found the report issued.
    time.sleep(1)
    assert len([m for m in _smtp_sink.messages if "analysis" in m["Subject"]]) == 2
    assert sent.count() == 2
    assert timedelta(0) <= timezone.now() - report.created_at < timedelta(minutes=5)
