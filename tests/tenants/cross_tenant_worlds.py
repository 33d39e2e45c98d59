"""The two tenants of the cross-tenant matrix (tests/tenants/test_cross_tenant_matrix.py), with
one of everything the browser app's addresses and forms can name, made through the services and
the workflow as the app makes it."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints import workflow
from complaints.corrective_actions import corrective_action_open
from complaints.models import (
    Attachment,
    CorrectiveAction,
    RootCause,
    RoutingRule,
    Severity,
    SlaPolicy,
)
from complaints.policies import sla_policy_save
from complaints.routing_rules import routing_rule_save
from complaints.services import category_create
from notifications.services import notification_create
from ratings.models import Dispute
from ratings.services import period_for
from surveys.interactions.importing import IMPORT_ACTION
from surveys.models import FollowUp, Invitation, Question, SurveyRule
from surveys.responses.submitting import response_submit
from surveys.scoring import QuestionKind
from surveys.sender import invitations_run
from tenants.audit import audit_record
from tenants.members import member_invite
from tenants.models import AuditEntry, Closure, Department, Membership, Role, Tenant
from tenants.services import closure_set, membership_grant
from tests.complaint_fixtures import file_complaint
from tests.factories import (
    PERSONAS,
    BrandFactory,
    TouchpointFactory,
    make_acme,
    make_globex,
    make_member,
    make_persona,
)
from tests.surveys.survey_fixtures import add_rule, make_customer, publish_survey, record

# --- the two worlds --------------------------------------------------------------------------


@dataclass
class World:
    """One tenant and one of everything its addresses can name."""

    tenant: Tenant
    members: dict[str, Membership]
    admin: Membership
    brand: object
    complaint: object
    attachment: Attachment
    action: CorrectiveAction
    survey: object
    question: Question
    rule: SurveyRule
    follow_up: FollowUp
    response: object
    import_entry: AuditEntry
    category: object
    cause: RootCause
    touchpoint: object
    department: Department
    handler: Membership
    closure: Closure
    sla_policy: SlaPolicy
    routing_rule: RoutingRule
    # Complaints stopped on the way (acknowledged, assessed, investigating), for the steps' forms.
    complaints_in: dict[str, object] = field(default_factory=dict)
    notifications: dict[int, object] = field(default_factory=dict)  # member id → theirs
    member_invitation: object = None  # an open invitation to join the tenant
    dispute: object = None  # an open dispute of the survey's response
    rating_period: object = None  # a month that has ended, open

    def membership_of(self, member: Membership | None) -> Membership | None:
        """The asker's own membership in this tenant (the same user), if they have one."""
        if member is None:
            return None
        return next((m for m in self.members.values() if m.user_id == member.user_id), None)


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "application/pdf")


