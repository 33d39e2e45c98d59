"""The outbox loses nothing and sends nothing twice when Redis, the SMTP server or a worker fails.

Every test runs real servers of its own on 127.0.0.1, which it stops, starts again or kills: a
``redis-server`` (the broker of this test process and of the worker), an SMTP server, and
``celery worker`` processes on the test database. Waiting out a back-off or the claim timeout is
stood in for by moving ``next_attempt_at`` / ``claimed_at`` back; everything else is the code
that runs in production.
"""

import logging
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone
from kombu import pools

from complaints.models import Complaint
from config.celery import app as celery_app
from notifications.models import Delivery
from notifications.services import CLAIM_TIMEOUT, delivery_message_id
from notifications.tasks import sweep_deliveries_task
from tests.complaint_fixtures import file_complaint
from tests.servers import ControlledSmtpSink, RedisServer, WorkerProcess, database_url_of

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        RedisServer.executable is None, reason="needs redis-server (apt install redis-server)"
    ),
]

# Once the expected messages are in, wait this long to be sure no second copy follows.
SETTLE_SECONDS = 2


# --- servers of the test's own ------------------------------------------------------------------


def _use_broker(url: str, transport_options: dict) -> None:
    """Point this process's Celery app at ``url``; pooled connections to the old one close."""
    pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app.conf.broker_url = url
    celery_app.conf.broker_transport_options = transport_options


@pytest.fixture
def redis_server(monkeypatch):
    """A Redis of this test's own, the broker of its tasks: the test may stop and start it."""
    server = RedisServer()
    server.start()
    # Celery reads CELERY_BROKER_URL from the environment before its configuration.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    saved = (celery_app.conf.broker_url, celery_app.conf.broker_transport_options)
    _use_broker(server.url, {})
    yield server
    _use_broker(*saved)
    server.stop()
    server.log_path.unlink(missing_ok=True)


@pytest.fixture
def smtp_sink():
    sink = ControlledSmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def start_worker(transactional_db, redis_server, smtp_sink):
    """``start_worker()``: a new ``celery worker`` process on the test database (which sees what
    the test commits), this test's Redis and SMTP server."""
    workers: list[WorkerProcess] = []
    queue = settings.CELERY_TASK_DEFAULT_QUEUE

    def start() -> WorkerProcess:
        worker = WorkerProcess(
            queue=queue,
            database_url=database_url_of(connection.settings_dict),
            environment={
                "REDIS_URL": redis_server.url,
                "CELERY_BROKER_URL": redis_server.url,
                "CELERY_RESULT_BACKEND": redis_server.url,
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(smtp_sink.port),
            },
            log_path=settings.VAR_DIR / f"worker-{queue}-outbox-{len(workers) + 1}.log",
        )
        workers.append(worker)
        worker.start()
        return worker

    yield start
    for worker in workers:
        worker.stop()


# --- helpers --------------------------------------------------------------------------------------


