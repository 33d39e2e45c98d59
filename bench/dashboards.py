"""Benchmark: the dashboards with a million service events and half a million complaints.

    createdb -h 127.0.0.1 -U postgres loopdesk_dashboards_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopdesk_dashboards_bench \\
        .venv/bin/python bench/dashboards.py --interactions 1000000 --complaints 500000

Builds the demo tenant with its surveys, then loads rows directly with PostgreSQL's COPY (this
measures reads; a run adds only what the tenant lacks): ``--interactions`` service events over
the last two years, 70 % of them invited, 30 % of those answered (one answer to the survey's
primary question each, NPS or CSAT by brand, a comment on every fifth), and ``--complaints``
complaints (``bench/complaint_queue.py``'s loader). Then ANALYZE, and every dashboard page (the
URL names starting ``dashboard-``, found from the resolver, so a new page is measured the day it
is added) is requested through Django's test client with each filter a manager would use,
as the demo admin and as a regional manager: the server time (median and 95th percentile of
``--runs`` requests) and the SQL queries per page. The README's "Performance" section quotes
the result; the goal is 150 ms, the bar 300 ms.
"""

import argparse
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django

django.setup()

from complaint_queue import load as load_complaints  # noqa: E402  (bench/, beside this script)
from complaint_queue import measure  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import get_resolver  # noqa: E402
from django.utils import timezone  # noqa: E402

from complaints.models import Complaint  # noqa: E402
from customers.models import Customer  # noqa: E402
from demo.complaints import _ensure_structure  # noqa: E402
from demo.surveys import _ensure_surveys  # noqa: E402
from demo.tenant import demo_actor, seed_demo_tenant  # noqa: E402
from surveys.models import Answer, Interaction, Invitation, Question, Response  # noqa: E402
from surveys.rollups.services import answer_days_rebuild  # noqa: E402
from surveys.scoring import QuestionKind  # noqa: E402
from tenants import rls  # noqa: E402
from tenants.models import Brand, Department, Membership, Role, Touchpoint  # noqa: E402

CUSTOMERS_PER_INTERACTION = 0.2
INVITED, ANSWERED, COMMENTED = 0.7, 0.3, 0.2
REFERENCE = "bench-dash-"


# --- loading ----------------------------------------------------------------------------------


def _next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')
        return cursor.fetchone()[0]


def copy(model: type[models.Model], rows: Iterable[dict]) -> int:
    """COPY ``rows`` (each ``{attname: value}`` with its ``id``) into the model's table; a field
    a row leaves out takes the model's default. Moves the id sequence past them."""
    fields = list(model._meta.concrete_fields)
    table = model._meta.db_table
    columns = ", ".join(f'"{field.column}"' for field in fields)
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as stream:
            for row in rows:
                stream.write_row(
                    [
                        field.get_db_prep_save(
                            row[field.attname] if field.attname in row else field.get_default(),
                            connection,
                        )
                        for field in fields
                    ]
                )
                count += 1
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'(SELECT MAX(id) FROM "{table}"))'
        )
    return count


