"""Real servers for tests: an SMTP sink (aiosmtpd), a Celery worker process and a Redis server."""

import asyncio
import base64
import binascii
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlparse

import redis
from aiosmtpd.controller import Controller
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_available() -> bool:
    if not settings.REDIS_URL:
        return False
    url = urlparse(settings.REDIS_URL)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=1):
            return True
    except OSError:
        return False


class _Mailbox:
    """aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server on 127.0.0.1 that stores what it receives."""

    def __init__(self):
        self.port = free_port()
        self._mailbox = _Mailbox()
        self._controller = Controller(self._mailbox, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self._mailbox.messages

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def wait_for(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


class _HoldingMailbox(_Mailbox):
    """A mailbox that can keep the client waiting inside DATA, for the test to act meanwhile.

    ``before_accept``: the message is kept only when the server answers 250, so a client that
    goes away while held has delivered nothing (aiosmtpd cancels this handler when it does).
    ``after_accept``: the message is kept first and the 250 is held: the window in which the
    server has the message but the client does not know it yet.
    """

    def __init__(self):
        super().__init__()
        self.hold: str | None = None
        self.holding = threading.Event()
        self.on_quit: str | None = None
        self.quitting = threading.Event()

    async def handle_QUIT(self, server, session, envelope):
        """``on_quit``: ``"hang"`` answers nothing until it is unset (or the client goes);
        ``"reset"`` drops the connection with a TCP reset instead of ``221 Bye``."""
        mode = self.on_quit
        if mode is None:
            return "221 Bye"
        self.quitting.set()
        if mode == "reset":
            sock = server.transport.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            server.transport.abort()
        while self.on_quit == mode and server.transport is not None:
            await asyncio.sleep(0.02)  # cancelled by aiosmtpd once the connection is gone
        return "221 Bye"

    async def handle_DATA(self, server, session, envelope):
        mode = self.hold
        message = message_from_bytes(envelope.content, policy=policy.default)
        if mode == "after_accept":
            self.messages.append(message)
        if mode is not None:
            self.holding.set()
            while self.hold == mode and server.transport is not None:
                await asyncio.sleep(0.02)
        if server.transport is None:
            return "421 Client gone"  # no reply can reach it any more
        if mode != "after_accept":
            self.messages.append(message)
        return "250 Message accepted for delivery"


class ControlledSmtpSink(SmtpSink):
    """An SMTP sink a test can stop and start again on the same port, and that can hold a
    message inside DATA or answer QUIT badly (see ``_HoldingMailbox``)."""

    def __init__(self):
        self.port = free_port()
        self._mailbox = _HoldingMailbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        # A stopped aiosmtpd controller has closed its event loop: each start gets a new one.
        self._controller = Controller(self._mailbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @contextmanager
    def holding_data(self, mode: str = "before_accept"):
        """Hold the next messages inside DATA until the block ends; ``holding`` is set when
        the first one is held."""
        if mode not in {"before_accept", "after_accept"}:
            raise ValueError(mode)
        self._mailbox.holding.clear()
        self._mailbox.hold = mode
        try:
            yield self._mailbox.holding
        finally:
            self._mailbox.hold = None

    @contextmanager
    def misbehaving_on_quit(self, mode: str = "hang"):
        """Answer QUIT badly until the block ends (see ``_HoldingMailbox.handle_QUIT``);
        ``quitting`` is set when a client first sent QUIT."""
        if mode not in {"hang", "reset"}:
            raise ValueError(mode)
        self._mailbox.quitting.clear()
        self._mailbox.on_quit = mode
        try:
            yield self._mailbox.quitting
        finally:
            self._mailbox.on_quit = None


class RedisServer:
    """``redis-server`` of a test's own on 127.0.0.1 (nothing saved to disk), which the test
    can stop and start again on the same port."""

    executable = shutil.which("redis-server")

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = Path(settings.VAR_DIR) / f"redis-{self.port}.log"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def start(self, timeout: float = 10) -> None:
        if self.executable is None:
            raise RuntimeError("redis-server is not installed")
        command = [self.executable, "--bind", "127.0.0.1", "--port", str(self.port)]
        command += ["--save", "", "--appendonly", "no", "--dir", str(settings.VAR_DIR)]
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited early:\n{self.log_path.read_text()}")
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server not answering after {timeout}s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def database_url_of(settings_dict: dict) -> str:
    """The DATABASE_URL of the (test) database the current process uses."""
    if "sqlite" in settings_dict["ENGINE"]:
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


class WorkerProcess:
    """``celery worker`` in its own process, on the test database, consuming ``queue`` and
    then its bulk mail's queue (``<queue>-bulk``, as the test settings name it), in that order
    as in production."""

    def __init__(
        self,
        *,
        queue: str,
        database_url: str,
        environment: dict | None = None,
        log_path: Path | None = None,
    ):
        self.queue = queue
        self.bulk_queue = f"{queue}-bulk"
        self.database_url = database_url
        self.environment = environment or {}
        self.process: subprocess.Popen | None = None
        self.log_path = log_path or Path(settings.VAR_DIR) / f"worker-{queue}.log"

    def start(self, timeout: float = 30) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": self.database_url,
            "CELERY_QUEUE": self.queue,
            "CELERY_BULK_QUEUE": self.bulk_queue,
            **self.environment,
        }
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=test-{self.queue}@%h",
                "--loglevel=INFO",
                "-Q",
                f"{self.queue},{self.bulk_queue}",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log()}")
            if " ready." in self.log():
                return
            time.sleep(0.1)
        raise RuntimeError(f"worker not ready after {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: the worker dies at once, in the middle of whatever it is doing."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if getattr(self, "_log", None):
            self._log.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_log", None):
            self._log.close()


class WebProcess:
    """gunicorn serving the app as deployed (``config.gunicorn``, access log on), in its own
    process on the test database; everything it logs (access log, Django's logging) goes to
    one file, :meth:`log`."""

    def __init__(self, *, database_url: str, environment: dict | None = None):
        self.port = free_port()
        self.database_url = database_url
        self.environment = environment or {}
        self.process: subprocess.Popen | None = None
        self.log_path = Path(settings.VAR_DIR) / f"web-{os.getpid()}-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": self.database_url,
            **self.environment,
        }
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--config",
                "python:config.gunicorn",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn not listening after {timeout}s:\n{self.log()}")

    def log(self) -> str:
        if getattr(self, "_log", None) and not self._log.closed:
            self._log.flush()
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_log", None):
            self._log.close()


class BrokerMonitor:
    """Every command the Redis server runs while it is on (``MONITOR``): what the broker
    carries (task messages, results), from every process. :meth:`texts` also gives the
    base64 parts decoded, as Celery encodes a message's body."""

    def __init__(self, url: str):
        self.url = url
        self.commands: list[str] = []
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    def _run(self) -> None:
        # A blocking read: redis-py drops the connection on a read timeout, which would end
        # the monitoring silently. ``__exit__`` wakes the read with a command of its own.
        client = redis.Redis.from_url(self.url)
        with client.monitor() as monitor:
            self._ready.set()
            while not self._stopping.is_set():
                self.commands.append(monitor.next_command()["command"])

    def __enter__(self) -> "BrokerMonitor":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(timeout=5)
        return self

    def __exit__(self, *exc_info) -> None:
        time.sleep(0.5)  # the last commands
        self._stopping.set()
        redis.Redis.from_url(self.url).ping()  # wakes the monitor's read, which then stops
        self._thread.join(timeout=5)

    def texts(self) -> list[str]:
        texts = []
        for command in self.commands:
            texts.append(command)
            for chunk in re.findall(r"[A-Za-z0-9+/]{16,}={0,2}", command):
                try:
                    texts.append(base64.b64decode(chunk + "=" * (-len(chunk) % 4)).decode())
                except (binascii.Error, UnicodeDecodeError):
                    continue
        return texts
