"""Complaints of Acme, reached through the workflow functions (never by writing ``state``).

Loaded as a pytest plugin by tests/conftest.py, so every test package has these fixtures.
"""

from datetime import timedelta

import pytest

from complaints import access, workflow
from complaints.lifecycle import State
from complaints.models import AccessKey, Category, Channel, RootCause, RoutingRule, Severity
from complaints.services import Intake, category_create, complaint_file
from tenants.models import Department, Touchpoint
from tests.factories import BrandFactory, TouchpointFactory


@pytest.fixture
def acme_brand(acme):
    return BrandFactory(tenant=acme, slug="acme-motor", name="Acme Motor", reference_prefix="AMO")


@pytest.fixture
def globex_brand(globex):
    return BrandFactory(
        tenant=globex, slug="globex-road", name="Globex Road", reference_prefix="GRO"
    )


@pytest.fixture
def acme_setup(acme, acme_brand):
    """Categories, root causes, a touchpoint and a rule routing claims to the north branch."""
    claims = category_create(tenant=acme, actor=None, code="claims", name="Claims")
    RootCause.objects.create(tenant=acme, code="slow-handling", name="Slow claim handling")
    RootCause.objects.create(tenant=acme, code="wrong-info", name="Wrong information given")
    TouchpointFactory(
        tenant=acme, code="claims-desk", name="Claims desk", kind=Touchpoint.Kind.CLAIMS_DESK
    )
    RoutingRule.objects.create(
        tenant=acme,
        name="Claims to the north branch",
        category=claims,
        department=Department.objects.for_tenant(acme).get(code="north-branch"),
        strategy=RoutingRule.Strategy.LEAST_OPEN,
    )
    return acme


def file_complaint(brand, *, actor=None, **overrides):
    fields = {
        "brand": brand,
        "channel": Channel.WEB_FORM,
        "name": "Maria Rossi",
        "email": "maria.rossi@example.com",
        "subject": "Claim not paid",
        "description": "My claim for the broken windscreen is unpaid after six weeks.",
        "remedy_requested": "Pay the claim.",
        "severity": Severity.MEDIUM,
        **overrides,
    }
    return complaint_file(intake=Intake(**fields), actor=actor)


# How to bring a complaint to each state, step by step, acting as ``handler`` (an admin).
def _assess(complaint, handler):
    return workflow.complaint_assess(
        complaint=complaint,
        actor=handler,
        severity=Severity.HIGH,
        impact="medium",
        complexity="low",
        is_in_scope=True,
    )


def _assign(complaint, handler):
    department = Department.objects.for_tenant(complaint.tenant_id).get(code="north-branch")
    agent = (
        handler.__class__.objects.for_tenant(complaint.tenant_id)
        .filter(role="agent", department=department)
        .first()
    )
    return workflow.complaint_assign(
        complaint=complaint, actor=handler, department=department, assignee=agent or None
    )


def _resolve(complaint, handler):
    cause = RootCause.objects.for_tenant(complaint.tenant_id).get(code="slow-handling")
    return workflow.complaint_resolve(
        complaint=complaint, actor=handler, root_cause=cause, resolution="We paid the claim."
    )


STEPS = {
    State.ACKNOWLEDGED: (
        State.RECEIVED,
        lambda c, h: workflow.complaint_acknowledge(complaint=c, actor=h),
    ),
    State.ASSESSED: (State.ACKNOWLEDGED, _assess),
    State.ASSIGNED: (State.ASSESSED, _assign),
    State.INVESTIGATING: (
        State.ASSIGNED,
        lambda c, h: workflow.complaint_start_investigation(complaint=c, actor=h),
    ),
    State.WAITING_ON_CUSTOMER: (
        State.INVESTIGATING,
        lambda c, h: workflow.complaint_request_information(
            complaint=c, actor=h, question="Please send the repair invoice."
        ),
    ),
    State.RESOLVED: (State.INVESTIGATING, _resolve),
    State.RESPONSE_SENT: (
        State.RESOLVED,
        lambda c, h: workflow.complaint_send_response(complaint=c, actor=h),
    ),
    State.UNDER_REVIEW: (
        State.RESPONSE_SENT,
        lambda c, h: workflow.complaint_request_review(
            complaint=c, actor=None, reason="Too little."
        ),
    ),
    State.CLOSED: (
        State.RESPONSE_SENT,
        lambda c, h: workflow.complaint_accept_decision(complaint=c, actor=None),
    ),
    State.REOPENED: (
        State.CLOSED,
        lambda c, h: workflow.complaint_reopen(complaint=c, actor=h, reason="New evidence."),
    ),
    State.REJECTED: (
        State.RECEIVED,
        lambda c, h: workflow.complaint_reject(complaint=c, actor=h, reason="Not our product."),
    ),
    State.WITHDRAWN: (
        State.RECEIVED,
        lambda c, h: workflow.complaint_withdraw(complaint=c, actor=None, reason="Sorted out."),
    ),
}


def bring_to(complaint, state, handler):
    """Walk ``complaint`` to ``state`` through the workflow, as ``handler``."""
    if complaint.state == state:
        return complaint
    if state == State.MERGED:
        other = file_complaint(complaint.brand, subject="Same claim again")
        return workflow.complaint_merge(complaint=complaint, actor=handler, into=other)
    source, step = STEPS[state]
    complaint = bring_to(complaint, source, handler)
    return step(complaint, handler)


@pytest.fixture
def complaint_in(acme_setup, acme_brand, acme_admin, acme_agent):
    """``complaint_in(state)``: a fresh complaint of Acme, walked to ``state``."""

    def make(state, **overrides):
        claims = Category.objects.for_tenant(acme_setup).get(code="claims")
        complaint = file_complaint(acme_brand, category=claims, **overrides)
        return bring_to(complaint, state, acme_admin)

    return make


def status_key(complaint) -> str:
    """A fresh single-use key to ``complaint``'s status page, as an email about it carries."""
    return access.access_key_issue(
        complaint=complaint, purpose=AccessKey.Purpose.EMAIL, lifetime=timedelta(days=30)
    )
