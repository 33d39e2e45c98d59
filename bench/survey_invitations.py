"""Benchmark: survey invitations sent through a real Celery worker to a real SMTP server.

    createdb -h 127.0.0.1 -U postgres loopdesk_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopdesk_bench \\
        .venv/bin/python bench/survey_invitations.py --count 10000
    # --smoke: 200 invitations, a check that the whole path works

Setup (timed apart, not part of the measurement): a tenant of its own (``invitations-bench``)
with a brand, a published survey (NPS primary, CSAT, a comment; question texts in the five
languages) and a rule sending at once to every interaction; ``--count`` customers (bulk-loaded
once, languages in turn) and one API service event for each, recorded through the real
``interaction_record``, so every decision is the service's own and every invitation it writes
is due now. What an earlier run left in the tenant (interactions, invitations, tokens,
emails) is deleted first; this run's rows stay for inspection.

Then it starts an aiosmtpd server in this process (it only stores the raw message and its
arrival time; parsing waits until the end) and ``celery worker --concurrency=2`` (the
Procfile's prefork worker for a 2-core machine, ``DEBUG=0``) on Redis database 3 and a queue
of its own (``BENCH_REDIS_URL`` to change). This process stands in for beat: it sends
``send_survey_invitations_task`` through the broker to the worker, which runs it like any other
task. By default the next scan task is sent as soon as the previous one has answered
(``--beat-interval 0``): that measures what the worker and the database can do.
``--beat-interval 60`` sends one a minute, as beat does; each task takes scan after scan of
``SCAN_LIMIT`` invitations for up to ``RUN_FOR_SECONDS``, so a busy minute is not capped at
one scan.

The clock runs from the first scan sent until the SMTP server has accepted the last message.
Then the run is checked: as many messages as invitations, each Message-ID, recipient and
survey token once, every token one of the invitations', every outbox row sent. Prints the
throughput, the latency from the outbox row being written to the SMTP server accepting the
message (p50, p95, max), the scans, the worker's task times (from its log) and its peak memory.
The worker and the SMTP server are stopped on every exit, Ctrl-C included.
"""

import argparse
import collections
import hashlib
import logging
import os
import re
import secrets
import signal
import statistics
import sys
import time
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# A Redis database and a queue of the benchmark's own: never the tests' or a developer's worker.
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
os.environ["CELERY_BROKER_URL"] = os.environ["REDIS_URL"]
os.environ["CELERY_RESULT_BACKEND"] = os.environ["REDIS_URL"]
os.environ["CELERY_QUEUE"] = "loopdesk-bench-invitations"
os.environ["CELERY_BULK_QUEUE"] = "loopdesk-bench-invitations-bulk"

import django

django.setup()
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per SMTP command

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from processes import MemoryWatch, SmtpSink, Worker  # noqa: E402  (bench/, beside this script)

from config.celery import app as celery_app  # noqa: E402
from customers.models import Customer  # noqa: E402
from notifications.models import Delivery  # noqa: E402
from surveys.interactions.recording import interaction_record  # noqa: E402
from surveys.invitations.sending import SCAN_LIMIT  # noqa: E402
from surveys.models import (  # noqa: E402
    Interaction,
    Invitation,
    InvitationToken,
    Question,
    Survey,
    SurveyRule,
    SurveyVersion,
)
from surveys.scoring import QuestionKind  # noqa: E402
from surveys.sender import RUN_FOR_SECONDS  # noqa: E402
from surveys.tasks import send_survey_invitations_task  # noqa: E402
from tenants.models import Brand, Tenant  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5000
QUEUE = settings.CELERY_TASK_DEFAULT_QUEUE
SLUG = "invitations-bench"
LANGUAGES = [code for code, _name in settings.LANGUAGES]
QUESTIONS = [
    (
        QuestionKind.NPS,
        {
            "en": "How likely are you to recommend Bench Motor to a friend?",
            "el": "Πόσο πιθανό είναι να προτείνετε την Bench Motor σε έναν φίλο;",
            "it": "Quanto è probabile che consigli Bench Motor a un amico?",
            "es": "¿Qué probabilidad hay de que recomiende Bench Motor a un amigo?",
            "ru": "Насколько вероятно, что вы порекомендуете Bench Motor другу?",
        },
    ),
    (QuestionKind.CSAT, {"en": "How satisfied are you with how we handled your request?"}),
    (QuestionKind.TEXT, {"en": "Anything else you would like to tell us?"}),
]
# What each email must carry: a link to the public survey page with its own token.
SURVEY_LINK = re.compile(rf"{re.escape(settings.SITE_URL)}/s/([A-Za-z0-9_-]{{43}})/\?score=")
# Celery's INFO line for a finished task.
TASK_DONE = re.compile(r"Task ([\w.]+)\[[0-9a-f-]+\] succeeded in ([0-9.e-]+)s")
SETTLE_SECONDS = 2  # after the last expected message, to see that no copy follows