def load_surveys(tenant, target: int) -> None:
    """Interactions (with their customers), invitations, responses and answers up to
    ``target`` interactions of the bench's own."""
    have = (
        Interaction.objects.for_tenant(tenant)
        .filter(external_reference__startswith=REFERENCE)
        .count()
    )
    if have >= target:
        return
    started = time.perf_counter()
    rng = random.Random(have)
    now = timezone.now()
    brands = list(Brand.objects.for_tenant(tenant))
    touchpoints = list(Touchpoint.objects.for_tenant(tenant))
    performers = list(
        Membership.objects.for_tenant(tenant)
        .filter(role__in=[Role.AGENT, Role.PERFORMER])
        .values_list("pk", flat=True)
    )
    primary = {
        question.kind: question
        for question in Question.objects.for_tenant(tenant)
        .filter(is_primary=True, version__published_at__isnull=False)
        .order_by("version__published_at")
    }  # the primary question of the published NPS-first and CSAT-first versions
    versions = {kind: question.version for kind, question in primary.items()}
    primary = {kind: question.pk for kind, question in primary.items()}
    new = target - have
    first_customer = _next_id(Customer)
    customers = max(1, int(new * CUSTOMERS_PER_INTERACTION))
    copy(
        Customer,
        (
            {
                "id": first_customer + n,
                "tenant_id": tenant.pk,
                "name": f"Bench customer {first_customer + n}",
                "email": f"dash{first_customer + n}@example.com",
                "email_key": f"dash{first_customer + n}@example.com",
                "created_at": now,
            }
            for n in range(customers)
        ),
    )
    ids = {model: _next_id(model) for model in (Interaction, Invitation, Response, Answer)}
    events = list(_events(rng, new, have, now, brands, touchpoints, performers, customers))
    copy(
        Interaction,
        (
            {
                "id": ids[Interaction] + n,
                "tenant_id": tenant.pk,
                "brand_id": event["brand"].pk,
                "touchpoint_id": event["touchpoint"],
                "customer_id": first_customer + event["customer"],
                "performer_id": event["performer"],
                "occurred_at": event["at"],
                "source": Interaction.Source.API,
                "external_reference": f"{REFERENCE}{event['number']}",
                "decision": (
                    Interaction.Decision.INVITED
                    if event["invited"]
                    else Interaction.Decision.NOT_SAMPLED
                ),
                "created_at": event["at"],
            }
            for n, event in enumerate(events)
        ),
    )
    invited = [(n, event) for n, event in enumerate(events) if event["invited"]]
    copy(
        Invitation,
        (
            {
                "id": ids[Invitation] + i,
                "tenant_id": tenant.pk,
                "interaction_id": ids[Interaction] + n,
                "purpose": Invitation.Purpose.FIRST,
                "version_id": versions[_kind(event["brand"])].pk,
                "customer_id": first_customer + event["customer"],
                "status": (
                    Invitation.Status.ANSWERED if event["answered"] else Invitation.Status.SENT
                ),
                "send_at": event["at"],
                "sent_at": event["at"],
                "accepted_at": event["at"],
                "expires_at": event["at"] + timedelta(days=14),
                "answered_at": event["at"] + timedelta(hours=5) if event["answered"] else None,
            }
            for i, (n, event) in enumerate(invited)
        ),
    )
    answered = [(i, n, event) for i, (n, event) in enumerate(invited) if event["answered"]]
    copy(
        Response,
        (
            {
                "id": ids[Response] + r,
                "tenant_id": tenant.pk,
                "invitation_id": ids[Invitation] + i,
                "version_id": versions[_kind(event["brand"])].pk,
                "interaction_id": ids[Interaction] + n,
                "primary_kind": _kind(event["brand"]),
                "primary_score": event["score"],
                "comment": f"Bench comment {event['number']}" if event["commented"] else "",
                "is_critic": event["is_critic"],
                "submitted_at": event["at"] + timedelta(hours=5),
            }
            for r, (i, n, event) in enumerate(answered)
        ),
    )
    copy(
        Answer,
        (
            {
                "id": ids[Answer] + r,
                "tenant_id": tenant.pk,
                "response_id": ids[Response] + r,
                "question_id": primary[_kind(event["brand"])],
                "score": event["score"],
            }
            for r, (_i, _n, event) in enumerate(answered)
        ),
    )
    print(f"  loaded {new:,} interactions in {time.perf_counter() - started:.0f} s")


def _kind(brand: Brand) -> str:
    """The demo asks roadside customers CSAT first, everyone else NPS."""
    return QuestionKind.CSAT if "road" in brand.slug else QuestionKind.NPS


