from datetime import timedelta
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, SlaAlert
from complaints.sla_scan import sla_scan
from demo.tenant import DEMO_PASSWORD
from notifications.models import Notification
from notifications.selectors import unread_count
from surveys.models import Interaction
from tenants.models import Brand, Department, Membership, Role, Tenant, Touchpoint


def people(tenant):
    return sorted(
        Membership.objects.for_tenant(tenant).values_list(
            "user__email", "role", "department__code", "is_active"
        )
    )


def counts(tenant):
    return {
        model.__name__: model.objects.for_tenant(tenant).count()
        for model in (Brand, Touchpoint, Department, Membership)
    }


def test_seed_demo_builds_the_insurer_group_and_prints_the_login(db, client):
    out = StringIO()

    call_command("seed_demo", "--force", "--complaints=20", "--interactions=300", stdout=out)

    tenant = Tenant.objects.get(slug="aegean")
    assert counts(tenant) == {"Brand": 3, "Touchpoint": 6, "Department": 7, "Membership": 11}
    roles = list(Membership.objects.for_tenant(tenant).values_list("role", flat=True))
    assert roles.count(Role.ADMIN) == 1
    assert roles.count(Role.MANAGER) == 2
    assert roles.count(Role.AGENT) + roles.count(Role.PERFORMER) == 8
    tree = {d.code: d.depth for d in Department.objects.for_tenant(tenant)}
    assert [code for code, depth in tree.items() if depth == 0] == ["head-office"]
    assert sorted(code for code, depth in tree.items() if depth == 1) == ["attica", "north"]
    assert sum(1 for depth in tree.values() if depth == 2) == 4

    printed = out.getvalue()
    assert "added 20 demo complaints" in printed
    assert "added 300 demo interactions" in printed
    assert "http://127.0.0.1:8000/accounts/login/" in printed
    assert "admin@aegean.example" in printed
    assert DEMO_PASSWORD in printed
    response = client.post(
        reverse("login"),
        {"username": "admin@aegean.example", "password": DEMO_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/aegean/"
    assert "Aegean Road Assist" in response.content.decode()


def test_seed_demo_twice_leaves_the_same_rows(db):
    call_command("seed_demo", "--force", "--complaints=20", "--interactions=300", stdout=StringIO())
    tenant = Tenant.objects.get(slug="aegean")
    first = counts(tenant)
    members = people(tenant)
    paths = sorted(Department.objects.for_tenant(tenant).values_list("path", flat=True))
    users = get_user_model().objects.count()
    interactions = Interaction.objects.for_tenant(tenant).count()

    call_command("seed_demo", "--force", "--complaints=20", "--interactions=300", stdout=StringIO())

    assert Tenant.objects.get(slug="aegean").pk == tenant.pk  # the same tenant, not a new one
    assert counts(tenant) == first
    assert people(tenant) == members
    assert Complaint.objects.for_tenant(tenant).count() == 20
    assert sorted(Department.objects.for_tenant(tenant).values_list("path", flat=True)) == paths
    assert get_user_model().objects.count() == users
    assert Interaction.objects.for_tenant(tenant).count() == interactions


def test_the_demo_history_leaves_every_bell_empty_and_the_first_tick_adds_none_of_it(db):
    call_command("seed_demo", "--force", "--complaints=40", "--interactions=50", stdout=StringIO())
    tenant = Tenant.objects.get(slug="aegean")
    members = list(Membership.objects.for_tenant(tenant))
    overdue = Complaint.objects.for_tenant(tenant).overdue(timezone.now()).count()
    raised = SlaAlert.objects.for_tenant(tenant).count()
    notified = Notification.objects.for_tenant(tenant).count()
    # The seed's open complaints are days old: their deadlines passed, and the history says so.
    assert overdue > 0 and raised > 0 and notified > 0

    assert [unread_count(member) for member in members] == [0] * len(members)

    # The beat's first tick, a minute later: nothing of the history is new.
    assert sla_scan(now=timezone.now() + timedelta(minutes=1)) == 0
    assert Notification.objects.for_tenant(tenant).count() == notified
    assert [unread_count(member) for member in members] == [0] * len(members)
