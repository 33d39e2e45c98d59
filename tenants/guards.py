"""What the apps above tenants say before tenants changes a row they rely on.

``tenants`` may not import ``complaints``, yet closing a department that still owns open
complaints, or giving a brand a reference prefix that old complaints' references already
start with, must be refused. So the app that knows adds a check in its ``AppConfig.ready()``
and the service asks every check before it writes. A check answers a refusal message (shown
on the form), or ``None`` when it has no objection.

Plain lists rather than the event bus: the bus announces what happened; these ask whether it
may happen.
"""

from collections.abc import Callable

from tenants.models import Brand, Department

# check(department) → why it may not be closed, or None.
DepartmentCloseCheck = Callable[[Department], str | None]
# check(brand, prefix) → why ``brand`` (unsaved when new) may not take ``prefix``, or None.
ReferencePrefixCheck = Callable[[Brand, str], str | None]

_department_close_checks: list[DepartmentCloseCheck] = []
_reference_prefix_checks: list[ReferencePrefixCheck] = []


def department_close_check_add(check: DepartmentCloseCheck) -> None:
    """Ask ``check`` before a department is closed (once, however often ``ready()`` runs)."""
    if check not in _department_close_checks:
        _department_close_checks.append(check)


def reference_prefix_check_add(check: ReferencePrefixCheck) -> None:
    """Ask ``check`` before a brand takes a reference prefix."""
    if check not in _reference_prefix_checks:
        _reference_prefix_checks.append(check)


def department_close_refusals(department: Department) -> list[str]:
    return [str(message) for check in _department_close_checks if (message := check(department))]


def reference_prefix_refusals(brand: Brand, prefix: str) -> list[str]:
    return [str(message) for check in _reference_prefix_checks if (message := check(brand, prefix))]