def wait_until(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting until {what}")
        time.sleep(0.05)


def wait_for_messages(sink: ControlledSmtpSink, count: int, *, timeout: float) -> list:
    """The sink's messages once ``count`` arrived and nothing more came for a while."""
    wait_until(lambda: len(sink.messages) >= count, timeout=timeout, what=f"{count} messages")
    time.sleep(SETTLE_SECONDS)
    return list(sink.messages)


def deliveries(tenant):
    return Delivery.objects.for_tenant(tenant).order_by("pk")


def states(tenant) -> list[tuple[str, int]]:
    return list(deliveries(tenant).values_list("status", "attempts"))


def make_due(tenant) -> None:
    """Stands in for the back-off passing."""
    deliveries(tenant).filter(status=Delivery.Status.PENDING).update(next_attempt_at=timezone.now())


def file_complaints(brand, count: int) -> list[Complaint]:
    return [
        file_complaint(brand, email=f"customer{n}@example.com", subject=f"Claim {n} not paid")
        for n in range(count)
    ]


def assert_one_acknowledgement_each(messages, complaints, tenant) -> None:
    """One email per complaint: to its customer, naming it, under its delivery's Message-ID."""
    expected = sorted((delivery_message_id(d), d.recipient) for d in deliveries(tenant))
    assert len(expected) == len(complaints)
    assert sorted((message["Message-ID"], message["To"]) for message in messages) == expected
    subjects = {message["To"]: message["Subject"] for message in messages}
    assert all(c.reference in subjects[c.customer.email] for c in complaints)


# --- (a) Redis down -------------------------------------------------------------------------------


def test_complaints_filed_while_redis_is_down_are_saved_and_acknowledged_once_when_it_is_back(
    start_worker, redis_server, smtp_sink, acme, acme_brand, caplog
):
    # given a worker on the test's Redis (this process sends its tasks there too), and that
    # Redis going down
    worker = start_worker()
    assert f"redis://:**@127.0.0.1:{redis_server.port}/0" in worker.log()
    assert celery_app.connection_for_write().port == redis_server.port
    redis_server.stop()

    # when three complaints are filed
    with caplog.at_level(logging.ERROR, logger="django.db.backends.base"):
        complaints = file_complaints(acme_brand, 3)

    # then they are saved, and each acknowledgement waits in the outbox: handing it to the
    # broker after commit failed (and was logged), nothing was sent
    assert Complaint.objects.for_tenant(acme).count() == 3
    assert states(acme) == [(Delivery.Status.PENDING, 0)] * 3
    failed_dispatches = [
        record
        for record in caplog.records
        if "on_commit" in record.getMessage() and "Connection refused" in record.getMessage()
    ]
    assert len(failed_dispatches) == 3
    assert smtp_sink.messages == []

    # when Redis is back and the sweeper runs: twice, like two beat ticks before the worker
    # catches up, so every message is queued twice
    redis_server.start()
    assert sweep_deliveries_task() == 3
    sweep_deliveries_task()

    # then the worker (reconnecting to the broker by itself) sends each acknowledgement once
    messages = wait_for_messages(smtp_sink, 3, timeout=30)
    assert len(messages) == 3
    assert_one_acknowledgement_each(messages, complaints, acme)
    assert states(acme) == [(Delivery.Status.SENT, 1)] * 3


# --- (b) SMTP server down -------------------------------------------------------------------------


def test_while_the_smtp_server_is_down_deliveries_retry_and_arrive_once_when_it_is_back(
    start_worker, smtp_sink, acme, acme_brand
):
    # given a worker, and the SMTP server down
    start_worker()
    smtp_sink.stop()

    # when two complaints are filed
    complaints = file_complaints(acme_brand, 2)

    # then the worker tries each acknowledgement at once, fails, and puts it back with a back-off
    wait_until(
        lambda: states(acme) == [(Delivery.Status.PENDING, 1)] * 2,
        timeout=15,
        what="both deliveries failed once",
    )
    soon = timezone.now() + timedelta(seconds=20)
    for delivery in deliveries(acme):
        assert delivery.last_error.startswith("ConnectionRefusedError")
        assert delivery.next_attempt_at > soon  # 30 s after the first attempt
    assert sweep_deliveries_task() == 0  # not due before the back-off is over

    # when the back-off is over and the sweeper runs, while the server is still down
    make_due(acme)
    assert sweep_deliveries_task() == 2

    # then each is tried again, fails again and waits longer
    wait_until(
        lambda: states(acme) == [(Delivery.Status.PENDING, 2)] * 2,
        timeout=15,
        what="both deliveries failed twice",
    )
    later = timezone.now() + timedelta(seconds=50)
    assert all(d.next_attempt_at > later for d in deliveries(acme))  # 60 s now
    assert smtp_sink.messages == []

    # when the server is back on its address, the back-off is over and the sweeper runs
    smtp_sink.start()
    make_due(acme)
    assert sweep_deliveries_task() == 2

    # then each acknowledgement arrives once
    messages = wait_for_messages(smtp_sink, 2, timeout=15)
    assert len(messages) == 2
    assert_one_acknowledgement_each(messages, complaints, acme)
    assert states(acme) == [(Delivery.Status.SENT, 3)] * 2
    assert list(deliveries(acme).values_list("last_error", flat=True)) == ["", ""]


# --- (c) worker killed while sending --------------------------------------------------------------


def test_a_worker_killed_while_sending_leaves_each_message_to_be_sent_once_by_another(
    start_worker, smtp_sink, acme, acme_brand
):
    # given a worker in the middle of sending the first acknowledgement: the SMTP server holds
    # it inside DATA, before answering; the second waits in the broker behind it
    first_worker = start_worker()
    with smtp_sink.holding_data("before_accept") as holding:
        complaints = file_complaints(acme_brand, 2)
        assert holding.wait(timeout=15), "the worker never reached DATA"

        # when the worker is killed there
        first_worker.kill()

    # then the first is left claimed by the dead worker, the second untouched; nothing arrived
    assert states(acme) == [(Delivery.Status.SENDING, 1), (Delivery.Status.PENDING, 0)]
    time.sleep(0.5)
    assert smtp_sink.messages == []
    # a sweep before the claim times out leaves the claimed one alone (its sender may be slow)
    # and queues the second again (harmless: it is sent by whoever claims it first)
    assert sweep_deliveries_task() == 1
    assert states(acme)[0] == (Delivery.Status.SENDING, 1)

    # when another worker starts, and later the claim times out and the sweeper runs
    start_worker()
    wait_until(
        lambda: states(acme)[1] == (Delivery.Status.SENT, 1),
        timeout=15,
        what="the second is sent by the new worker",
    )
    assert states(acme)[0] == (Delivery.Status.SENDING, 1)
    deliveries(acme).filter(status=Delivery.Status.SENDING).update(
        claimed_at=F("claimed_at") - CLAIM_TIMEOUT
    )
    assert sweep_deliveries_task() == 1

    # then each acknowledgement has arrived exactly once
    messages = wait_for_messages(smtp_sink, 2, timeout=15)
    assert len(messages) == 2
    assert_one_acknowledgement_each(messages, complaints, acme)
    assert states(acme) == [(Delivery.Status.SENT, 2), (Delivery.Status.SENT, 1)]


def test_a_worker_killed_after_the_server_took_the_message_sends_it_again_with_the_same_id(
    start_worker, smtp_sink, acme, acme_brand
):
    """The window SMTP cannot close: the server has the message, the sender dies before the
    250 reaches it. The row is sent again; the copy carries the first one's Message-ID, so the
    receiving side can drop it."""
    # given a worker whose message the SMTP server has taken but not yet answered
    first_worker = start_worker()
    with smtp_sink.holding_data("after_accept") as holding:
        [complaint] = file_complaints(acme_brand, 1)
        assert holding.wait(timeout=15), "the worker never reached DATA"

        # when the worker is killed before it hears the 250
        first_worker.kill()
    assert states(acme) == [(Delivery.Status.SENDING, 1)]

    # and another worker sends it again once the claim timed out
    start_worker()
    deliveries(acme).update(claimed_at=F("claimed_at") - CLAIM_TIMEOUT)
    assert sweep_deliveries_task() == 1

    # then the server has two copies of one message: the same Message-ID
    messages = wait_for_messages(smtp_sink, 2, timeout=15)
    assert len(messages) == 2
    delivery = deliveries(acme).get()
    assert [m["Message-ID"] for m in messages] == [delivery_message_id(delivery)] * 2
    assert all(complaint.reference in m["Subject"] for m in messages)
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)


