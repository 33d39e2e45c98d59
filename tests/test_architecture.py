"""The layout holds: imports point down the dependency chain, no two modules import each
other, no module grows past ~500 lines, each status has one writer, and only the permission
helper checks a role.

These read the source (``ast``), not the running app, so they also see imports inside
functions and code that no test happens to run.
"""

import ast
import importlib
import inspect
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Each app may import the apps to its left, never those to its right (DESIGN.md).
CHAIN = [
    "tenants",
    "customers",
    "notifications",
    "complaints",
    "surveys",
    "ratings",
    "dashboards",
    "demo",
]
# Inside surveys, each package may import those listed for it (and models, scoring, metrics).
SURVEYS_BASE = {"surveys.models", "surveys.scoring", "surveys.metrics"}
SURVEYS_MAY_IMPORT = {
    "builder": set(),
    "programme": set(),
    "rollups": set(),
    "invitations": set(),
    "interactions": {"invitations"},
    "followups": {"invitations"},
    "responses": {"invitations", "followups", "rollups"},
    "public": {"invitations", "followups", "responses"},
}
MAX_LINES = 500


def source_files() -> list[Path]:
    files = []
    for app in [*CHAIN, "config"]:
        files += [path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts]
    return sorted(files)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in source_files()}


def imported_modules(path: Path) -> set[str]:
    """Project modules ``path`` imports, anywhere in it (``from a import b`` counts as a.b
    when b is a module, else as a)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [
                f"{node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in MODULES
                else node.module
                for alias in node.names
            ]
        else:
            continue
        found |= {name for name in names if name in MODULES}
    return found


IMPORTS = {name: imported_modules(path) for name, path in MODULES.items()}


def app_of(module: str) -> str:
    return module.split(".")[0]


def test_imports_point_down_the_dependency_chain():
    upward = [
        f"{module} imports {target}"
        for module, targets in IMPORTS.items()
        if app_of(module) in CHAIN
        for target in targets
        if app_of(target) == "config"
        or (app_of(target) in CHAIN and CHAIN.index(app_of(target)) > CHAIN.index(app_of(module)))
    ]
    assert upward == []


def test_surveys_packages_import_downwards_only():
    def package(module: str) -> str | None:
        parts = module.split(".")
        return parts[1] if len(parts) > 2 and parts[0] == "surveys" else None

    wrong = [
        f"{module} imports {target}"
        for module, targets in IMPORTS.items()
        if package(module) in SURVEYS_MAY_IMPORT
        for target in targets
        if app_of(target) == "surveys"
        and target not in SURVEYS_BASE
        and package(target) != package(module)
        and package(target) not in SURVEYS_MAY_IMPORT[package(module)]
    ]
    assert wrong == []


def test_no_two_modules_import_each_other():
    mutual = sorted(
        {
            tuple(sorted((module, target)))
            for module, targets in IMPORTS.items()
            for target in targets
            if module in IMPORTS.get(target, set())
            and module != target
            # A package's __init__ naming its own modules is how a package exposes them.
            and not target.startswith(f"{module}.")
            and not module.startswith(f"{target}.")
        }
    )
    assert mutual == []


def test_no_module_is_longer_than_the_limit():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in [*source_files(), *(ROOT / "bench").glob("*.py")]
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


# --- one writer per status ------------------------------------------------------------------

# The model, its status field and the one module (or package) allowed to write it.
STATUS_OWNERS = {
    "Complaint": ("state", "complaints/workflow"),
    "CorrectiveAction": ("status", "complaints/corrective_actions.py"),
    "Dispute": ("status", "ratings/disputes.py"),
    "FollowUp": ("status", "surveys/followups/services.py"),
    "Invitation": ("status", "surveys/invitations/status.py"),
    "SurveyVersion": ("status", "surveys/builder/publishing.py"),
}
# What a variable holding one row of each model is called (``invitation``, ``self.follow_up``,
# ``first_invitation``): an attribute write through such a name is a write of that model.
ROW_NAMES = {
    "Complaint": ("complaint",),
    "CorrectiveAction": ("corrective_action", "action"),
    "Dispute": ("dispute",),
    "FollowUp": ("follow_up", "followup"),
    "Invitation": ("invitation",),
    "SurveyVersion": ("version", "draft"),
}
WRITING_METHODS = {"update", "create", "get_or_create", "update_or_create", "bulk_update"}


def _root_name(node: ast.expr) -> str | None:
    """The name a call chain starts from: ``Invitation.objects.filter(...).update`` → Invitation."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _row_model(node: ast.expr) -> str | None:
    """The watched model a row expression holds, by its name: ``invitation`` → Invitation,
    ``response.follow_up`` → FollowUp; None for anything else."""
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    name = name.lower().strip("_")
    for model, names in ROW_NAMES.items():
        if any(name == row or name.endswith(f"_{row}") for row in names):
            return model
    return None


