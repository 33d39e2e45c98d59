"""The processes a benchmark runs beside the app: an SMTP server that only records what
arrives and when, a Celery worker as deployed, and a watch on its memory."""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller


class _Inbox:
    """Keeps the raw message and when it arrived; counts SMTP sessions (one EHLO each)."""

    def __init__(self):
        self.received: list[tuple[float, tuple[str, ...], bytes]] = []
        self.sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.received.append((time.time(), tuple(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


class SmtpSink:
    """aiosmtpd on 127.0.0.1 in a thread of this process.

    ``tests.servers.SmtpSink`` parses each message as it arrives, which would spend the
    2 cores' time during the measurement, and keeps no arrival time: this one does neither.
    """

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = _Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


class Worker:
    """``celery worker`` as deployed (prefork, ``--concurrency``), in a process group of its
    own so a Ctrl-C reaches this script only, which then stops the worker itself."""

    def __init__(self, *, concurrency: int, smtp_port: int, log_path: Path, queue: str, root: Path):
        self.concurrency = concurrency
        self.queue, self.root = queue, root
        self.smtp_port = smtp_port
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        environment = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp_port),
            "CELERY_QUEUE": self.queue,
            "CELERY_BULK_QUEUE": f"{self.queue}-bulk",
        }
        command = [sys.executable, "-m", "celery", "-A", "config", "worker"]
        # The queue and its bulk mail's twin (survey emails), served in that order as deployed.
        queues = f"{self.queue},{self.queue}-bulk"
        command += [f"--concurrency={self.concurrency}", "--loglevel=INFO", "-Q", queues]
        command += ["--hostname=bench-invitations@%h"]
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.root,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while " ready." not in self.log():
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited:\n{self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the worker is not ready after {timeout}s:\n{self.log()}")
            time.sleep(0.1)

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def pids(self) -> list[int]:
        """The main process and its pool processes."""
        if self.process is None or self.process.poll() is not None:
            return []
        pids = [self.process.pid]
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
            pids += [int(pid) for pid in children.read_text().split()]
        except OSError:
            pass
        return pids

    def stop(self) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL to the worker's own process group."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # pool processes left behind, if any
        self.process.wait()


def memory_kib(pid: int, field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of a process, in KiB; 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemoryWatch(threading.Thread):
    """Samples the worker's total RSS (main + pool processes) four times a second."""

    def __init__(self, worker: Worker):
        super().__init__(daemon=True)
        self.worker = worker
        self.peak_total_kib = 0
        self.peak_each_kib: dict[int, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.25):
            pids = self.worker.pids()
            self.peak_total_kib = max(
                self.peak_total_kib, sum(memory_kib(pid, "VmRSS") for pid in pids)
            )
            for pid in pids:  # the kernel's own high-water mark of each process
                self.peak_each_kib[pid] = max(
                    self.peak_each_kib.get(pid, 0), memory_kib(pid, "VmHWM")
                )
