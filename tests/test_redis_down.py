"""With Redis down, nothing a customer or a member sends is refused or lost.

Redis is the cache (the rate limiter's counters, an interaction import under way) and the
broker. Each test runs a ``redis-server`` of its own on its own port, points this process's
cache (and, with a worker, the broker) at it and stops it around the requests: the public
complaint form, the status lookup, a survey answer and the staff interactions page must answer
as usual and store what was sent. When Redis is back the sweeper hands the waiting outbox rows
to a worker, which sends each email once. The machine's own Redis is never stopped or flushed.
"""

import logging
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from notifications.models import Delivery
from notifications.services import delivery_message_id
from notifications.tasks import sweep_deliveries_task
from surveys.models import Invitation, Response
from surveys.sender import invitations_run
from tenants import ratelimit
from tests.notifications import test_outbox_resilience as outbox
from tests.servers import RedisServer
from tests.surveys.survey_fixtures import (
    add_rule,
    as_sent,
    make_customer,
    publish_survey,
    record,
    score_links,
    token_in,
)

# The outbox tests' servers: a Redis the test may stop, an SMTP server, ``celery worker``s on both.
redis_server = outbox.redis_server
smtp_sink = outbox.smtp_sink
start_worker = outbox.start_worker

pytestmark = pytest.mark.skipif(
    RedisServer.executable is None, reason="needs redis-server (apt install redis-server)"
)


def use_cache(settings, server: RedisServer) -> None:
    """This process's cache on ``server`` (Django's own Redis backend, as in production)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": f"redis-down-{django_settings.RUN_ID}",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }


@pytest.fixture
def own_redis(settings):
    """A Redis of this test's own as its cache only (no worker, no broker needed)."""
    server = RedisServer()
    server.start()
    use_cache(settings, server)
    yield server
    server.stop()
    server.log_path.unlink(missing_ok=True)


def maria_form(**overrides) -> dict:
    return {
        "name": "Maria Rossi",
        "email": "maria.rossi@example.com",
        "phone": "+30 210 555 0100",
        "language": "en",
        "subject": "Windscreen claim not paid",
        "description": "I claimed for a broken windscreen on 3 March; nobody has paid.",
        "remedy_requested": "Pay the 420 EUR invoice.",
        "website": "",
        **overrides,
    }


def failed_open_warnings(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "tenants.ratelimit" and record.levelno == logging.WARNING
    ]


# --- the public complaint form, the lookup and the staff page, with a worker ----------------------


