"""Demo complaints: a few hundred cases in every state, spread over the last year.

What each case is about, when it came in and how far it has got is planned first
(``demo.complaints_story``: the story the Complaints dashboard tells). Each case is then filed
and moved through the real workflow functions, and its timestamps are spread out so the history
reads like a year of work (not like one second of seeding). The corrective actions come last
(``demo.complaints_actions``).
"""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from complaints import workflow
from complaints.lifecycle import OPEN_STATES, State
from complaints.models import (
    Attachment,
    Category,
    Complaint,
    ComplaintSettings,
    Message,
    RootCause,
    RoutingRule,
    Severity,
    Transition,
)
from complaints.services import Intake, category_create, complaint_file, handlers_of
from customers.models import Customer, Segment
from demo.complaints_actions import seed_demo_actions
from demo.complaints_story import (
    NAMES,
    REPEATERS,
    STORIES,
    Case,
    pace,
    plan_cases,
    step_hours,
)
from demo.surveys.story import IMPROVING
from demo.tenant import demo_actor
from notifications.models import Delivery
from tenants.models import Brand, Department, Membership, Tenant, Touchpoint

CATEGORIES = [
    # code, name, parent code
    ("claims", "Claims", None),
    ("claims-motor", "Motor claims", "claims"),
    ("claims-property", "Property claims", "claims"),
    ("policy", "Policy and premiums", None),
    ("billing", "Billing and refunds", "policy"),
    ("service", "Customer service", None),
    ("road-assistance", "Road assistance delays", "service"),
]

ROOT_CAUSES = [
    ("slow-handling", "Slow claim handling"),
    ("wrong-information", "Wrong or missing information given"),
    ("billing-error", "Billing error"),
    ("staff-conduct", "Staff conduct"),
    ("partner-delay", "Partner garage or tow-truck delay"),
    ("policy-terms", "Policy terms not explained"),
    ("system-outage", "System outage"),
]


def _ensure_structure(tenant: Tenant) -> None:
    ComplaintSettings.objects.get_or_create(
        tenant=tenant, defaults={"external_body": "The Hellenic Financial Ombudsman"}
    )
    categories: dict[str, Category] = {}
    for code, name, parent_code in CATEGORIES:
        parent = categories.get(parent_code)
        category = Category.objects.for_tenant(tenant).filter(code=code).first()
        if category is None:
            category = category_create(
                tenant=tenant, actor=None, code=code, name=name, parent=parent
            )
        categories[code] = category
    for code, name in ROOT_CAUSES:
        RootCause.objects.get_or_create(tenant=tenant, code=code, defaults={"name": name})
    departments = {d.code: d for d in Department.objects.for_tenant(tenant)}
    rules = [
        ("Road assistance to the north", 10, "road-assistance", "north"),
        ("Motor claims to Athens Centre", 20, "claims-motor", "athens-centre"),
        ("Property claims to Piraeus", 30, "claims-property", "piraeus"),
        ("Billing to Thessaloniki", 40, "billing", "thessaloniki"),
        ("Service to Larissa", 50, "service", "larissa"),
    ]
    for name, order, category_code, department_code in rules:
        RoutingRule.objects.get_or_create(
            tenant=tenant,
            name=name,
            defaults={
                "order": order,
                "category": categories[category_code],
                "department": departments[department_code],
            },
        )


def seed_demo_complaints(tenant: Tenant, *, count: int = 300, seed: int = 10002) -> int:
    """Add demo complaints until the tenant has ``count`` (the last of the year's ``count``
    planned, oldest first), then the corrective actions; returns how many were added."""
    _ensure_structure(tenant)
    existing = Complaint.objects.for_tenant(tenant).count()
    if existing >= count:
        return 0
    rng = random.Random(seed)
    cases = plan_cases(rng, count)
    seeding = _Seeding(tenant, rng, demo_actor(tenant), timezone.now())
    for number in range(existing, count):
        with transaction.atomic():
            seeding.file(number, cases[number])
            _settle_deliveries(tenant, seeding.now)
    with transaction.atomic():
        seed_demo_actions(tenant, rng=rng, now=seeding.now)
        _settle_deliveries(tenant, seeding.now)
    return count - existing


