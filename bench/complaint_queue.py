"""Benchmark: the agents' complaint queue and case page with many complaints in PostgreSQL.

    createdb -h 127.0.0.1 -U postgres loopdesk_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopdesk_bench \\
        .venv/bin/python bench/complaint_queue.py --complaints 200000

Builds the demo tenant, bulk-loads complaints until the tenant has ``--complaints`` (rows are
written directly, not through the workflow: this measures reads), runs ANALYZE, then requests
each page through Django's test client as a real member and prints the server time (median and
95th percentile of ``--runs`` requests) and the number of SQL queries per page.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from complaints.lifecycle import State  # noqa: E402
from complaints.models import Category, Complaint  # noqa: E402
from customers.models import Customer  # noqa: E402
from demo.complaints import _ensure_structure  # noqa: E402
from demo.tenant import seed_demo_tenant  # noqa: E402
from tenants.models import Brand, Membership, Role, Touchpoint  # noqa: E402

BATCH = 5000


def load(tenant, target: int) -> None:
    have = Complaint.objects.for_tenant(tenant).count()
    if have >= target:
        return
    rng = random.Random(have)
    brands = list(Brand.objects.for_tenant(tenant))
    touchpoints = list(Touchpoint.objects.for_tenant(tenant))
    categories = list(Category.objects.for_tenant(tenant))
    agents = list(
        Membership.objects.for_tenant(tenant).filter(role=Role.AGENT).select_related("department")
    )
    states = list(State.values)
    weights = [3 if state == State.CLOSED else 1 for state in states]
    customers_needed = max(1, (target - have) // 4)
    start = Customer.objects.for_tenant(tenant).count()
    Customer.objects.bulk_create(
        [
            Customer(
                tenant=tenant,
                name=f"Bench customer {n}",
                email=f"bench{n}@example.com",
                email_key=f"bench{n}@example.com",
            )
            for n in range(start, start + customers_needed)
        ],
        batch_size=BATCH,
    )
    customers = list(Customer.objects.for_tenant(tenant).values_list("pk", flat=True))
    now = timezone.now()
    started = time.perf_counter()
    for offset in range(have, target, BATCH):
        rows = []
        for n in range(offset, min(offset + BATCH, target)):
            brand = rng.choice(brands)
            agent = rng.choice(agents)
            received = now - timedelta(minutes=rng.randint(0, 60 * 24 * 730))
            complaint = Complaint(
                tenant=tenant,
                reference=f"BEN-{n:09d}",
                brand=brand,
                touchpoint=rng.choice(touchpoints),
                category=rng.choice(categories),
                customer_id=rng.choice(customers),
                channel="web_form",
                subject=f"Bench complaint {n}",
                description="Generated for the queue benchmark.",
                severity=rng.choice(["low", "medium", "high", "critical"]),
                priority=rng.randint(1, 4),
                department=agent.department,
                assignee=agent if rng.random() < 0.9 else None,
                received_at=received,
                acknowledge_due_at=received + timedelta(days=1),
                resolve_due_at=received + timedelta(days=15),
            )
            complaint.__dict__["state"] = rng.choices(states, weights)[0]  # bulk load only
            rows.append(complaint)
        Complaint.objects.bulk_create(rows, batch_size=BATCH)
        print(f"  loaded {offset + len(rows):,} complaints", end="\r", flush=True)
    print(f"  loaded {target - have:,} complaints in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    client.get(url)  # warm caches
    timings = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured.captured_queries)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL: set DATABASE_URL=postgres://...")

    call_command("migrate", verbosity=0)
    demo = seed_demo_tenant()
    _ensure_structure(demo.tenant)
    load(demo.tenant, options.complaints)
    total = Complaint.objects.for_tenant(demo.tenant).count()

    members = Membership.objects.for_tenant(demo.tenant).select_related("user", "department")
    admin = members.get(role=Role.ADMIN)
    manager = members.filter(role=Role.MANAGER).order_by("pk").first()
    agent = members.filter(role=Role.AGENT).order_by("pk").first()
    some = Complaint.objects.for_tenant(demo.tenant).order_by("-received_at").first()
    base = f"/{demo.tenant.slug}/complaints/"
    pages = [
        ("queue: admin, all", admin, f"{base}?queue=all"),
        ("queue: admin, my department (open)", admin, f"{base}?queue=department"),
        ("queue: regional manager, open", manager, f"{base}?queue=department"),
        ("queue: agent, mine", agent, f"{base}?queue=mine"),
        ("queue: admin, overdue", admin, f"{base}?queue=overdue"),
        ("queue: admin, by priority", admin, f"{base}?queue=department&sort=priority"),
        ("queue: admin, page 40", admin, f"{base}?queue=all&page=40"),
        ("queue: admin, reference search", admin, f"{base}?queue=all&q={some.reference}"),
        ("queue: admin, word search", admin, f"{base}?queue=all&q=complaint+12345"),
        ("queue: admin, customer name search", admin, f"{base}?queue=all&q=customer+4242"),
        ("case page", admin, f"{base}{some.reference}/"),
    ]
    print(f"\n{total:,} complaints in PostgreSQL; {options.runs} requests per page\n")
    print(f"{'page':40} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for label, member, url in pages:
        client = Client()
        client.force_login(member.user)
        median, p95, queries = measure(client, url, options.runs)
        print(f"{label:40} {median:10.1f} {p95:8.1f} {queries:8d}")


if __name__ == "__main__":
    main()