@pytest.mark.worker
def test_a_complaint_filed_while_redis_is_down_is_stored_and_acknowledged_once_when_it_is_back(
    settings,
    start_worker,
    redis_server,
    smtp_sink,
    client,
    acme_setup,
    acme_brand,
    acme_admin,
    caplog,
):
    # given the cache and the broker on the test's Redis, a worker on it, and that Redis down
    use_cache(settings, redis_server)
    start_worker()
    redis_server.stop()
    failed_open_before = ratelimit.failed_open_count()

    # when Maria files a complaint on the public form
    form_url = reverse(
        "public-complaint-form", kwargs={"tenant_slug": "acme", "brand_slug": acme_brand.slug}
    )
    with caplog.at_level(logging.WARNING):
        filed = client.post(form_url, maria_form())

    # then she is taken to her complaint, which is stored with its email waiting in the outbox
    assert filed.status_code == 302
    complaint = Complaint.objects.for_tenant(acme_setup).get()
    assert filed["Location"] == reverse(
        "public-complaint-status", kwargs={"tenant_slug": "acme", "reference": complaint.reference}
    )
    assert complaint.customer.email == "maria.rossi@example.com"
    waiting_rows = Delivery.objects.for_tenant(acme_setup).order_by("pk")
    assert waiting_rows.exists()
    assert set(waiting_rows.values_list("status", "attempts")) == {(Delivery.Status.PENDING, 0)}
    assert "maria.rossi@example.com" in set(waiting_rows.values_list("recipient", flat=True))
    # the rate limit was not counted, said so, and was let through
    assert ratelimit.failed_open_count() == failed_open_before + 1
    assert failed_open_warnings(caplog) == [
        "Rate limit 'complaint-form' not counted, the cache is unreachable: "
        f"Error 111 connecting to 127.0.0.1:{redis_server.port}. Connection refused."
    ]

    # when she (in another browser) looks it up by reference and email
    lookup = client.__class__().post(
        reverse("public-complaint-lookup", kwargs={"tenant_slug": "acme"}),
        {"reference": complaint.reference, "contact": "maria.rossi@example.com"},
    )

    # then she is told as usual that a link is on its way, and it waits in the outbox (the
    # lookup's two limits, per client and per complaint, let it through)
    assert lookup.status_code == 200
    assert "we have sent a link to it" in lookup.content.decode()
    assert waiting_rows.filter(dedupe_key__contains="-access-").count() == 1
    assert ratelimit.failed_open_count() == failed_open_before + 3

    # and the staff interactions page shows (without the import under way the cache keeps)
    staff = client.__class__()
    staff.force_login(acme_admin.user)
    page = staff.get(reverse("interaction-list", kwargs={"tenant_slug": "acme"}))
    assert page.status_code == 200
    assert "CSV file" in page.content.decode()
    assert smtp_sink.messages == []

    # when Redis is back and the sweeper runs twice (two beat ticks before the worker catches up)
    redis_server.start()
    waiting = waiting_rows.count()
    assert sweep_deliveries_task() == waiting
    sweep_deliveries_task()

    # then each email goes out once, under its outbox row's Message-ID
    messages = outbox.wait_for_messages(smtp_sink, waiting, timeout=30)
    assert sorted((m["Message-ID"], m["To"]) for m in messages) == sorted(
        (delivery_message_id(d), d.recipient) for d in waiting_rows
    )
    assert any(complaint.reference in m["Subject"] for m in messages)
    assert set(waiting_rows.values_list("status", "attempts")) == {(Delivery.Status.SENT, 1)}
    # and the limiter counts again
    assert ratelimit.failed_open_count() == failed_open_before + 3
    assert client.post(form_url, maria_form(subject="Second")).status_code == 302
    assert ratelimit.failed_open_count() == failed_open_before + 3


# --- a survey answer, with the cache down ---------------------------------------------------------


def test_a_survey_answer_sent_while_redis_is_down_is_stored(
    client, own_redis, acme, acme_brand, caplog
):
    # given an invitation to Acme Motor's survey in Maria's mailbox
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=60)
    maria = make_customer(acme, "Maria Rossi", "maria@example.com", language="en")
    now = timezone.now()
    record(acme_brand, maria, occurred_at=now - timedelta(hours=2), now=now, reference="visit-1")
    invitations_run(now=now)
    email = Delivery.objects.for_tenant(acme).get(recipient="maria@example.com")
    links, token = score_links(as_sent(email).body), token_in(email)
    questions = {q.kind: q for q in version.questions.all()}
    answers = {f"q{questions['choice'].pk}": "", f"q{questions['text'].pk}": ""}
    # and the cache's Redis down
    own_redis.stop()
    failed_open_before = ratelimit.failed_open_count()

    # when she clicks 9 and sends the page
    with caplog.at_level(logging.WARNING):
        sent = client.post(links[9], {**answers, f"q{questions['nps'].pk}": "9"})

    # then her answer is stored and she is thanked
    assert sent.status_code == 302
    assert sent["Location"] == f"/s/{token}/thanks/"
    response = Response.objects.for_tenant(acme).get()
    assert (response.primary_score, response.invitation) == (
        9,
        Invitation.objects.for_tenant(acme).get(customer=maria),
    )
    assert ratelimit.failed_open_count() == failed_open_before + 1
    assert failed_open_warnings(caplog)[0].startswith("Rate limit 'survey-submit' not counted")