def build_world(
    tenant: Tenant, members: dict[str, Membership], *, admin: Membership, handler, department
) -> World:
    """Everything through the services and the workflow, as the app makes it."""
    now = timezone.now()
    prefix = tenant.slug[:3].upper()
    brand = BrandFactory(
        tenant=tenant,
        slug=f"{tenant.slug}-motor",
        name=f"{tenant.name} Motor",
        reference_prefix=prefix,
    )
    claims = category_create(tenant=tenant, actor=None, code="claims", name="Claims")
    cause = RootCause.objects.create(tenant=tenant, code="slow-handling", name="Slow handling")
    touchpoint = TouchpointFactory(tenant=tenant, code="claims-desk", name="Claims desk")
    steps = [
        ("acknowledged", lambda c: workflow.complaint_acknowledge(complaint=c, actor=admin)),
        (
            "assessed",
            lambda c: workflow.complaint_assess(
                complaint=c,
                actor=admin,
                severity=Severity.HIGH,
                impact="medium",
                complexity="low",
                is_in_scope=True,
            ),
        ),
        (
            "assigned",
            lambda c: workflow.complaint_assign(
                complaint=c, actor=admin, department=department, assignee=handler
            ),
        ),
        (
            "investigating",
            lambda c: workflow.complaint_start_investigation(complaint=c, actor=admin),
        ),
        (
            "resolved",
            lambda c: workflow.complaint_resolve(
                complaint=c, actor=admin, root_cause=cause, resolution="We paid the claim."
            ),
        ),
    ]

    def walk(until: str, **intake):
        complaint = file_complaint(brand, category=claims, **intake)
        for state, step in steps:
            complaint = step(complaint)
            if state == until:
                return complaint
        raise AssertionError(until)

    complaint = walk("resolved", email=f"maria@{tenant.slug}.example", files=[_pdf("bill.pdf")])
    complaints_in = {
        state: walk(state, subject=f"Also {state}")
        for state in ("acknowledged", "assessed", "investigating")
    }
    action = corrective_action_open(
        complaint=complaint,
        actor=admin,
        description="Train the desk.",
        owner=handler,
        due_date=date.today() + timedelta(days=30),
    )
    attachment = Attachment.objects.for_tenant(tenant).get(complaint=complaint)

    version = publish_survey(tenant)
    rule = add_rule(tenant, version.survey, delay_minutes=0)
    customer = make_customer(tenant, "Maria Rossi", f"maria.survey@{tenant.slug}.example")
    interaction = record(
        brand, customer, occurred_at=now - timedelta(hours=2), now=now, reference="visit-1"
    )
    invitations_run(now=now)
    invitation = Invitation.objects.for_tenant(tenant).get(interaction=interaction)
    questions = {q.kind: q for q in Question.objects.for_tenant(tenant).filter(version=version)}
    response = response_submit(
        invitation=invitation,
        answers={questions[QuestionKind.NPS].pk: 2, questions[QuestionKind.TEXT].pk: "Rude."},
        now=now,
    )
    import_entry = audit_record(
        tenant=tenant,
        actor=admin.user,
        action=IMPORT_ACTION,
        target=tenant,
        changes={"file": [None, "visits.csv"], "rows": [None, 1], "created": [None, 1]},
    )
    world = World(
        tenant=tenant,
        members=members,
        admin=admin,
        brand=brand,
        complaint=complaint,
        attachment=attachment,
        action=action,
        survey=version.survey,
        question=questions[QuestionKind.NPS],
        rule=rule,
        follow_up=response.follow_up,
        response=response,
        import_entry=import_entry,
        category=claims,
        cause=cause,
        touchpoint=touchpoint,
        department=department,
        handler=handler,
        # On a day of its own (Acme the 4th, Globex the 6th): another tenant's day in an
        # address must name nothing.
        closure=closure_set(
            tenant=tenant, actor=None, day=date(2027, 1, len(tenant.slug)), name="Inventory"
        ),
        complaints_in=complaints_in,
        sla_policy=sla_policy_save(
            actor=admin,
            name="Claims, fast",
            category=claims,
            acknowledgement_hours=2,
            first_response_hours=4,
            resolution_hours=16,
        ),
        routing_rule=routing_rule_save(
            actor=admin, name="Glass", keywords="glass", department=department, order=500
        ),
    )
    world.dispute = Dispute.objects.create(
        tenant=tenant, response=response, performer=admin, reason=Dispute.Reason.OTHER
    )
    world.rating_period = period_for(tenant, "month", date(2026, 1, 1))
    world.member_invitation = member_invite(
        actor=admin, email=f"newcomer@{tenant.slug}.example", role=Role.ANALYST, department=None
    )
    for member in {member.pk: member for member in [*members.values(), admin]}.values():
        world.notifications[member.pk] = notification_create(
            recipient=member,
            message="text",
            params={"text": "Due today"},
            link=f"/{tenant.slug}/complaints/",
            dedupe_key=f"matrix:{member.pk}",
        )
    return world


@dataclass
class Worlds:
    acme: World
    globex: World
    media_root: object


ACME_ROLES = [persona for persona in PERSONAS if persona.startswith("acme_")]


def build_worlds(media_root: Path) -> Worlds:
    """Acme with its personas, Globex with its agent and admin, and Dana, who works in both."""
    acme = make_acme()
    acme_members = {persona: make_persona(persona, acme) for persona in ACME_ROLES}
    globex = make_globex()
    globex_members = {"globex_agent": make_persona("globex_agent", globex)}
    globex_admin = make_member(globex, "gina", Role.ADMIN, None)
    # Dana works in both: an agent of Acme's north branch and Globex's admin.
    acme_members["two_workspaces"] = make_member(acme, "dana", Role.AGENT, "north-branch")
    globex_members["two_workspaces"] = membership_grant(
        tenant=globex,
        actor=None,
        user=acme_members["two_workspaces"].user,
        role=Role.ADMIN,
        department=None,
    )
    return Worlds(
        acme=build_world(
            acme,
            acme_members,
            admin=acme_members["acme_admin"],
            handler=acme_members["acme_agent"],
            department=Department.objects.for_tenant(acme).get(code="north-branch"),
        ),
        globex=build_world(
            globex,
            globex_members,
            admin=globex_admin,
            handler=globex_members["globex_agent"],
            department=Department.objects.for_tenant(globex).get(code="hq"),
        ),
        media_root=media_root,
    )