def _events(rng, count, first, now, brands, touchpoints, performers, customers) -> Iterator[dict]:
    for number in range(first, first + count):
        brand = rng.choice(brands)
        kind = _kind(brand)
        score = rng.choice(range(1, 6) if kind == QuestionKind.CSAT else range(0, 11))
        invited = rng.random() < INVITED
        yield {
            "number": number,
            "brand": brand,
            "touchpoint": rng.choice(touchpoints).pk,
            "performer": rng.choice(performers),
            "customer": rng.randrange(customers),
            "at": now - timedelta(minutes=rng.randint(60, 60 * 24 * 730)),
            "invited": invited,
            "answered": invited and rng.random() < ANSWERED,
            "commented": rng.random() < COMMENTED,
            "score": score,
            "is_critic": score <= (2 if kind == QuestionKind.CSAT else 6),
        }


# --- measuring --------------------------------------------------------------------------------


def dashboard_pages(tenant_slug: str) -> list[tuple[str, str]]:
    """Every dashboard page's name and address, from the resolver."""
    return sorted(
        (name, f"/{tenant_slug}/dashboards/{route}")
        for name, route in _named_routes(get_resolver())
        # Downloads and the pages of one stored report (an id in the address) aside.
        if name.startswith("dashboard-") and "-export-" not in name and "<" not in route
    )


def _named_routes(resolver, prefix: str = "") -> Iterator[tuple[str, str]]:
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            yield from _named_routes(pattern, prefix + route)
        elif pattern.name:
            yield pattern.name, (prefix + route).split("dashboards/", 1)[-1]


def filters(tenant) -> list[tuple[str, str]]:
    """The filters a manager uses: none (the last 90 days), a brand, a touchpoint, a region, a
    brand over the last 30 days, the whole last year."""
    today = timezone.localdate()
    brand = Brand.objects.for_tenant(tenant).order_by("pk").first()
    touchpoint = Touchpoint.objects.for_tenant(tenant).order_by("pk").first()
    region = Department.objects.for_tenant(tenant).filter(parent__isnull=False).order_by("path")
    return [
        ("90 days", ""),
        ("a brand", f"brand={brand.pk}"),
        ("a touchpoint", f"touchpoint={touchpoint.pk}"),
        ("a region", f"department={region.first().pk}"),
        ("a brand, 30 days", f"brand={brand.pk}&start={today - timedelta(days=29)}"),
        ("a year", f"start={today - timedelta(days=364)}&end={today}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--complaints", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pages", nargs="*", help="only these URL names (default: every page)")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL: set DATABASE_URL=postgres://...")

    call_command("migrate", verbosity=0)
    demo = seed_demo_tenant()
    tenant = demo.tenant
    _ensure_structure(tenant)
    _ensure_surveys(tenant, demo_actor(tenant))
    load_surveys(tenant, options.interactions)
    load_complaints(tenant, options.complaints)  # runs ANALYZE
    started = time.perf_counter()
    with rls.tenant(tenant):
        days = answer_days_rebuild(tenant=tenant)
    print(f"  daily rollup: {days} days recomputed in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE surveys_answerday")
    answers = Answer.objects.for_tenant(tenant).count()
    complaints = Complaint.objects.for_tenant(tenant).count()

    members = Membership.objects.for_tenant(tenant).select_related("user")
    readers = [
        ("admin", members.get(role=Role.ADMIN)),
        ("manager", members.filter(role=Role.MANAGER).order_by("pk").first()),
    ]
    print(f"\n{answers:,} answers and {complaints:,} complaints; {options.runs} requests each\n")
    print(f"{'page':24} {'filter':18} {'as':8} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, url in dashboard_pages(tenant.slug):
        if options.pages and name not in options.pages:
            continue
        for label, query in filters(tenant):
            for role, member in readers:
                client = Client()
                client.force_login(member.user)
                try:
                    median, p95, queries = measure(client, f"{url}?{query}", options.runs)
                except AssertionError as error:  # a page that does not answer 200: say so
                    print(f"{name:24} {label:18} {role:8} {'failed: ' + str(error.args[0][1]):>28}")
                    continue
                print(f"{name:24} {label:18} {role:8} {median:10.1f} {p95:8.1f} {queries:8d}")


if __name__ == "__main__":
    main()
