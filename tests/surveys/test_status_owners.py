"""Each status of the surveys app has one writer (issue #9: "every status has exactly one
writer"). Read from the source, so a second writer fails here the day it is added."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# The one module that writes each status, by file.
OWNERS = {
    "surveys/invitations/status.py": "Invitation.status",
    "surveys/followups/services.py": "FollowUp.status (through its state machine)",
    "surveys/builder/publishing.py": "SurveyVersion.status",
}


def _sources():
    for folder in ("surveys", "demo/surveys"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text())


def _status_writes(tree) -> list[int]:
    """Lines that write a ``status``: ``….update(status=…)`` or ``thing.status = …``."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "update":
            if any(keyword.arg == "status" for keyword in node.keywords):
                lines.append(node.lineno)
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                if any(isinstance(n, ast.Attribute) and n.attr == "status" for n in names):
                    lines.append(node.lineno)
    return sorted(lines)


def test_only_the_owner_modules_write_a_status():
    writers = {}
    for name, tree in _sources():
        if lines := _status_writes(tree):
            writers[name] = lines

    strangers = {name: lines for name, lines in writers.items() if name not in OWNERS}
    assert strangers == {}
    assert set(writers) == set(OWNERS)  # each owner does write (the check itself works)


def test_the_check_finds_a_status_write():
    tree = ast.parse(
        "Invitation.objects.filter(pk=1).update(status='sent')\n"
        "invitation.status, invitation.sent_at = 'sent', now\n"
        "Invitation.objects.filter(status='sent').update(held_score=3)\n"
    )

    assert _status_writes(tree) == [1, 2]