def _settle_deliveries(tenant: Tenant, now) -> None:
    # The demo history happened long ago: its messages count as delivered, not news.
    Delivery.objects.for_tenant(tenant).filter(status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENT, sent_at=now
    )


class _Seeding:
    """What filing the planned cases needs, read once: the tenant's brands, touchpoints,
    categories, root causes and departments by code, and each department's handlers."""

    def __init__(self, tenant: Tenant, rng: random.Random, admin: Membership, now):
        self.tenant, self.rng, self.admin, self.now = tenant, rng, admin, now
        self.brands = {b.slug: b for b in Brand.objects.for_tenant(tenant)}
        self.touchpoints = {t.code: t for t in Touchpoint.objects.for_tenant(tenant)}
        self.categories = {c.code: c for c in Category.objects.for_tenant(tenant)}
        self.causes = {c.code: c for c in RootCause.objects.for_tenant(tenant)}
        self.departments = dict(Department.objects.for_tenant(tenant).values_list("pk", "code"))
        self.handlers: dict[int, list[Membership]] = {}
        self.names = {
            pk: email.split("@")[0]
            for pk, email in Membership.objects.for_tenant(tenant).values_list("pk", "user__email")
        }

    def handler(self, department: Department) -> Membership | None:
        """Any of the department's agents, as routing would pick among them (not in turn)."""
        if department.pk not in self.handlers:
            self.handlers[department.pk] = list(handlers_of(department).order_by("pk"))
        found = self.handlers[department.pk]
        return self.rng.choice(found) if found else None

    def file(self, number: int, case: Case) -> None:
        rng = self.rng
        stories = [story for story in STORIES if story[3] == case.category] or STORIES
        subject, description, remedy, _category, language = rng.choice(stories)
        if case.repeater is not None:
            name, name_language = REPEATERS[case.repeater][:2]
            email = f"repeat{case.repeater + 1}.{_slug(name)}@example.com"
            phone = f"+30 697 000 {case.repeater + 1:04d}"
        else:
            name, name_language = NAMES[number % len(NAMES)]
            email = f"{_slug(name)}.{number}@example.com"
            phone = f"+30 69{number % 100:02d} {100000 + number}"
        received_at = case.received_at(self.now)
        brand = self.brands.get(case.brand) or next(iter(self.brands.values()))
        complaint = complaint_file(
            intake=Intake(
                brand=brand,
                channel=case.channel,
                name=name,
                email=email,
                phone=phone,
                language=name_language if rng.random() < 0.8 else language,
                subject=subject,
                description=description,
                remedy_requested=remedy,
                touchpoint=self.touchpoints.get(case.touchpoint),
                category=self.categories[case.category],
                severity=rng.choices(Severity.values, weights=[3, 5, 2, 1])[0],
                received_at=received_at,
            ),
            actor=None,
        )
        if number % 23 == 0:
            Customer.objects.for_tenant(self.tenant).filter(pk=complaint.customer_id).update(
                segment=rng.choice([Segment.VIP, Segment.WATCHLIST])
            )
        cause = self.causes.get(case.cause)
        complaint = _walk(complaint, case.target, self.admin, rng, cause=cause, seeding=self)
        handler_pace = pace(self.departments.get(complaint.department_id), brand.slug)
        handler = self.names.get(complaint.assignee_id, "")
        handler_pace *= _pace(handler, received_at, self.now)
        _spread_history(complaint, received_at, rng, self.now, pace=handler_pace)


def _slug(name: str) -> str:
    ascii_name = "".join(ch for ch in name.lower() if ch.isascii() and ch.isalnum())
    return ascii_name or "customer"


