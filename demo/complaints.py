"""Demo complaints: a few hundred cases in every state, spread over the last year.

Each case is filed and moved through the real workflow functions, then its timestamps are
spread out so the history reads like a year of work (not like one second of seeding).
"""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from complaints import workflow
from complaints.corrective_actions import corrective_action_open
from complaints.lifecycle import State
from complaints.models import (
    Attachment,
    Category,
    Channel,
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

# (subject, description, remedy, category, language)
STORIES = [
    (
        "Claim still unpaid after six weeks",
        "I sent every document for my windscreen claim and nobody answers.",
        "Pay the claim.",
        "claims-motor",
        "en",
    ),
    (
        "Η αποζημίωση δεν έχει καταβληθεί",
        "Περιμένω εδώ και δύο μήνες την αποζημίωση για τη ζημιά από την πλημμύρα.",
        "Να πληρωθεί η αποζημίωση.",
        "claims-property",
        "el",
    ),
    (
        "Tow truck arrived three hours late",
        "I waited on the motorway shoulder with two children for three hours.",
        "An apology and a refund of the taxi.",
        "road-assistance",
        "en",
    ),
    (
        "Premio addebitato due volte",
        "Il premio di marzo è stato addebitato due volte sulla mia carta.",
        "Rimborso del secondo addebito.",
        "billing",
        "it",
    ),
    (
        "Cobro indebido en mi póliza",
        "Me han cobrado un recargo que nadie me explicó al contratar.",
        "Devolución del recargo.",
        "billing",
        "es",
    ),
    (
        "Грубое обращение в отделении",
        "Сотрудник отделения разговаривал со мной грубо и не принял документы.",
        "Извинения и приём документов.",
        "service",
        "ru",
    ),
    (
        "Garage refused to repair my car",
        "The partner garage said the repair is not covered though my policy says it is.",
        "Authorise the repair.",
        "claims-motor",
        "en",
    ),
    (
        "Renewal price doubled without notice",
        "My home insurance renewal went from 310 to 620 euros with no explanation.",
        "Explain and correct the price.",
        "policy",
        "en",
    ),
    (
        "Δεν απαντά κανείς στο τηλέφωνο",
        "Καλώ το κέντρο εξυπηρέτησης τρεις μέρες και κανείς δεν απαντά.",
        "Να με καλέσει κάποιος.",
        "service",
        "el",
    ),
    (
        "App keeps rejecting my claim photos",
        "The mobile app says the upload failed every time I add the damage photos.",
        "Accept my claim by email instead.",
        "claims-property",
        "en",
    ),
]

NAMES = [
    ("Κατερίνα Δημητρίου", "el"), ("Νίκος Παπαδάκης", "el"), ("Σοφία Ιωάννου", "el"),
    ("Γιώργος Βασιλείου", "el"), ("Ελένη Μακρή", "el"), ("Marco Bianchi", "it"),
    ("Lucia Ferrari", "it"), ("Javier Moreno", "es"), ("Lucía Fernández", "es"),
    ("Ирина Соколова", "ru"), ("Дмитрий Кузнецов", "ru"), ("Anna Schmidt", "en"),
    ("Peter Collins", "en"), ("Sarah Jones", "en"), ("Θανάσης Οικονόμου", "el"),
]  # fmt: skip

# How far each demo case gets, with weights: most are closed, some in every open state.
TARGETS = [
    (State.RECEIVED, 4), (State.ACKNOWLEDGED, 3), (State.ASSESSED, 3), (State.ASSIGNED, 4),
    (State.INVESTIGATING, 8), (State.WAITING_ON_CUSTOMER, 3), (State.RESOLVED, 3),
    (State.RESPONSE_SENT, 4), (State.UNDER_REVIEW, 2), (State.CLOSED, 55), (State.REOPENED, 2),
    (State.REJECTED, 4), (State.WITHDRAWN, 3), (State.MERGED, 2),
]  # fmt: skip


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
    """Add demo complaints until the tenant has ``count``; returns how many were added."""
    _ensure_structure(tenant)
    existing = Complaint.objects.for_tenant(tenant).count()
    if existing >= count:
        return 0
    rng = random.Random(seed + existing)
    brands = list(Brand.objects.for_tenant(tenant).order_by("slug"))
    touchpoints = list(Touchpoint.objects.for_tenant(tenant).order_by("code"))
    categories = {c.code: c for c in Category.objects.for_tenant(tenant)}
    admin = demo_actor(tenant)
    now = timezone.now()
    added = 0
    for number in range(existing, count):
        with transaction.atomic():
            _seed_one(tenant, number, rng, brands, touchpoints, categories, admin, now)
            # The demo history happened long ago: its messages count as delivered, not news.
            Delivery.objects.for_tenant(tenant).filter(status=Delivery.Status.PENDING).update(
                status=Delivery.Status.SENT, sent_at=now
            )
        added += 1
    return added


def _seed_one(tenant, number, rng, brands, touchpoints, categories, admin, now) -> None:
    subject, description, remedy, category_code, language = rng.choice(STORIES)
    name, name_language = NAMES[number % len(NAMES)]
    received_at = now - timedelta(days=rng.uniform(0, 360), minutes=rng.randint(0, 600))
    target = rng.choices([t for t, _ in TARGETS], weights=[w for _, w in TARGETS])[0]
    if target not in (State.CLOSED, State.REJECTED, State.WITHDRAWN, State.MERGED):
        # Open cases are recent; one that has moved on had days for its steps.
        earliest = 0 if target == State.RECEIVED else 2
        received_at = now - timedelta(days=rng.uniform(earliest, 20))
    email = f"{_slug(name)}.{number % 40}@example.com"
    complaint = complaint_file(
        intake=Intake(
            brand=rng.choice(brands),
            channel=rng.choice(Channel.values),
            name=name,
            email=email,
            phone=f"+30 69{number % 100:02d} {100000 + number}",
            language=name_language if rng.random() < 0.8 else language,
            subject=subject,
            description=description,
            remedy_requested=remedy,
            touchpoint=rng.choice(touchpoints),
            category=categories[category_code],
            severity=rng.choices(Severity.values, weights=[3, 5, 2, 1])[0],
            received_at=received_at,
        ),
        actor=None,
    )
    if number % 23 == 0:
        Customer.objects.for_tenant(tenant).filter(pk=complaint.customer_id).update(
            segment=rng.choice([Segment.VIP, Segment.WATCHLIST])
        )
    complaint = _walk(complaint, target, admin, rng)
    _spread_history(complaint, received_at, rng, now, pace=_pace(complaint, received_at, now))


def _slug(name: str) -> str:
    ascii_name = "".join(ch for ch in name.lower() if ch.isascii() and ch.isalnum())
    return ascii_name or "customer"


def _walk(complaint: Complaint, target: str, admin: Membership, rng) -> Complaint:
    """Move a demo case to ``target`` through the workflow functions."""
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
        other = (
            Complaint.objects.for_tenant(complaint.tenant_id)
            .filter(state__in=[State.INVESTIGATING, State.ASSIGNED])
            .exclude(pk=complaint.pk)
            .first()
        )
        if other is not None:
            return workflow.complaint_merge(complaint=complaint, actor=admin, into=other)
        return complaint
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
    # Any of the department's agents, as routing would pick among them (not in turn).
    assignee = complaint.assignee or handlers_of(department).order_by("?").first()
    complaint = workflow.complaint_assign(
        complaint=complaint, actor=admin, department=department, assignee=assignee
    )
    if target == State.ASSIGNED or assignee is None:
        return complaint
    complaint = workflow.complaint_start_investigation(complaint=complaint, actor=admin)
    if target == State.INVESTIGATING:
        return complaint
    if target == State.WAITING_ON_CUSTOMER or rng.random() < 0.2:
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
    cause = RootCause.objects.for_tenant(complaint.tenant_id).order_by("?").first()
    complaint = workflow.complaint_resolve(
        complaint=complaint,
        actor=admin,
        root_cause=cause,
        resolution="We have reviewed your case, corrected the error and paid what was due.",
        note="Checked the file with the claims handler.",
    )
    if rng.random() < 0.15:
        corrective_action_open(
            complaint=complaint,
            actor=admin,
            description=f"Prevent repeats of: {cause.name.lower()}",
            owner=admin,
            due_date=(timezone.now() + timedelta(days=rng.randint(10, 60))).date(),
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


def _pace(complaint: Complaint, received_at, now) -> float:
    """How long its handler takes between steps, against the usual: the demo's improving
    performer (``story.IMPROVING``) took twice as long a year ago and a third as long now."""
    assignee = complaint.assignee
    if assignee is None or assignee.user.email.split("@")[0] not in IMPROVING:
        return 1.0
    recent = 1 - min((now - received_at) / timedelta(days=365), 1)
    return 2 - 1.67 * recent


def _spread_history(complaint: Complaint, received_at, rng, now, *, pace: float = 1.0) -> None:
    """Give the steps believable times: hours to days apart (``pace`` times the usual),
    starting at receipt, each in working hours, all of them before now (squeezed into the time
    there was, never piled up on one minute); the notes, the files and the dates on the case
    follow their steps."""
    zone = ZoneInfo(complaint.tenant.time_zone)
    transitions = Transition.objects.for_tenant(complaint.tenant_id).filter(complaint=complaint)
    steps = list(transitions.order_by("created_at", "id"))
    gaps = [rng.uniform(2, 96) * pace for _step in steps]
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
        transitions.filter(pk=step.pk).update(created_at=moment)
        moved.append((step.created_at, moment))
        stamps.setdefault(step.target, moment)
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
    ):
        if getattr(complaint, field) and state in stamps:
            fields[field] = stamps[state]
    if complaint.closed_at:
        fields["closed_at"] = moment
    if fields:
        Complaint.objects.for_tenant(complaint.tenant_id).filter(pk=complaint.pk).update(**fields)
