"""The business calendar read from the database: working hours on the tenant, closures."""

from datetime import UTC, date, datetime, timedelta

import pytest

from complaints.models import Category
from tenants.business_time import add_business_time
from tenants.calendar import calendar_for
from tenants.models import AuditEntry, Closure
from tenants.services import closure_remove, closure_set
from tests.complaint_fixtures import file_complaint

# Friday 6 March 2026, 16:00 in Athens (14:00 UTC); working hours 09–17, Monday to Friday.
FRIDAY_16 = datetime(2026, 3, 6, 14, 0, tzinfo=UTC)


def test_a_closure_makes_a_working_day_a_day_off(acme):
    before = add_business_time(FRIDAY_16, timedelta(hours=2), calendar_for(acme))
    assert before == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # Monday 10:00

    closure_set(tenant=acme, actor=None, day=date(2026, 3, 9), name="Stocktake")

    after = add_business_time(FRIDAY_16, timedelta(hours=2), calendar_for(acme))
    assert after == datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # Tuesday 10:00


def test_a_closure_moves_the_due_times_of_complaints_filed_after_it(acme_setup, acme_brand):
    claims = Category.objects.for_tenant(acme_setup).get(code="claims")
    closure_set(tenant=acme_setup, actor=None, day=date(2026, 3, 9), name="Stocktake")

    complaint = file_complaint(acme_brand, category=claims, received_at=FRIDAY_16)

    # 8 working hours: Friday 16–17, then Tuesday 09–16 (Monday is closed).
    assert complaint.acknowledge_due_at == datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def test_the_tenants_working_hours_are_its_calendars(acme):
    acme.working_hours = {str(day): ["08:00-12:00"] for day in range(6)}  # Saturdays too
    acme.save()

    due = add_business_time(FRIDAY_16, timedelta(hours=1), calendar_for(acme))

    assert due == datetime(2026, 3, 7, 7, 0, tzinfo=UTC)  # Saturday 09:00 in Athens


def test_closures_are_set_renamed_and_removed_with_an_audit_entry(acme, acme_admin):
    day = date(2026, 12, 24)
    closure_set(tenant=acme, actor=acme_admin.user, day=day, name="Christmas Eve")
    closure_set(tenant=acme, actor=acme_admin.user, day=day, name="Christmas Eve (afternoon too)")

    assert list(Closure.objects.for_tenant(acme).values_list("day", "name")) == [
        (day, "Christmas Eve (afternoon too)")
    ]
    assert closure_remove(tenant=acme, actor=acme_admin.user, day=day) is True
    assert closure_remove(tenant=acme, actor=acme_admin.user, day=day) is False
    assert not Closure.objects.for_tenant(acme).exists()
    assert list(
        AuditEntry.objects.for_tenant(acme)
        .filter(target_type="tenants.closure")
        .order_by("id")
        .values_list("action", "changes")
    ) == [
        ("closure.set", {"name": [None, "Christmas Eve"]}),
        ("closure.set", {"name": ["Christmas Eve", "Christmas Eve (afternoon too)"]}),
        ("closure.removed", {"name": ["Christmas Eve (afternoon too)", None]}),
    ]


def test_a_closure_needs_a_reason(acme):
    from tenants.errors import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        closure_set(tenant=acme, actor=None, day=date(2026, 12, 24), name="  ")

    assert refused.value.fields == {"name": ["Say why the day is closed."]}
    assert not Closure.objects.for_tenant(acme).exists()


def test_one_tenants_closure_does_not_close_anothers_day(acme, globex):
    closure_set(tenant=globex, actor=None, day=date(2026, 3, 9), name="Globex retreat")

    due = add_business_time(FRIDAY_16, timedelta(hours=2), calendar_for(acme))

    assert due == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
