"""Every string the app marks for translation is translated in every catalogue of locale/.

A copy of the project is extracted again with ``makemessages`` (gettext's tools, which
``make messages`` needs anyway); a string with no translation, or one that gettext could only
guess from a similar one (fuzzy), is a string a Greek or Russian customer would read in
English.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns(".venv", ".git", "var", "__pycache__", "*.mo", "node_modules")
IGNORED = ["--ignore", "bench", "--ignore", "tests"]  # not what a customer reads
MSGID = re.compile(r'^msgid "(.*)"$', re.MULTILINE)


def _entries(catalogue: Path, option: str) -> list[str]:
    listed = subprocess.run(
        ["msgattrib", option, "--no-obsolete", "--no-wrap", str(catalogue)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [msgid for msgid in MSGID.findall(listed) if msgid]  # "" is the header


@pytest.mark.skipif(shutil.which("msgattrib") is None, reason="gettext's tools are not installed")
def test_every_marked_string_is_translated_in_every_language(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=SKIP)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--all", "-v", "0", *IGNORED],
        cwd=copy,
        check=True,
    )

    missing = {
        catalogue.parent.parent.name: _entries(catalogue, "--untranslated")
        + _entries(catalogue, "--only-fuzzy")
        for catalogue in sorted((copy / "locale").glob("*/LC_MESSAGES/django.po"))
    }

    assert missing and all(not strings for strings in missing.values()), missing