# --- setup ------------------------------------------------------------------------------------


def bench_tenant() -> tuple[Tenant, Brand]:
    """The benchmark's tenant, brand, published survey and rule; safe to run again."""
    tenant, _ = Tenant.objects.update_or_create(
        slug=SLUG,
        defaults={
            "name": "Invitations bench",
            "country": "GR",
            "time_zone": "Europe/Athens",
            "default_language": "en",
        },
    )
    brand, _ = Brand.objects.update_or_create(
        tenant=tenant,
        slug=SLUG,
        defaults={
            "name": "Bench Motor",
            "reference_prefix": "INB",
            "sender_name": "Bench Motor",
            "sender_email": "care@invitations-bench.example",
        },
    )
    survey, created = Survey.objects.get_or_create(tenant=tenant, name="After service")
    if created:
        version = SurveyVersion.objects.create(
            tenant=tenant,
            survey=survey,
            number=1,
            status=SurveyVersion.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        for position, (kind, text) in enumerate(QUESTIONS, start=1):
            Question.objects.create(
                tenant=tenant,
                version=version,
                position=position,
                kind=kind,
                text=text,
                is_primary=position == 1,
                is_required=position == 1,
            )
        # Every API event of the brand, at once (the interactions are recorded a minute old).
        SurveyRule.objects.create(
            tenant=tenant, survey=survey, brand=brand, delay_minutes=0, sample_percent=100
        )
    return tenant, brand


def customers(tenant: Tenant, count: int) -> list[Customer]:
    """``count`` customers with an email address, bulk-loaded the first time they are needed."""
    have = Customer.objects.for_tenant(tenant).count()
    Customer.objects.bulk_create(
        [
            Customer(
                tenant=tenant,
                name=f"Bench customer {n}",
                email=f"customer{n}@invitations-bench.example",
                email_key=f"customer{n}@invitations-bench.example",
                language=LANGUAGES[n % len(LANGUAGES)],
            )
            for n in range(have, count)
        ],
        batch_size=BATCH,
    )
    return list(Customer.objects.for_tenant(tenant).order_by("pk")[:count])


def clean(tenant: Tenant) -> None:
    """What an earlier run wrote: without it, its invitations would throttle this run's."""
    Delivery.objects.for_tenant(tenant).delete()
    InvitationToken.objects.for_tenant(tenant).delete()
    Invitation.objects.for_tenant(tenant).delete()
    Interaction.objects.for_tenant(tenant).delete()


def record_interactions(tenant: Tenant, brand: Brand, people: list[Customer]) -> dict[str, int]:
    """One service event a minute old per customer, decided by the real service."""
    now = timezone.now()
    run = secrets.token_hex(4)
    for n, customer in enumerate(people):
        interaction_record(
            tenant=tenant,
            brand=brand,
            customer=customer,
            occurred_at=now - timedelta(minutes=1),
            source=Interaction.Source.API,
            external_reference=f"bench-{run}-{n}",
            now=now,
        )
        if n % 500 == 0:
            print(f"  recorded {n:,} interactions", end="\r", flush=True)
    print(" " * 40, end="\r")
    decisions = Interaction.objects.for_tenant(tenant).values_list("decision", flat=True)
    return dict(collections.Counter(decisions))


def purge_queue() -> int:
    """Drop what an interrupted run left in the benchmark's queue."""
    return celery_app.control.purge()


# --- the run ----------------------------------------------------------------------------------


def due_in_tenant(tenant: Tenant) -> int:
    return Invitation.objects.for_tenant(tenant).filter(status=Invitation.Status.SCHEDULED).count()


def scan(*, tenant: Tenant, beat_interval: float) -> list[tuple[float, dict]]:
    """Send scans through the broker until no invitation of the tenant is left to send.

    ``beat_interval`` 0: the next scan when the previous one has answered. Otherwise one scan
    every ``beat_interval`` seconds, answered or not, as beat does.
    """
    scans = []
    while True:
        sent_at = time.monotonic()
        result = send_survey_invitations_task.delay()
        if beat_interval:
            scans.append((0.0, {}))
            while time.monotonic() < sent_at + beat_interval:
                if due_in_tenant(tenant) == 0:
                    return scans
                time.sleep(0.5)
        else:
            outcome = result.get(timeout=900)
            scans.append((time.monotonic() - sent_at, outcome))
            if due_in_tenant(tenant) == 0:
                return scans


def wait_for(sink: SmtpSink, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(sink.inbox.received) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{len(sink.inbox.received):,} of {count:,} messages after {timeout}s"
            )
        time.sleep(0.05)
    time.sleep(SETTLE_SECONDS)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def check(tenant: Tenant, received: list[tuple[float, tuple[str, ...], bytes]], count: int):
    """Nothing lost, nothing twice: returns each message's outbox-to-server latency (s)."""
    problems = []
    message_ids, recipients, tokens, latencies = set(), set(), set(), []
    created = dict(Delivery.objects.for_tenant(tenant).values_list("pk", "created_at"))
    for arrived, rcpt_tos, content in received:
        message = message_from_bytes(content, policy=policy.default)
        message_ids.add(message["Message-ID"])
        recipients.update(rcpt_tos)
        if rcpt_tos != (message["To"],):
            problems.append(f"envelope {rcpt_tos} but To: {message['To']}")
        text = message.get_body(preferencelist=("plain",)).get_content()
        link = SURVEY_LINK.search(text)
        if link is None:
            problems.append(f"no survey link in the message to {message['To']}")
        else:
            tokens.add(link.group(1))
        delivery_id = int(re.search(r"\.(\d+)@", message["Message-ID"]).group(1))
        latencies.append(arrived - created[delivery_id].timestamp())
    known_hashes = set(
        InvitationToken.objects.for_tenant(tenant).values_list("token_hash", flat=True)
    )
    foreign = {t for t in tokens if hashlib.sha256(t.encode()).hexdigest() not in known_hashes}
    statuses = Delivery.objects.for_tenant(tenant).values_list("status", "attempts")
    unsent = sum(1 for status, _attempts in statuses if status != Delivery.Status.SENT)
    retried = sum(1 for _status, attempts in statuses if attempts != 1)
    invitations = Invitation.objects.for_tenant(tenant)
    expectations = [
        ("messages received", len(received)),
        ("distinct Message-IDs", len(message_ids)),
        ("distinct recipients", len(recipients)),
        ("distinct survey tokens", len(tokens)),
        ("outbox rows", len(statuses)),
        ("invitations sent", invitations.filter(status=Invitation.Status.SENT).count()),
    ]
    for what, value in expectations:
        if value != count:
            problems.append(f"{what}: {value:,}, expected {count:,}")
    if foreign:
        problems.append(f"{len(foreign):,} tokens that are no invitation's")
    if unsent:
        problems.append(f"{unsent:,} outbox rows not sent")
    return expectations, retried, latencies, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="invitations (default 10000)")
    parser.add_argument("--smoke", action="store_true", help="200 invitations, a quick check")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--beat-interval",
        type=float,
        default=0,
        help="seconds between scans (0: the next scan when the previous one answered)",
    )
    options = parser.parse_args()
    count = 200 if options.smoke else options.count
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL: set DATABASE_URL=postgres://...")
    # A `kill` ends the run like a Ctrl-C: through the `finally` that stops the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    tenant, brand = bench_tenant()
    clean(tenant)
    others = Invitation.objects.unscoped().filter(
        status=Invitation.Status.SCHEDULED, send_at__lte=timezone.now() + timedelta(hours=1)
    )
    if others.exists():
        sys.exit(f"{others.count():,} invitations of other tenants are due: scans would send them")
    people = customers(tenant, count)
    loaded = time.perf_counter()
    decisions = record_interactions(tenant, brand, people)
    recorded = time.perf_counter()
    if decisions != {Interaction.Decision.INVITED: count}:
        sys.exit(f"expected {count:,} invitations, the decisions were {decisions}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"setup: {count:,} customers in {loaded - started:.1f} s; {count:,} interactions"
        f" recorded and decided (all invited) in {recorded - loaded:.1f} s"
        f" ({(recorded - loaded) / count * 1000:.1f} ms each)"
    )

    sink = SmtpSink()
    worker = Worker(
        concurrency=options.concurrency,
        smtp_port=sink.port,
        log_path=settings.VAR_DIR / "bench-survey-invitations-worker.log",
        queue=QUEUE,
        root=ROOT,
    )
    watch = MemoryWatch(worker)
    try:
        sink.start()
        purged = purge_queue()
        if purged:
            print(f"dropped {purged:,} tasks an earlier run left in the queue")
        worker.start()
        watch.start()
        mode = (
            f"one scan every {options.beat_interval:g} s"
            if options.beat_interval
            else "each scan sent when the previous one answered"
        )
        print(f"worker ready (prefork, concurrency {options.concurrency}); {mode}")
        print(
            f"load average before the first scan: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)"
        )
        first_scan = time.time()
        scans = scan(tenant=tenant, beat_interval=options.beat_interval)
        scanned = time.time()
        wait_for(sink, count, timeout=max(120.0, count / 5))
        watch.done.set()
        watch.join()
        worker_log = worker.log()
    finally:
        watch.done.set()
        worker.stop()
        sink.stop()
        purge_queue()

    received = list(sink.inbox.received)
    last = sorted(arrived for arrived, _rcpt, _content in received)[count - 1]
    elapsed = last - first_scan
    expectations, retried, latencies, problems = check(tenant, received, count)
    task_times: dict[str, list[float]] = {}
    for name, seconds in TASK_DONE.findall(worker_log):
        task_times.setdefault(name.rpartition(".")[2], []).append(float(seconds))

    print(
        f"\n{count:,} invitations, {len(scans)} scan tasks"
        f" (scans of {SCAN_LIMIT} for up to {RUN_FOR_SECONDS:.0f} s each)"
    )
    print(f"first scan sent → last message accepted: {elapsed:.1f} s")
    print(f"throughput: {count / elapsed:.1f} invitations/s")
    print(f"all invitations scanned after {scanned - first_scan:.1f} s")
    print(
        f"outbox row written → SMTP server accepted: p50 {percentile(latencies, 0.5):.2f} s,"
        f" p95 {percentile(latencies, 0.95):.2f} s, max {max(latencies):.2f} s"
    )
    if not options.beat_interval:
        rounds = [seconds for seconds, _outcome in scans]
        print(
            f"scan round trip (queue wait + run): median {statistics.median(rounds):.1f} s,"
            f" max {max(rounds):.1f} s"
        )
    for name, seconds in sorted(task_times.items()):
        print(
            f"worker: {len(seconds):,} × {name}: median {statistics.median(seconds) * 1000:.1f} ms,"
            f" p95 {percentile(seconds, 0.95) * 1000:.1f} ms, total {sum(seconds):.1f} s"
        )
    scan_seconds = sum(task_times.get("send_survey_invitations_task", []))
    if scan_seconds:
        print(f"the scans: {count / scan_seconds:.1f} invitations per second of scanning")
    print(f"SMTP sessions: {sink.inbox.sessions:,} for {len(received):,} messages")
    each = max(watch.peak_each_kib.values(), default=0)
    print(
        f"worker memory: peak RSS {watch.peak_total_kib / 1024:.0f} MiB in all"
        f" (sampled), {each / 1024:.0f} MiB the largest process"
    )
    print("\nchecks: " + ", ".join(f"{what} {value:,}" for what, value in expectations))
    print(f"outbox rows that needed more than one attempt: {retried}")
    if problems:
        sys.exit("FAILED:\n  " + "\n  ".join(problems))
    print("OK: nothing lost, nothing sent twice")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: the worker and the SMTP server are stopped")
