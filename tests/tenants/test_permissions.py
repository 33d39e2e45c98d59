"""What a role may do is answered by tenants/permissions.py alone."""

import re
from pathlib import Path

import pytest

from tenants.permissions import (
    Action,
    member_can,
    role_sees_whole_tenant,
    roles_allowed,
    supervises_department,
)

ROOT = Path(__file__).resolve().parents[2]

# A role compared to a role: `.role == "agent"`, `role in (Role.ADMIN, ...)`, `role not in`,
# `role=Role.AGENT`, `role__in=[Role.ADMIN, ...]`, `member.role != ...`.
ROLE_COMPARISON = re.compile(
    r"\brole\s*(==|!=)"
    r"|\brole\s+(not\s+)?in\s+[\[(A-Z]"
    r"|\brole(__in)?\s*=\s*[\[(]?\s*(Role\.|[\"'](admin|manager|agent|performer|analyst)[\"'])"
)


def test_roles_allowed_lists_the_roles_of_each_complaint_action():
    assert roles_allowed(Action.HANDLE_COMPLAINTS) == ["admin", "manager", "agent"]
    assert roles_allowed(Action.TAKE_ASSIGNMENTS) == ["admin", "manager", "agent"]
    assert roles_allowed(Action.SUPERVISE_COMPLAINTS) == ["admin", "manager"]
    assert roles_allowed(Action.MANAGE_TENANT) == ["admin"]


@pytest.mark.parametrize(
    ("persona", "supervises", "whole_tenant", "may_take_assignments"),
    [
        ("acme_admin", False, True, True),
        ("acme_manager", True, False, True),
        ("acme_agent", False, False, True),
        ("acme_performer", False, False, False),
        ("acme_analyst", False, True, False),
    ],
)
def test_who_supervises_a_department_and_who_sees_the_whole_tenant(
    request, persona, supervises, whole_tenant, may_take_assignments
):
    member = request.getfixturevalue(persona)

    assert supervises_department(member) is supervises
    assert role_sees_whole_tenant(member.role) is whole_tenant
    assert member_can(member, Action.TAKE_ASSIGNMENTS) is may_take_assignments


def test_an_inactive_manager_may_not_supervise(acme_manager):
    acme_manager.is_active = False

    assert not member_can(acme_manager, Action.SUPERVISE_COMPLAINTS)
    assert not supervises_department(acme_manager)


def test_no_module_of_complaints_or_tenants_compares_a_role_but_permissions_py():
    allowed = {
        Path("tenants/permissions.py"),
        Path("tenants/models.py"),  # the constraint: admins and analysts need no department
    }
    offenders = []
    for app in ("complaints", "tenants"):
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or relative in allowed:
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if ROLE_COMPARISON.search(line):
                    offenders.append(f"{relative}:{number}: {line.strip()}")

    assert offenders == []


def test_no_template_compares_a_role():
    # Templates show what a member may do through the pages' flags (``can_handle``), which ask
    # tenants/permissions.py; ``get_role_display`` (printing the role) is fine.
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if ROLE_COMPARISON.search(line)
    ]

    assert offenders == []