def test_a_worker_killed_while_saying_quit_has_marked_its_message_sent_and_it_is_not_resent(
    start_worker, smtp_sink, acme, acme_brand
):
    """The server accepted the DATA; the sender is told so, marks the row, then says QUIT.
    Dying there (or the server never answering) leaves nothing to send again."""
    # given a worker whose QUIT the SMTP server leaves unanswered
    first_worker = start_worker()
    with smtp_sink.misbehaving_on_quit("hang") as quitting:
        [complaint] = file_complaints(acme_brand, 1)
        assert quitting.wait(timeout=15), "the worker never said QUIT"

        # when the worker is killed there
        first_worker.kill()

    # then the delivery is marked sent already: long after its claim would have timed out,
    # the sweeper finds nothing to send, and another worker sends nothing
    assert states(acme) == [(Delivery.Status.SENT, 1)]
    start_worker()
    deliveries(acme).update(claimed_at=F("claimed_at") - CLAIM_TIMEOUT)
    assert sweep_deliveries_task() == 0

    # and the message arrived once
    messages = wait_for_messages(smtp_sink, 1, timeout=15)
    assert len(messages) == 1
    assert_one_acknowledgement_each(messages, [complaint], acme)
    assert states(acme) == [(Delivery.Status.SENT, 1)]
