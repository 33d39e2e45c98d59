"""The demo's complaint history reads like real work: steps hours to days apart in working
hours, never piled up on one minute, notes at their steps' times, and the files the notes
mention are there."""

from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from complaints.models import Attachment, Complaint, Message, Transition
from demo.complaints import WORKDAY, seed_demo_complaints
from demo.tenant import seed_demo_tenant
from tenants import rls


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seeded once for the module, rolled back after it."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
        rls.all_tenants(),
    ):
        tenant = seed_demo_tenant().tenant
        seed_demo_complaints(tenant, count=40)
        yield tenant
        transaction.set_rollback(True)


def test_no_case_has_two_steps_in_one_minute_and_none_is_in_the_future(db, demo):
    now = timezone.now()
    transitions = Transition.objects.for_tenant(demo)
    per_minute = Counter(
        (step.complaint_id, step.created_at.replace(second=0, microsecond=0))
        for step in transitions
    )

    assert max(per_minute.values()) == 1
    assert not transitions.filter(created_at__gt=now).exists()
    for complaint in Complaint.objects.for_tenant(demo):
        steps = list(transitions.filter(complaint=complaint).order_by("id"))
        times = [step.created_at for step in steps]
        assert times == sorted(times), complaint.reference
        assert all(moment > complaint.received_at for moment in times), complaint.reference


def test_most_staff_steps_fall_in_working_hours(db, demo):
    zone = ZoneInfo(demo.time_zone)
    local = [
        step.created_at.astimezone(zone)
        for step in Transition.objects.for_tenant(demo).exclude(actor=None)
    ]
    in_hours = [m for m in local if m.weekday() < 5 and WORKDAY[0] <= m.hour < WORKDAY[1]]

    assert len(in_hours) >= 0.8 * len(local)


def test_a_note_takes_its_steps_time_and_the_invoice_it_mentions_is_attached(db, demo):
    mentions = Message.objects.for_tenant(demo).filter(body__startswith="Attached:")
    assert mentions.exists()
    for message in mentions:
        files = Attachment.objects.for_tenant(demo).filter(message=message)
        assert [f.original_name for f in files] == ["garage-invoice.pdf"]
        assert files.get().file.storage.exists(files.get().file.name)
        assert files.get().file.read().startswith(b"%PDF-1.4")
        step = (
            Transition.objects.for_tenant(demo)
            .filter(complaint=message.complaint, created_at__lte=message.created_at)
            .latest("created_at")
        )
        assert (message.created_at - step.created_at).total_seconds() == 1
