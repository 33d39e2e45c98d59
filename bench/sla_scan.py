"""Benchmark: one SLA scan tick over 200k open complaints of which 1 % are due, in PostgreSQL.

    createdb -h 127.0.0.1 -U postgres loopdesk_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopdesk_bench \\
        .venv/bin/python bench/sla_scan.py --complaints 200000

Builds a tenant of its own (``sla-bench``: the demo tenant's department tree, a manager in each
region and branch, two agents per branch) so the complaint-queue benchmark's data stays as it
is, and bulk-loads open complaints (rows written directly, not through the workflow) until it
has ``--complaints``, each with its SLA clocks and its next check (``SlaCheck``) set. The
scan crosses tenants, so every other complaint in the database with a pending check counts
too; the demo tenant's bench complaints have none.

Every run first resets the due share (every 100th complaint) to one event each: the
acknowledgement clock breached 30 s ago and nothing else due, so each due complaint raises one
alert and tells its assignee and its department's manager, in-app and by email. The other 99 %
have their next check between an hour and three weeks ahead (checks that an old load has let
pass are moved on). Then it times one ``sla_scan()`` (which includes queueing the outbox sweep;
the broker is in memory here) and deletes what the run created. Prints each run, the median and
the number of SQL queries; ``--profile`` prints where the time of one more run goes.
"""

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The scan queues the outbox sweep after commit: keep that message in this process.
os.environ.setdefault("CELERY_BROKER_URL", "memory://localhost/")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from complaints.lifecycle import OPEN_STATES, State  # noqa: E402
from complaints.models import Complaint, ComplaintSettings, SlaAlert, SlaCheck  # noqa: E402
from complaints.sla_scan import sla_scan  # noqa: E402
from customers.models import Customer  # noqa: E402
from demo.tenant import DEPARTMENTS  # noqa: E402
from notifications.models import Delivery, Notification  # noqa: E402
from tenants.models import Brand, Membership, Role, Tenant  # noqa: E402
from tenants.services import department_ensure, membership_grant  # noqa: E402

BATCH = 5000
SLUG = "sla-bench"
DUE_EVERY = 100  # 1 %
REGIONS = [code for code, _name, parent in DEPARTMENTS if parent == "head-office"]
BRANCHES = [code for code, _name, parent in DEPARTMENTS if parent in REGIONS]


def bench_tenant() -> Tenant:
    """The benchmark's tenant, its brand, departments and people; safe to run again."""
    tenant, _ = Tenant.objects.update_or_create(
        slug=SLUG,
        defaults={
            "name": "SLA bench",
            "country": "GR",
            "time_zone": "Europe/Athens",
            "default_language": "el",
        },
    )
    Brand.objects.update_or_create(
        tenant=tenant,
        slug=SLUG,
        defaults={
            "name": "SLA bench",
            "reference_prefix": "SLB",
            "sender_name": "SLA bench",
            "sender_email": "care@sla-bench.example",
        },
    )
    ComplaintSettings.objects.get_or_create(tenant=tenant)
    departments = {}
    for code, name, parent_code in DEPARTMENTS:
        departments[code] = department_ensure(
            tenant=tenant, actor=None, code=code, name=name, parent=departments.get(parent_code)
        )
    people = [("admin", Role.ADMIN, "head-office")]
    people += [(f"manager-{code}", Role.MANAGER, code) for code in REGIONS + BRANCHES]
    people += [(f"agent-{code}-{n}", Role.AGENT, code) for code in BRANCHES for n in (1, 2)]
    User = get_user_model()
    for name, role, department_code in people:
        email = f"{name}@sla-bench.example"
        user, _ = User.objects.get_or_create(username=email, defaults={"email": email})
        membership_grant(
            tenant=tenant,
            actor=None,
            user=user,
            role=role,
            department=departments[department_code],
        )
    return tenant


