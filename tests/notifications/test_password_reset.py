""" "Forgot your password?": the link goes through the outbox (an SMTP outage delays it, never
drops it), the answer is the same whether or not the account exists, requests are limited,
and the reset token is kept nowhere but in the email."""

import re
import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse

from notifications.models import Delivery
from notifications.tasks import sweep_deliveries_task
from tenants.models import AuditEntry
from tests.factories import PASSWORD
from tests.notifications.test_outbox_resilience import (  # noqa: F401 (fixtures)
    make_due,
    redis_server,
    smtp_sink,
    start_worker,
    states,
    wait_for_messages,
    wait_until,
)

LINK = re.compile(rf"{re.escape(settings.SITE_URL)}(/accounts/reset/\S+/)")
NEW_PASSWORD = "a brand new secret"


def ask_for_reset(client, email: str, address: str = "127.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def choose_new_password(client, link: str, password: str):
    form = client.get(link, follow=True)
    assert form.context["validlink"] is True
    return client.post(
        form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )


def test_the_reset_email_reaches_the_smtp_server_through_the_outbox_and_worker(
    celery_worker, _smtp_sink, acme_agent, client
):
    response = ask_for_reset(client, "BOB@acme.example", address="192.0.2.1")

    assert response["Location"] == reverse("password_reset_done")
    [message] = _smtp_sink.wait_for(1, timeout=30)
    assert message["To"] == "bob@acme.example"
    assert message["Subject"] == "Your Loopdesk password"
    [delivery] = Delivery.objects.for_tenant(acme_agent.tenant_id)
    assert delivery.recipient == "bob@acme.example"
    wait_until(
        lambda: Delivery.objects.for_tenant(acme_agent.tenant_id).get().status == "sent",
        timeout=10,
        what="the delivery is marked sent",
    )
    # built on SITE_URL, not on the Host header the client sent
    link = LINK.search(message.get_content()).group(1)

    done = choose_new_password(client, link, NEW_PASSWORD)

    assert done["Location"] == reverse("password_reset_complete")
    signed_in = client.post(
        reverse("login"), {"username": "bob@acme.example", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert int(client.session[SESSION_KEY]) == acme_agent.user.pk
    assert client.get(link, follow=True).context["validlink"] is False  # it works once
    assert list(
        AuditEntry.objects.for_tenant(acme_agent.tenant_id)
        .filter(action="account.password_reset")
        .values_list("target_id", flat=True)
    ) == [str(acme_agent.user.pk)]


def test_with_the_smtp_server_down_the_reset_email_arrives_later(
    start_worker,  # noqa: F811
    smtp_sink,  # noqa: F811
    acme,
    acme_agent,
    client,
):
    start_worker()
    smtp_sink.stop()

    ask_for_reset(client, "bob@acme.example")

    wait_until(
        lambda: states(acme) == [(Delivery.Status.PENDING, 1)],
        timeout=15,
        what="the first attempt failed",
    )
    assert smtp_sink.messages == []

    smtp_sink.start()
    make_due(acme)
    assert sweep_deliveries_task() == 1

    [message] = wait_for_messages(smtp_sink, 1, timeout=15)
    assert message["To"] == "bob@acme.example"
    assert states(acme) == [(Delivery.Status.SENT, 2)]
    assert LINK.search(message.get_content())


def test_an_unknown_address_gets_the_same_answer_in_the_same_time_and_nothing_is_sent(
    client, acme_agent, acme_manager
):
    # (the first request of a process loads templates and code: not what is measured)
    ask_for_reset(client, "mario@acme.example", address="192.0.2.8")
    ask_for_reset(client, "someone@acme.example", address="192.0.2.9")
    known_started = time.monotonic()
    known = ask_for_reset(client, "bob@acme.example", address="192.0.2.10")
    known_seconds = time.monotonic() - known_started
    unknown_started = time.monotonic()
    unknown = ask_for_reset(client, "nobody@acme.example", address="192.0.2.11")
    unknown_seconds = time.monotonic() - unknown_started

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert unknown.content == known.content
    assert (
        Delivery.objects.for_tenant(acme_agent.tenant_id)
        .filter(recipient="bob@acme.example")
        .count()
        == 1
    )
    assert Delivery.objects.unscoped().filter(recipient__startswith="nobody").count() == 0
    # both wait out the floor, so neither answer is quicker
    floor = settings.PASSWORD_RESET_MIN_SECONDS
    assert known_seconds >= floor and unknown_seconds >= floor
    assert abs(known_seconds - unknown_seconds) < 0.1
    done = client.get(known["Location"]).content.decode()
    assert "If an account uses that address, a link to choose a new password is on its way." in done


def test_requests_are_limited_per_email_address(client, acme_agent, settings):
    settings.PASSWORD_RESET_MIN_SECONDS = 0
    for n in range(3):
        assert ask_for_reset(client, "bob@acme.example", address=f"192.0.2.{n}").status_code == 302

    refused = ask_for_reset(client, "bob@acme.example", address="192.0.2.99")

    assert refused.status_code == 429
    assert "Too many reset requests. Try again in" in refused.content.decode()
    # the same for an address no account uses: the limit tells nothing either
    for n in range(3):
        ask_for_reset(client, "nobody@acme.example", address=f"192.0.2.{n}")
    assert ask_for_reset(client, "nobody@acme.example", address="192.0.2.98").status_code == 429


def test_requests_are_limited_per_client_address(client, acme_agent, settings):
    settings.PASSWORD_RESET_MIN_SECONDS = 0
    for n in range(10):
        ask_for_reset(client, f"someone{n}@example.com", address="203.0.113.9")

    refused = ask_for_reset(client, "bob@acme.example", address="203.0.113.9")

    assert refused.status_code == 429
    assert Delivery.objects.for_tenant(acme_agent.tenant_id).count() == 0


def test_a_weak_password_is_refused_on_the_reset_form(client, acme_agent):
    ask_for_reset(client, "bob@acme.example")
    link = LINK.search(Delivery.objects.for_tenant(acme_agent.tenant_id).get().body).group(1)

    response = choose_new_password(client, link, "12345678")

    text = response.content.decode()
    assert "This password is too short. It must contain at least 10 characters." in text
    assert "This password is too common." in text
    assert "This password is entirely numeric." in text
    acme_agent.user.refresh_from_db()
    assert acme_agent.user.check_password(PASSWORD)


def test_the_reset_token_is_kept_nowhere_but_in_the_email(client, acme_agent):
    ask_for_reset(client, "bob@acme.example")
    body = Delivery.objects.for_tenant(acme_agent.tenant_id).get().body
    link = LINK.search(body).group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]

    form = client.get(link, follow=True)

    assert form.context["validlink"] is True
    assert token not in form.redirect_chain[-1][0]
    stored_sessions = [s.session_data + str(s.get_decoded()) for s in Session.objects.all()]
    assert stored_sessions and not any(token in stored for stored in stored_sessions)
    # the outbox row keeps it for sending; its dedupe key and headers do not
    delivery = Delivery.objects.for_tenant(acme_agent.tenant_id).get()
    assert token not in delivery.dedupe_key + str(delivery.headers) + delivery.subject


def test_a_reset_unlocks_a_locked_account(client, acme_agent):
    for _ in range(5):
        client.post(reverse("login"), {"username": "bob@acme.example", "password": "wrong"})
    ask_for_reset(client, "bob@acme.example")
    link = LINK.search(Delivery.objects.for_tenant(acme_agent.tenant_id).get().body).group(1)

    choose_new_password(client, link, NEW_PASSWORD)
    response = client.post(
        reverse("login"), {"username": "bob@acme.example", "password": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert SESSION_KEY in client.session


def test_the_link_is_built_for_the_sites_address_whatever_the_host_header(
    client, acme_agent, settings
):
    settings.ALLOWED_HOSTS = ["*"]
    client.post(reverse("password_reset"), {"email": "bob@acme.example"}, HTTP_HOST="evil.example")

    body = Delivery.objects.for_tenant(acme_agent.tenant_id).get().body
    assert LINK.search(body)
    assert "evil.example" not in body
