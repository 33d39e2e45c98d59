"""The browser tests' rules (tests/e2e/conftest.py) hold for the browser tests only.

pytest calls a conftest's ``pytest_collection_modifyitems`` with every item of the run, so a
hook there that forgets to look at where an item lives marks (and, without Chromium, skips)
the whole suite. These runs start pytest in a child process on a machine made to look as if
Chromium were not installed (a plugin points the conftest at a path that does not exist).
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAIN_TEST = (
    "tests/complaints/test_public.py::test_the_rate_limiter_uses_the_servers_view_of_the_client"
)
BROWSER_TESTS = "tests/e2e/test_sign_in.py"

NO_CHROMIUM_PLUGIN = """
import sys

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    sys.modules["tests.e2e.conftest"].CHROMIUM = "/nonexistent/chromium"
"""


def run_pytest(tmp_path, *args: str, ci: bool = False) -> subprocess.CompletedProcess:
    (tmp_path / "no_chromium.py").write_text(NO_CHROMIUM_PLUGIN)
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)]),
        "CI": "true" if ci else "",
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no_chromium", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_not_e2e_selects_every_test_but_the_browser_ones(tmp_path):
    result = run_pytest(
        tmp_path, "--collect-only", "-q", "-m", "not e2e", PLAIN_TEST, BROWSER_TESTS
    )

    selected = [line for line in result.stdout.splitlines() if "::" in line]
    assert selected == [PLAIN_TEST], result.stdout + result.stderr


def test_without_chromium_only_the_browser_tests_are_skipped(tmp_path):
    result = run_pytest(tmp_path, "-q", "-rs", PLAIN_TEST, BROWSER_TESTS)

    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.splitlines()[-1]
    assert summary.startswith("1 passed, 1 skipped"), result.stdout
    assert "needs Chromium at /nonexistent/chromium" in result.stdout


def test_under_ci_a_browser_test_without_chromium_fails_the_run(tmp_path):
    result = run_pytest(tmp_path, "-q", PLAIN_TEST, BROWSER_TESTS, ci=True)

    assert result.returncode == 1, result.stdout + result.stderr
    summary = result.stdout.splitlines()[-1]
    # The skip is turned into a failure at set-up, which pytest reports as an error.
    assert summary.startswith("1 passed, 1 error"), result.stdout
    assert "Skipped under CI=true" in result.stdout