def _constants(node: ast.expr) -> set:
    """The constant strings of a list, tuple or set literal (fields named in it)."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return {item.value for item in node.elts if isinstance(item, ast.Constant)}
    return set()


def status_writes(path: Path) -> list[tuple[str, int]]:
    """(model, line) of every write of a watched status field in ``path``:

    * through the model: ``Invitation.objects....update(status=...)``, ``.create(...)``,
      ``get_or_create(defaults={"status": ...})``, ``bulk_update(rows, ["status"])``, any
      ``bulk_create`` (it inserts whatever status the rows carry), ``Invitation(status=...)`` —
      or through a name a queryset of it was given (``invitations = Invitation.objects...``);
    * through a row: ``invitation.status = ...``, ``setattr(invitation, "status", ...)``,
      ``invitation.save(update_fields=[..., "status"])``.
    """
    tree = ast.parse(path.read_text())
    models = {name: name for name in STATUS_OWNERS}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and _root_name(node.value) in STATUS_OWNERS
        ):
            models[node.targets[0].id] = _root_name(node.value)
    writes = []

    def field_of(model: str) -> str:
        return STATUS_OWNERS[model][0]

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for each in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if isinstance(each, ast.Attribute):
                        model = _row_model(each.value)
                        if model and each.attr == field_of(model):
                            writes.append((model, node.lineno))
            continue
        if not isinstance(node, ast.Call):
            continue
        keywords = {keyword.arg for keyword in node.keywords}
        function = node.func
        if isinstance(function, ast.Name) and function.id == "setattr" and len(node.args) >= 2:
            model = _row_model(node.args[0])
            field = node.args[1]
            if model and isinstance(field, ast.Constant) and field.value == field_of(model):
                writes.append((model, node.lineno))
            continue
        if isinstance(function, ast.Name) and function.id in STATUS_OWNERS:
            model = function.id  # Model(status=...)
        elif isinstance(function, ast.Attribute) and function.attr == "save":
            model = _row_model(function.value)
            if model is None:
                continue
            keywords = set()
            for keyword in node.keywords:
                if keyword.arg == "update_fields":
                    keywords |= _constants(keyword.value)
        elif (
            isinstance(function, ast.Attribute)
            and function.attr == "bulk_create"
            and _root_name(function.value) in models
        ):
            writes.append((models[_root_name(function.value)], node.lineno))
            continue
        elif (
            isinstance(function, ast.Attribute)
            and function.attr in WRITING_METHODS
            and _root_name(function.value) in models
        ):
            model = models[_root_name(function.value)]
            for keyword in node.keywords:  # defaults={"status": ...}, fields=["status"]
                if isinstance(keyword.value, ast.Dict):
                    keywords |= {
                        key.value for key in keyword.value.keys if isinstance(key, ast.Constant)
                    }
                keywords |= _constants(keyword.value)
            for argument in node.args:
                keywords |= _constants(argument)
        else:
            continue
        if field_of(model) in keywords:
            writes.append((model, node.lineno))
    return sorted(writes, key=lambda write: write[1])


def test_each_status_has_one_writer():
    strays = defaultdict(list)
    for path in source_files():
        relative = str(path.relative_to(ROOT))
        for model, line in status_writes(path):
            if not relative.startswith(STATUS_OWNERS[model][1]):
                strays[model].append(f"{relative}:{line}")
    assert dict(strays) == {}


@pytest.mark.parametrize("model", sorted(STATUS_OWNERS))
def test_the_status_owner_exists_and_writes(model):
    owner = ROOT / STATUS_OWNERS[model][1]
    paths = sorted(owner.rglob("*.py")) if owner.is_dir() else [owner.with_suffix(".py")]
    assert any(written == model for path in paths for written, _line in status_writes(path))


def test_the_status_check_sees_a_stray_write(tmp_path):
    stray = tmp_path / "stray.py"
    stray.write_text(
        "Invitation.objects.for_tenant(1).filter(pk=2).update(status='sent')\n"
        "FollowUp.objects.create(tenant_id=1, status='done')\n"
        "Complaint.objects.filter(pk=1).update(**{'x': 1}, state='closed')\n"
        "actions = CorrectiveAction.objects.for_tenant(1)\n"
        "actions.filter(pk=3).update(status='done')\n"
        "invitation.status = 'sent'\n"
        "response.follow_up.status, when = 'done', now\n"
        "setattr(complaint, 'state', 'closed')\n"
        "corrective_action.save(update_fields=['status', 'outcome'])\n"
        "Invitation.objects.bulk_create(rows)\n"
        "FollowUp.objects.bulk_update(rows, fields=['status'])\n"
        "draft.status = 'published'\n"
    )

    assert status_writes(stray) == [
        ("Invitation", 1),
        ("FollowUp", 2),
        ("Complaint", 3),
        ("CorrectiveAction", 5),
        ("Invitation", 6),
        ("FollowUp", 7),
        ("Complaint", 8),
        ("CorrectiveAction", 9),
        ("Invitation", 10),
        ("FollowUp", 11),
        ("SurveyVersion", 12),
    ]


def test_the_status_check_leaves_other_writes_alone(tmp_path):
    harmless = tmp_path / "harmless.py"
    harmless.write_text(
        "Invitation.objects.filter(status='sent').update(held_score=3)\n"
        "invitation.held_at = now\n"
        "delivery.status = 'sent'\n"
        "setattr(complaint, 'priority', 'high')\n"
        "complaint.save(update_fields=['priority'])\n"
        "Answer.objects.bulk_create(rows)\n"
        "Invitation.objects.bulk_update(rows, ['delivery', 'accepted_at'])\n"
    )

    assert status_writes(harmless) == []


# --- one definition per rule ----------------------------------------------------------------


def modules_mentioning(pattern: str) -> list[str]:
    """Source files (migrations aside) whose text matches ``pattern``."""
    found = re.compile(pattern)
    return sorted(
        str(path.relative_to(ROOT)) for path in source_files() if found.search(path.read_text())
    )


def test_may_we_email_a_survey_is_decided_in_one_module():
    # The flags are defined, edited, written by the opt-out, shown after it, and seeded by
    # the demo; only invitations/consent.py decides from them whether to email.
    assert modules_mentioning(r"\b(consent_email|survey_opt_out)\b") == [
        "customers/admin.py",
        "customers/models.py",
        "demo/surveys/people.py",
        "surveys/invitations/consent.py",
        "surveys/invitations/opt_out.py",
        "surveys/public/views.py",
    ]


def test_an_invitations_outbox_key_is_made_in_one_function():
    assert modules_mentioning(r"survey-invitation-") == ["surveys/invitations/sending.py"]


def test_the_follow_up_due_time_is_computed_in_one_function():
    # The complaints' clocks, the follow-up's due time, and the calendar's own arithmetic.
    assert modules_mentioning(r"\badd_business_time\(") == [
        "complaints/sla.py",
        "surveys/followups/services.py",
        "tenants/business_time.py",
    ]


@pytest.mark.parametrize(
    "function",
    [
        "customers.services.customer_keys_refresh",
        "customers.services.customer_match_or_create",
        "surveys.builder.publishing.lock_survey",
        "surveys.followups.services.follow_up_due",
        "surveys.followups.services.follow_up_open",
        "surveys.invitations.scheduling.invitation_rerate_schedule",
        "surveys.invitations.scheduling.last_invited_at",
        "surveys.invitations.scheduling.last_invited_at_by_customer",
        "surveys.invitations.sending.outbox_key",
    ],
)
def test_arguments_a_caller_could_swap_are_keyword_only(function):
    module, name = function.rsplit(".", 1)
    parameters = inspect.signature(getattr(importlib.import_module(module), name)).parameters

    assert [p.name for p in parameters.values() if p.kind != p.KEYWORD_ONLY] == []


# --- role checks through tenants/permissions.py only ----------------------------------------

# Where a role may be compared: the permission helper, and the model that defines the roles
# (its constraint: who must have a department).
ROLE_CHECK_OWNERS = {"tenants/permissions.py", "tenants/models.py"}
# Permission helpers whose answer may stand in a query on the role (``role__in=roles_allowed(…)``).
ROLE_HELPERS = {"roles_allowed"}
# Calls whose ``role=`` keyword picks rows (a check) rather than writing one (data).
LOOKUPS = {"filter", "exclude", "get", "Q", "When", "filter_by"}


def _names_a_role(node: ast.expr) -> bool:
    """``role``, ``member.role``, ``new_role``, ``row["role"]`` or ``Role.ADMIN``."""
    if isinstance(node, ast.Name):
        return node.id == "role" or node.id.endswith("_role")
    if isinstance(node, ast.Attribute):
        if isinstance(node.value, ast.Name) and node.value.id == "Role":
            return True
        return node.attr == "role" or node.attr.endswith("_role")
    if isinstance(node, ast.Subscript):
        key = node.slice
        return isinstance(key, ast.Constant) and key.value == "role"
    return False


def _is_helper_call(node: ast.expr) -> bool:
    if not isinstance(node, ast.Call):
        return False
    function = node.func
    name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
    return name in ROLE_HELPERS


def role_checks(path: Path) -> list[int]:
    """Lines of ``path`` that decide something from a role instead of asking the permission
    helper:

    * a comparison with a role: ``role == Role.ADMIN``, ``member.role != "agent"``,
      ``membership.role in (…)``, ``Role.AGENT in roles``;
    * ``match member.role:``;
    * a query on the role: ``filter(role=Role.ADMIN)``, ``exclude(role="agent")``,
      ``role__in=[…]``, ``membership__role=…`` — unless its value comes from the helper
      (``role__in=roles_allowed(Action.TAKE_ASSIGNMENTS)``).

    Creating or granting a membership with a role (``membership_grant(role=…)``,
    ``Membership.objects.create(role=…)``) is data, not a check.
    """
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Compare):
            if any(_names_a_role(each) for each in [node.left, *node.comparators]):
                lines.append(node.lineno)
        elif isinstance(node, ast.Match):
            if _names_a_role(node.subject):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else None
            name = name or getattr(function, "id", "")
            for keyword in node.keywords:
                parts = (keyword.arg or "").split("__")
                if "role" not in parts or _is_helper_call(keyword.value):
                    continue
                if parts != ["role"] or name in LOOKUPS:
                    lines.append(node.lineno)
    return sorted(set(lines))


def test_roles_are_checked_only_by_the_permission_helper():
    strays = [
        f"{relative}:{line}"
        for path in source_files()
        if (relative := str(path.relative_to(ROOT))) not in ROLE_CHECK_OWNERS
        for line in role_checks(path)
    ]
    assert strays == []


def test_no_template_compares_a_role():
    # A template asks a flag the view got from the helper (``can_handle``), never the role.
    tag = re.compile(r"{%\s*(?:if|elif)\b[^%]*\brole\b[^%]*%}")
    found = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if tag.search(path.read_text())
    )
    assert found == []


def test_the_role_check_sees_the_copies_it_replaced(tmp_path):
    # What the demo held before it asked tenants/permissions.py, and a few other spellings.
    copies = tmp_path / "copies.py"
    copies.write_text(
        "admin = Membership.objects.for_tenant(tenant).filter(role=Role.ADMIN).first()\n"
        "agents = members.filter(role=Role.AGENT, department__path__startswith=path)\n"
        "serving = members.filter(is_active=True, role__in=[Role.AGENT, Role.PERFORMER])\n"
        "defaults = {'is_staff': role == Role.ADMIN}\n"
        "if member.role != 'agent': pass\n"
        "if membership.role in (Role.ADMIN, Role.ANALYST): pass\n"
        "rows = Complaint.objects.exclude(assignee__role='performer')\n"
        "q = Q(memberships__role__in=['manager'])\n"
        "if Role.MANAGER == new_role: pass\n"
        "match member.role:\n"
        "    case 'admin': pass\n"
    )

    assert role_checks(copies) == list(range(1, 11))


def test_the_role_check_leaves_helpers_and_data_alone(tmp_path):
    harmless = tmp_path / "harmless.py"
    harmless.write_text(
        "members.filter(is_active=True, role__in=roles_allowed(Action.TAKE_ASSIGNMENTS))\n"
        "members.exclude(role__in=permissions.roles_allowed(Action.SUPERVISE_COMPLAINTS))\n"
        "membership_grant(tenant=tenant, actor=None, user=user, role=Role.AGENT)\n"
        "Membership.objects.create(tenant=tenant, user=user, role=role)\n"
        "PEOPLE = [('admin@example.com', Role.ADMIN)]\n"
        "label = member.get_role_display()\n"
        "if member_can(member, Action.MANAGE_TENANT): pass\n"
        "widget.attrs['role'] = 'button'\n"
    )

    assert role_checks(harmless) == []