def load(tenant: Tenant, target: int) -> None:
    """Open complaints (not waiting on the customer) until the tenant has ``target``."""
    have = Complaint.objects.for_tenant(tenant).count()
    if have >= target:
        return
    rng = random.Random(have)
    brand = Brand.objects.for_tenant(tenant).get()
    agents = list(Membership.objects.for_tenant(tenant).filter(role=Role.AGENT))
    states = [state for state in OPEN_STATES if state != State.WAITING_ON_CUSTOMER]
    start = Customer.objects.for_tenant(tenant).count()
    Customer.objects.bulk_create(
        [
            Customer(
                tenant=tenant,
                name=f"SLA bench customer {n}",
                email=f"sla-bench{n}@example.com",
                email_key=f"sla-bench{n}@example.com",
            )
            for n in range(start, start + max(1, (target - have) // 4))
        ],
        batch_size=BATCH,
    )
    customers = list(Customer.objects.for_tenant(tenant).values_list("pk", flat=True))
    now = timezone.now()
    started = time.perf_counter()
    for offset in range(have, target, BATCH):
        rows = []
        for n in range(offset, min(offset + BATCH, target)):
            agent = rng.choice(agents)
            received = now - timedelta(minutes=rng.randint(0, 60 * 24 * 20))
            complaint = Complaint(
                tenant=tenant,
                reference=f"SLB-{n:09d}",
                brand=brand,
                customer_id=rng.choice(customers),
                channel="web_form",
                subject=f"SLA bench complaint {n}",
                description="Generated for the SLA scan benchmark.",
                department_id=agent.department_id,
                assignee=agent,
                assigned_at=received,
                received_at=received,
                acknowledge_due_at=received + timedelta(days=1),
                first_response_due_at=received + timedelta(days=5),
                resolve_due_at=received + timedelta(days=30),
            )
            # The due share has not been acknowledged; the rest are anywhere open.
            state = State.RECEIVED if n % DUE_EVERY == 0 else rng.choice(states)
            complaint.__dict__["state"] = state  # bulk load only
            rows.append(complaint)
        Complaint.objects.bulk_create(rows, batch_size=BATCH)
        SlaCheck.objects.bulk_create(
            [
                SlaCheck(
                    tenant=tenant,
                    complaint=complaint,
                    next_check_at=now + timedelta(minutes=rng.randint(1, 60 * 24 * 21)),
                )
                for complaint in rows
            ],
            batch_size=BATCH,
        )
        print(f"  loaded {offset + len(rows):,} complaints", end="\r", flush=True)
    print(f"  loaded {target - have:,} complaints in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE complaints_complaint")
        cursor.execute("VACUUM ANALYZE complaints_slacheck")


def clean(tenant: Tenant) -> None:
    """Remove the alerts, notifications and emails that runs raised."""
    for model in (SlaAlert, Notification, Delivery):
        model.objects.for_tenant(tenant).delete()


def reset(tenant: Tenant, now) -> int:
    """Clean up, make the acknowledgement of every 100th complaint just breached and keep the
    others' next check ahead (a load or an earlier run may be days old)."""
    clean(tenant)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {SlaCheck._meta.db_table}"
            " SET next_check_at = %s + (complaint_id %% 30240) * interval '1 minute'"
            " WHERE tenant_id = %s AND next_check_at < %s",
            [now + timedelta(hours=1), tenant.pk, now + timedelta(minutes=10)],
        )
    # References are numbered from 0, so every 100th ends in 00.
    due = Complaint.objects.for_tenant(tenant).filter(reference__endswith="00")
    SlaCheck.objects.for_tenant(tenant).filter(complaint__in=due).update(
        next_check_at=now - timedelta(seconds=30)
    )
    return due.update(
        received_at=now - timedelta(days=2),
        acknowledged_at=None,
        acknowledge_warn_at=None,
        acknowledge_due_at=now - timedelta(seconds=30),
        first_responded_at=None,
        first_response_warn_at=now + timedelta(days=2),
        first_response_due_at=now + timedelta(days=3),
        resolved_at=None,
        resolve_warn_at=now + timedelta(days=15),
        resolve_due_at=now + timedelta(days=20),
        sla_paused_at=None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="profile one more run")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL: set DATABASE_URL=postgres://...")

    call_command("migrate", verbosity=0)
    tenant = bench_tenant()
    load(tenant, options.complaints)
    open_checks = SlaCheck.objects.unscoped().filter(
        complaint__state__in=OPEN_STATES, next_check_at__isnull=False
    )

    def tick() -> tuple[float, int, int]:
        now = timezone.now()
        due = reset(tenant, now)
        assert open_checks.filter(next_check_at__lte=now).count() == due
        started = time.perf_counter()
        created = sla_scan(now=now)
        elapsed = (time.perf_counter() - started) * 1000
        return elapsed, due, created

    print(f"\n{open_checks.count():,} open complaints with an SLA check pending in PostgreSQL")
    now = timezone.now()
    due = reset(tenant, now)
    with CaptureQueriesContext(connection) as captured:
        sla_scan(now=now)  # warms caches; counts the queries
    queries = len(captured.captured_queries)
    print(f"{due:,} due per tick; {queries} SQL queries per tick\n")
    print(f"{'run':>4} {'tick ms':>9} {'alerts':>7} {'notifications':>14} {'emails':>7}")
    timings = []
    for run in range(1, options.runs + 1):
        elapsed, due, created = tick()
        timings.append(elapsed)
        notifications = Notification.objects.for_tenant(tenant).count()
        emails = Delivery.objects.for_tenant(tenant).count()
        print(f"{run:4d} {elapsed:9.1f} {created:7,d} {notifications:14,d} {emails:7,d}")
    median = statistics.median(timings)
    verdict = "met" if median < 1000 else "NOT met"
    print(f"\nmedian: {median:.0f} ms for one tick over {due:,} due complaints")
    print(f"target: under 1000 ms: {verdict}")

    if options.profile:
        profile = cProfile.Profile()
        now = timezone.now()
        reset(tenant, now)
        profile.runcall(sla_scan, now=now)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    clean(tenant)


if __name__ == "__main__":
    main()
