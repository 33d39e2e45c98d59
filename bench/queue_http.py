"""Benchmark: the queue's first page over HTTP, a git revision against the working tree.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopdesk_bench \\
        .venv/bin/python bench/complaint_queue.py --complaints 200000   # loads the data once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopdesk_bench \\
        .venv/bin/python bench/queue_http.py --base 6496ed3 --rounds 3

Each tree is served as in production: gunicorn with two sync workers, ``DEBUG=0``, hashed
static files, the same database, Redis and secret key (so one session cookie logs the demo
admin into both). The base revision is exported with ``git archive`` into a temporary folder
(the repository's worktrees are not touched). ``wrk -t2 -c8`` then loads each server in turn,
alternating base and working tree ``--rounds`` times, so a change in the machine's load
affects both alike; without ``/usr/bin/wrk`` a small Python client with 8 keep-alive
connections stands in. The script prints requests per second and latency per run, the medians
and their ratio, and stops both servers on any exit.
"""

import argparse
import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WRK = shutil.which("wrk")
SECRET_KEY = "bench-queue-http-not-a-secret-key-0123456789abcdef"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(tree: Path, static_root: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        PYTHONPATH=str(tree),
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=str(static_root),
        LOOPDESK_VAR_DIR=str(static_root.parent / "var"),
        LOG_LEVEL="WARNING",
    )
    return env


def export_revision(revision: str, into: Path) -> Path:
    """The files of ``revision`` in ``into`` (``git archive``), translations compiled."""
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def prepare(tree: Path, work: Path) -> dict:
    """Compiled catalogues and collected (hashed) static files for ``tree``; its environment."""
    static_root = work / "static"
    env = _environment(tree, static_root)
    manage = [PYTHON, str(tree / "manage.py")]
    subprocess.run(
        [*manage, "compilemessages", "--ignore", ".venv", "-v", "0"], cwd=tree, env=env, check=True
    )
    subprocess.run(
        [*manage, "collectstatic", "--noinput", "-v", "0"], cwd=tree, env=env, check=True
    )
    return env


class Server:
    """gunicorn, two sync workers, in a process group of its own."""

    def __init__(self, name: str, tree: Path, env: dict, log: Path):
        self.name, self.tree, self.env, self.log = name, tree, env, log
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        gunicorn = Path(PYTHON).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "config.wsgi",
                "--workers=2",
                "--worker-class=sync",
                f"--bind=127.0.0.1:{self.port}",
                "--log-level=warning",
            ],
            cwd=self.tree,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            health = f"http://127.0.0.1:{self.port}/healthz"
            with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=2):
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name}: gunicorn did not answer; see {self.log}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def admin_session(env: dict) -> str:
    """A session cookie value for the demo admin, written through Django (any tree's code)."""
    code = (
        "import django; django.setup()\n"
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from tenants.models import Membership, Role, Tenant\n"
        "tenant = Tenant.objects.get(slug='aegean')\n"
        "user = Membership.objects.for_tenant(tenant).select_related('user')"
        ".get(role=Role.ADMIN).user\n"
        "session = SessionStore()\n"
        "session[SESSION_KEY] = str(user.pk)\n"
        "from django.conf import settings\n"
        "session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]\n"
        "session[HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
        "session.save()\n"
        "print(session.session_key)\n"
    )
    result = subprocess.run(
        [PYTHON, "-c", code], env=env, cwd=env["PYTHONPATH"], check=True, capture_output=True
    )
    return result.stdout.decode().strip().splitlines()[-1]


def check_page(port: int, path: str, cookie: str) -> int:
    """The page answers 200 with rows for the logged-in admin (not a login redirect)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    if response.status != 200 or body.count('<tr class="priority-') < 25:
        raise RuntimeError(
            f"port {port}: {path} answered {response.status} without 25 rows "
            f"(Location: {response.getheader('Location')})"
        )
    return len(body)


def load_wrk(port: int, path: str, cookie: str, seconds: int) -> dict:
    output = subprocess.run(
        [
            WRK,
            "-t2",
            "-c8",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Cookie: sessionid={cookie}",
            f"http://127.0.0.1:{port}{path}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"port {port}: {errors.group(1)} failed responses\n{output}")
    return {"rate": rate, "p50": _ms(p50), "p99": _ms(p99)}


def _ms(match) -> float:
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def load_python(port: int, path: str, cookie: str, seconds: int) -> dict:
    """wrk's stand-in: 8 keep-alive connections on 8 threads for ``seconds``."""
    stop_at = time.monotonic() + seconds
    timings: list[float] = []
    lock = threading.Lock()

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"port {port}: {response.status}")
            mine.append((time.perf_counter() - started) * 1000)
        connection.close()
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timings.sort()
    return {
        "rate": len(timings) / seconds,
        "p50": statistics.median(timings),
        "p99": timings[int(len(timings) * 0.99) - 1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="6496ed3", help="the git revision to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=20, help="length of each wrk run")
    parser.add_argument("--path", default="/aegean/complaints/?queue=all")
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Run this against the PostgreSQL database bench/complaint_queue.py loaded.")
    load = load_wrk if WRK else load_python

    work = Path(tempfile.mkdtemp(prefix="loopdesk-queue-http-"))
    servers: list[Server] = []
    try:
        trees = {
            f"base {options.base}": export_revision(options.base, work / "base" / "tree"),
            "working tree": ROOT,
        }
        for name, tree in trees.items():
            folder = work / ("base" if tree != ROOT else "work")
            folder.mkdir(exist_ok=True)
            servers.append(Server(name, tree, prepare(tree, folder), folder / "gunicorn.log"))
        cookie = admin_session(servers[-1].env)
        for server in servers:
            server.start()
            size = check_page(server.port, options.path, cookie)
            load(server.port, options.path, cookie, 3)  # warm both workers
            print(f"{server.name}: port {server.port}, page {size:,} bytes")

        print(
            f"\n{'wrk -t2 -c8' if WRK else 'python client, 8 connections'}, "
            f"{options.seconds} s a run, {options.path}\n"
        )
        print(f"{'round':>5}  {'server':24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
        results: dict[str, list[dict]] = {server.name: [] for server in servers}
        for round_number in range(1, options.rounds + 1):
            for server in servers:
                result = load(server.port, options.path, cookie, options.seconds)
                results[server.name].append(result)
                print(
                    f"{round_number:>5}  {server.name:24} {result['rate']:8.1f} "
                    f"{result['p50']:8.1f} {result['p99']:8.1f}",
                    flush=True,
                )
        medians = {
            name: statistics.median(r["rate"] for r in runs) for name, runs in results.items()
        }
        print()
        for name, median in medians.items():
            print(f"median {name:24} {median:8.1f} req/s")
        base_rate, work_rate = medians.values()
        print(f"working tree / base: {work_rate / base_rate:.2f}×")
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