def _walk(
    complaint: Complaint, target: str, admin: Membership, rng, *, cause, seeding
) -> Complaint:
    """Move a demo case to ``target`` through the workflow functions; ``cause`` is the root
    cause it is resolved with."""
    if target == State.RECEIVED:
        return complaint
    if target == State.REJECTED:
        return workflow.complaint_reject(
            complaint=complaint, actor=admin, reason="This concerns another insurer's policy."
        )
    if target == State.WITHDRAWN:
        return workflow.complaint_withdraw(
            complaint=complaint, actor=None, reason="Sorted out with my agent, thank you."
        )
    if target == State.MERGED:
        # A duplicate of a case still open (the latest received before it); without one, the
        # customer withdraws it instead.
        other = (
            Complaint.objects.for_tenant(complaint.tenant_id)
            .filter(state__in=OPEN_STATES, received_at__lt=complaint.received_at)
            .exclude(pk=complaint.pk)
            .order_by("-received_at", "-pk")
            .first()
        )
        if other is not None:
            return workflow.complaint_merge(complaint=complaint, actor=admin, into=other)
        return workflow.complaint_withdraw(
            complaint=complaint, actor=None, reason="I sent this twice, sorry."
        )
    complaint = workflow.complaint_acknowledge(complaint=complaint, actor=admin)
    if target == State.ACKNOWLEDGED:
        return complaint
    complaint = workflow.complaint_assess(
        complaint=complaint,
        actor=admin,
        severity=complaint.severity,
        impact=rng.choice(["low", "medium", "high"]),
        complexity=rng.choice(["low", "medium", "high"]),
        is_in_scope=True,
    )
    if target == State.ASSESSED:
        return complaint
    department = complaint.department
    assignee = complaint.assignee or seeding.handler(department)
    complaint = workflow.complaint_assign(
        complaint=complaint, actor=admin, department=department, assignee=assignee
    )
    if target == State.ASSIGNED or assignee is None:
        return complaint
    complaint = workflow.complaint_start_investigation(complaint=complaint, actor=admin)
    if target == State.INVESTIGATING:
        return complaint
    if target == State.WAITING_ON_CUSTOMER or rng.random() < 0.12:
        complaint = workflow.complaint_request_information(
            complaint=complaint, actor=admin, question="Please send the repair invoice and photos."
        )
        if target == State.WAITING_ON_CUSTOMER:
            return complaint
        complaint = workflow.complaint_receive_information(
            complaint=complaint,
            actor=None,
            body="Attached: the invoice from the garage.",
            files=[garage_invoice(complaint)],  # the text says so: the file is there
        )
    complaint = workflow.complaint_resolve(
        complaint=complaint,
        actor=admin,
        root_cause=cause,
        resolution="We have reviewed your case, corrected the error and paid what was due.",
        note="Checked the file with the claims handler.",
    )
    if target == State.RESOLVED:
        return complaint
    complaint = workflow.complaint_send_response(complaint=complaint, actor=admin)
    if target == State.RESPONSE_SENT:
        return complaint
    if target == State.UNDER_REVIEW:
        return workflow.complaint_request_review(
            complaint=complaint, actor=None, reason="The amount does not cover the repair."
        )
    if rng.random() < 0.7:
        complaint = workflow.complaint_accept_decision(complaint=complaint, actor=None)
    else:
        complaint = workflow.complaint_close(complaint=complaint, actor=admin)
    if target == State.REOPENED:
        complaint = workflow.complaint_reopen(
            complaint=complaint, actor=admin, reason="The customer sent new evidence."
        )
    return complaint


def garage_invoice(complaint: Complaint) -> SimpleUploadedFile:
    """The small PDF a demo complainant attaches when asked for the invoice."""
    text = f"Garage invoice for {complaint.reference}: 412.50 EUR"
    content = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> "
        b">> endobj\n"
        + f"4 0 obj << >> stream\nBT /F1 14 Tf 60 780 Td ({text}) Tj ET\n".encode()
        + b"endstream endobj\n"
        + b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return SimpleUploadedFile("garage-invoice.pdf", content, content_type="application/pdf")


