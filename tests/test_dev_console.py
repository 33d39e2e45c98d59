"""`make run`'s console: one line per event, no email bodies unless asked, a favicon, and a
clean stop on Ctrl-C.

The whole of `make run` is started here as it runs on a new machine (honcho with the Procfile,
on an SQLite file and the file-system broker in a temporary directory), then stopped as a
terminal's Ctrl-C stops it: SIGINT to the whole foreground process group.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail

from notifications.mail_console import EmailBackend

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.url, response.read()
    except urllib.error.HTTPError as error:
        return error.code, url, b""


def console_env(tmp_path, port: int) -> dict:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "DATABASE_OWNER_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
        and not name.startswith(("CELERY_", "PYTEST_"))
    }
    return {
        **env,
        "PATH": f"{BIN}:{env.get('PATH', '')}",
        "LOOPDESK_VAR_DIR": str(tmp_path),
        "LOOPDESK_PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    }


def test_make_run_prints_each_event_once_and_stops_cleanly_on_ctrl_c(tmp_path):
    port = free_port()
    env = console_env(tmp_path, port)
    subprocess.run(
        [str(BIN / "python"), "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    log = tmp_path / "console.log"
    with log.open("w") as out:
        honcho = subprocess.Popen(
            [str(BIN / "honcho"), "start", "-f", "Procfile"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group, as a terminal's foreground job
        )
        try:
            site = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if fetch(f"{site}/accounts/login/")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.3)
            else:
                pytest.fail(f"The web process did not answer:\n{log.read_text()}")
            while "ready." not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.3)
            missing = fetch(f"{site}/no-such-page/here/")
            favicon = fetch(f"{site}/favicon.ico")
            time.sleep(0.5)

            started = time.monotonic()
            os.killpg(honcho.pid, signal.SIGINT)
            honcho.wait(timeout=20)
            stopped_in = time.monotonic() - started
        finally:
            if honcho.poll() is None:
                os.killpg(honcho.pid, signal.SIGKILL)
                honcho.wait()

    console = log.read_text()
    assert missing[0] == 404
    assert (favicon[0], favicon[1].endswith("/static/favicon.svg")) == (200, True)
    assert favicon[2].startswith(b"<svg")
    # One line per event: the 404 is logged once (Django's own console handler is gone) and
    # its request once by runserver.
    assert console.count("Not Found: /no-such-page/here/") == 1, console
    assert console.count('"GET /no-such-page/here/ HTTP/1.1" 404') == 1, console
    # Ctrl-C: everything stops within seconds, without a traceback or an error.
    assert stopped_in < 10, console
    assert "Traceback" not in console and "ERROR" not in console, console
    assert honcho.returncode in (0, 130), console


def message():
    email = mail.EmailMultiAlternatives(
        "We have received your complaint AMO-2026-000001",
        "Thank you. Follow it here: https://example.com/c/acme/status/X/?key=secret",
        "Acme <noreply@acme.example>",
        ["maria@example.com"],
    )
    email.attach_alternative("<p>Thank you.</p>", "text/html")
    return email


def test_the_console_backend_prints_one_line_per_email_by_default(settings):
    settings.EMAIL_LOG_BODIES = False
    stream = StringIO()

    EmailBackend(stream=stream).send_messages([message(), message()])

    assert (
        stream.getvalue()
        == (
            "Email to maria@example.com: “We have received your complaint AMO-2026-000001” "
            "(2 parts, not printed)\n"
        )
        * 2
    )


def test_the_console_backend_prints_whole_emails_when_asked(settings):
    settings.EMAIL_LOG_BODIES = True
    stream = StringIO()

    EmailBackend(stream=stream).send_messages([message()])

    printed = stream.getvalue()
    assert "Subject: We have received your complaint AMO-2026-000001" in printed
    assert "?key=secret" in printed