# A person works on a case between these local hours; the customer may answer at any hour.
WORKDAY = (9, 18)


def _in_working_hours(moment, zone, rng):
    """``moment`` if it falls in a working day's hours (Monday to Friday), else the next
    working morning, a few minutes after opening."""
    local = moment.astimezone(zone)
    if local.weekday() < 5 and WORKDAY[0] <= local.hour < WORKDAY[1]:
        return moment
    day = local.date() if local.hour < WORKDAY[0] else local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    opening = datetime.combine(day, time(WORKDAY[0]), tzinfo=zone)
    return opening + timedelta(minutes=rng.randint(5, 150))


def _pace(handler: str, received_at, now) -> float:
    """How long its handler (the demo user's email before the @) takes between steps, against
    the usual: the demo's improving performer (``story.IMPROVING``) took twice as long a year
    ago and a third as long now."""
    if handler not in IMPROVING:
        return 1.0
    recent = 1 - min((now - received_at) / timedelta(days=365), 1)
    return 2 - 1.67 * recent


def _spread_history(complaint: Complaint, received_at, rng, now, *, pace: float = 1.0) -> None:
    """Give the steps believable times: minutes to days apart as the kind of step takes
    (``complaints_story.STEP_HOURS``; a handler's steps ``pace`` times the usual), starting at
    receipt, each in working hours, all of them before now (squeezed into the time there was,
    never piled up on one minute); the notes, the files and the dates on the case follow their
    steps."""
    zone = ZoneInfo(complaint.tenant.time_zone)
    transitions = Transition.objects.for_tenant(complaint.tenant_id).filter(complaint=complaint)
    steps = list(transitions.order_by("created_at", "id"))
    gaps = [
        step_hours(step.name, rng) * (pace if step.actor_id is not None else 1.0) for step in steps
    ]
    room = (now - received_at).total_seconds() / 3600 * 0.9
    scale = min(1.0, room / sum(gaps)) if gaps else 1.0
    moment, stamps, moved = received_at, {}, []
    for number, (step, gap) in enumerate(zip(steps, gaps, strict=True)):
        moment = moment + timedelta(hours=max(gap * scale, 0.25))
        still_to_come = timedelta(hours=sum(gaps[number + 1 :]) * scale)
        shifted = _in_working_hours(moment, zone, rng)
        if shifted + still_to_come < now:
            moment = shifted
        moment = min(moment, now - timedelta(minutes=len(steps) - len(moved)))
        moved.append((step.created_at, moment))
        step.created_at = moment
        stamps.setdefault(step.target, moment)
        if step.name in workflow.FIRST_RESPONSES:
            stamps.setdefault("first_response", moment)
    transitions.bulk_update(steps, ["created_at"])
    # A note or a file was written in the same call as its step: it takes that step's time.
    for model in (Message, Attachment):
        rows = model.objects.for_tenant(complaint.tenant_id).filter(complaint=complaint)
        for row in rows:
            if not moved:
                break
            _before, after = min(
                moved, key=lambda pair: abs((pair[0] - row.created_at).total_seconds())
            )
            rows.filter(pk=row.pk).update(created_at=after + timedelta(seconds=1))
    fields = {}
    for field, state in (
        ("acknowledged_at", State.ACKNOWLEDGED),
        ("resolved_at", State.RESOLVED),
        ("response_sent_at", State.RESPONSE_SENT),
        ("first_responded_at", "first_response"),
    ):
        if getattr(complaint, field) and state in stamps:
            fields[field] = stamps[state]
    if complaint.closed_at:
        fields["closed_at"] = moment
    if fields:
        Complaint.objects.for_tenant(complaint.tenant_id).filter(pk=complaint.pk).update(**fields)
