"""In-app notifications: each member sees, counts and reads only their own."""

import ast
import itertools
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications import services
from notifications.messages import TEXT
from notifications.models import Notification
from notifications.selectors import unread_count
from notifications.services import (
    NewNotification,
    notification_create,
    notifications_create_bulk,
    notifications_mark_read,
)
from tenants.errors import ApplicationError

LINK = "/acme/complaints/AMO-2026-000001/"
_keys = itertools.count()


def notify(member, text="Complaint AMO-2026-000001 is due today", *, key=None, link=LINK):
    return notification_create(
        recipient=member,
        message=TEXT,
        params={"text": text},
        link=link,
        dedupe_key=key or f"test:{next(_keys)}",
    )


def url(name, tenant_slug="acme", **kwargs):
    return reverse(name, kwargs={"tenant_slug": tenant_slug, **kwargs})


def open_url(notification, tenant_slug="acme"):
    return url("notification-open", tenant_slug, notification_id=notification.pk)


def is_unread(notification) -> bool:
    return (
        Notification.objects.for_tenant(notification.tenant_id).get(pk=notification.pk).read_at
        is None
    )


def listed_texts(response) -> list[str]:
    return [notification.text for notification in response.context["notifications"]]


def page_text(response) -> str:
    """The page without its per-render CSRF token."""
    return re.sub(r"[A-Za-z0-9]{64}", "<token>", response.content.decode())


def bell(response) -> str:
    [link] = re.findall(r'<a class="bell".*?</a>', response.content.decode(), re.S)
    return link


# --- creating -------------------------------------------------------------------------------


def test_the_same_key_notifies_once(acme_agent):
    first = notify(acme_agent, "SLA breached on AMO-2026-000001", key="sla-breach:1:bob")
    again = notify(acme_agent, "SLA breached again", key="sla-breach:1:bob")

    assert first is not None
    assert again is None
    rows = Notification.objects.for_tenant(acme_agent.tenant).filter(dedupe_key="sla-breach:1:bob")
    assert [row.text for row in rows] == ["SLA breached on AMO-2026-000001"]


def test_keys_are_per_tenant(acme_agent, globex_agent):
    assert notify(acme_agent, key="digest:2026-11") is not None
    assert notify(globex_agent, key="digest:2026-11", link="/globex/") is not None


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/acme/",
        "//evil.example/acme/",
        "javascript:alert(1)",
        "complaints/AMO-2026-000001/",
        "/" + "a" * 300,
    ],
)
def test_a_link_off_the_app_is_refused(acme_agent, link):
    with pytest.raises(ApplicationError):
        notify(acme_agent, link=link)

    assert Notification.objects.for_tenant(acme_agent.tenant).count() == 0


def test_an_unknown_message_or_a_parameter_that_is_not_plain_is_refused(acme_agent):
    with pytest.raises(ValueError):
        notification_create(recipient=acme_agent, message="no.such.message", dedupe_key="a")
    with pytest.raises(ValueError):
        notification_create(
            recipient=acme_agent, message=TEXT, params={"text": TICK}, dedupe_key="b"
        )

    assert Notification.objects.for_tenant(acme_agent.tenant).count() == 0


# --- many at once (the SLA scan's tick) -----------------------------------------------------

TICK = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)


def row(member, key, text="AMO-2026-000001: acknowledgement is overdue.", link=LINK):
    return NewNotification(
        tenant_id=member.tenant_id,
        recipient_id=member.pk,
        message=TEXT,
        params={"text": text},
        link=link,
        dedupe_key=key,
    )


def stored(tenant):
    return list(
        Notification.objects.for_tenant(tenant)
        .order_by("dedupe_key")
        .values_list("recipient__user__email", "params__text", "link", "dedupe_key", "created_at")
    )


def test_a_bulk_writes_each_row_for_its_recipient_at_the_given_time(acme_agent, acme_manager):
    notifications_create_bulk(
        notifications=[
            row(acme_agent, "sla:1:ack:0:1:bob", "AMO-2026-000001 for bob"),
            row(acme_manager, "sla:1:ack:0:1:mario", "AMO-2026-000001 for mario", link=""),
        ],
        created_at=TICK,
    )

    assert stored(acme_agent.tenant) == [
        ("bob@acme.example", "AMO-2026-000001 for bob", LINK, "sla:1:ack:0:1:bob", TICK),
        ("mario@acme.example", "AMO-2026-000001 for mario", "", "sla:1:ack:0:1:mario", TICK),
    ]
    assert unread_count(acme_agent) == unread_count(acme_manager) == 1


def test_a_doubled_bulk_notifies_once_and_keeps_the_first_text(acme_agent, acme_manager):
    notifications_create_bulk(
        notifications=[row(acme_agent, "sla:1:bob", "First")], created_at=TICK
    )

    notifications_create_bulk(
        notifications=[
            row(acme_agent, "sla:1:bob", "Second"),
            row(acme_manager, "sla:1:mario", "New"),
        ],
        created_at=TICK,
    )

    assert [(text, key) for _email, text, _link, key, _at in stored(acme_agent.tenant)] == [
        ("First", "sla:1:bob"),
        ("New", "sla:1:mario"),
    ]


def test_a_bulk_key_is_per_tenant(acme_agent, globex_agent):
    notifications_create_bulk(
        notifications=[row(acme_agent, "sla:1:x"), row(globex_agent, "sla:1:x", link="/globex/")],
        created_at=TICK,
    )

    assert (unread_count(acme_agent), unread_count(globex_agent)) == (1, 1)


def test_a_bulk_with_one_link_off_the_app_writes_nothing(acme_agent):
    good = row(acme_agent, "sla:1:good")
    bad = row(acme_agent, "sla:1:bad", link="https://evil.example/acme/")

    with pytest.raises(ApplicationError):
        notifications_create_bulk(notifications=[good, bad], created_at=TICK)

    assert Notification.objects.for_tenant(acme_agent.tenant).count() == 0


def test_a_bulk_with_one_unknown_message_writes_nothing(acme_agent):
    good = row(acme_agent, "sla:1:good")
    bad = row(acme_agent, "sla:1:bad")._replace(message="no.such.message")

    with pytest.raises(ValueError):
        notifications_create_bulk(notifications=[good, bad], created_at=TICK)

    assert Notification.objects.for_tenant(acme_agent.tenant).count() == 0


@pytest.mark.postgres
def test_a_bulk_is_one_statement_on_postgresql_however_many_rows(
    acme_agent, acme_manager, django_assert_num_queries
):
    rows = [
        row(member, f"sla:{n}:{member.pk}")
        for n in range(500)
        for member in (acme_agent, acme_manager)
    ]

    with django_assert_num_queries(1):
        notifications_create_bulk(notifications=rows, created_at=TICK)
    with django_assert_num_queries(1):
        notifications_create_bulk(notifications=rows, created_at=TICK)

    assert unread_count(acme_agent) == unread_count(acme_manager) == 500


def test_the_outbox_services_and_tasks_do_not_import_each_other():
    """The task module imports the services; the services send the task by its name."""
    source = Path(services.__file__).read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            imported |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}

    assert "notifications.tasks" not in imported  # nor ``from notifications import tasks``


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_the_members_own_newest_first(
    client_of, acme_agent, acme_south_agent, acme_manager
):
    notify(acme_agent, "Older for bob")
    notify(acme_agent, "Newer for bob")
    notify(acme_south_agent, "For sara")

    assert listed_texts(client_of(acme_agent).get(url("notification-list"))) == [
        "Newer for bob",
        "Older for bob",
    ]
    assert listed_texts(client_of(acme_south_agent).get(url("notification-list"))) == ["For sara"]
    manager_page = client_of(acme_manager).get(url("notification-list"))
    assert listed_texts(manager_page) == []
    assert "bob" not in manager_page.content.decode()


def test_unread_notifications_stand_out_and_link_to_their_target(client_of, acme_agent):
    read = notify(acme_agent, "Already read")
    unread = notify(acme_agent, "Not read yet")
    notifications_mark_read(member=acme_agent, ids=[read.pk])

    page = client_of(acme_agent).get(url("notification-list")).content.decode()

    assert page.count('<li class="unread">') == 1
    assert page.count('<li class="read">') == 1
    assert f'href="{open_url(unread)}"' in page
    assert f'href="{open_url(read)}"' in page


def test_the_list_runs_the_same_queries_for_1_or_20_notifications(
    client_of, acme_agent, django_assert_num_queries
):
    client = client_of(acme_agent)
    notify(acme_agent, "Notification 0")
    client.get(url("notification-list"))  # warm the session

    # session, user, the memberships (the URL's and the switcher's), the list, the bell's count
    with django_assert_num_queries(5):
        one = client.get(url("notification-list"))
    for number in range(1, 20):
        notify(acme_agent, f"Notification {number}")
    with django_assert_num_queries(5):
        twenty = client.get(url("notification-list"))

    assert len(one.context["notifications"]) == 1
    assert len(twenty.context["notifications"]) == 20
    assert twenty.content.decode().count('<li class="unread">') == 20


# --- the bell -------------------------------------------------------------------------------


def test_the_bell_counts_exactly_the_members_unread_notifications_on_any_page(
    client_of, acme_agent, acme_south_agent, acme_manager
):
    for number in range(4):
        notify(acme_agent, f"For bob {number}")
    notifications_mark_read(
        member=acme_agent,
        ids=[Notification.objects.for_tenant(acme_agent.tenant).order_by("pk").first().pk],
    )
    for number in range(5):
        notify(acme_south_agent, f"For sara {number}")
    notify(acme_manager, "For mario")

    bob = bell(client_of(acme_agent).get(url("home")))
    mario = bell(client_of(acme_manager).get(url("team")))

    assert 'aria-label="3 unread notifications"' in bob
    assert '<span class="bell-count" aria-hidden="true">3</span>' in bob
    assert f'href="{url("notification-list")}"' in bob
    assert 'aria-label="1 unread notification"' in mario
    assert '<span class="bell-count" aria-hidden="true">1</span>' in mario


def test_a_member_with_nothing_unread_gets_a_bell_without_a_number(client_of, acme_manager):
    notifications_mark_read(member=acme_manager)

    bare = bell(client_of(acme_manager).get(url("home")))

    assert 'aria-label="Notifications, none unread"' in bare
    assert "bell-count" not in bare


def test_the_count_endpoint_answers_the_bell_alone_uncached(client_of, acme_agent):
    notify(acme_agent)
    notify(acme_agent)

    response = client_of(acme_agent).get(url("notification-count"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    fragment = response.content.decode().strip()
    assert fragment.startswith('<a class="bell"')
    assert fragment.endswith("</a>")
    assert 'aria-label="2 unread notifications"' in fragment
    assert f'hx-get="{url("notification-count")}"' in fragment


def test_pages_outside_a_workspace_have_no_bell(client_of, acme_agent):
    notify(acme_agent)

    page = client_of(acme_agent).get(reverse("password_change"))

    assert page.status_code == 200
    assert 'class="bell"' not in page.content.decode()


# --- reading --------------------------------------------------------------------------------


def test_mark_all_as_read_touches_only_the_members_own(client_of, acme_agent, acme_south_agent):
    mine = [notify(acme_agent), notify(acme_agent)]
    theirs = notify(acme_south_agent)

    response = client_of(acme_agent).post(url("notification-read"))

    assert response.status_code == 302
    assert response["Location"] == url("notification-list")
    assert not any(is_unread(notification) for notification in mine)
    assert is_unread(theirs)
    assert unread_count(acme_south_agent) == 1


def test_mark_one_as_read(client_of, acme_agent):
    first, second = notify(acme_agent), notify(acme_agent)

    client_of(acme_agent).post(url("notification-read"), {"id": first.pk})

    assert (is_unread(first), is_unread(second)) == (False, True)


def test_marking_someone_elses_notification_changes_nothing(
    client_of, acme_agent, acme_south_agent, globex_agent
):
    colleagues = notify(acme_south_agent)
    foreign = notify(globex_agent, link="/globex/")

    client = client_of(acme_agent)
    for notification in (colleagues, foreign):
        client.post(url("notification-read"), {"id": notification.pk})

    assert is_unread(colleagues)
    assert is_unread(foreign)
    assert notifications_mark_read(member=acme_agent, ids=[colleagues.pk, foreign.pk]) == 0


def test_a_malformed_id_is_refused_and_changes_nothing(client_of, acme_agent):
    notification = notify(acme_agent)

    response = client_of(acme_agent).post(url("notification-read"), {"id": "1 OR 1=1"})

    assert response.status_code == 400
    assert "The notification id must be a number." in response.content.decode()
    assert is_unread(notification)


def test_reading_needs_a_post(client_of, acme_agent):
    notification = notify(acme_agent)

    assert client_of(acme_agent).get(url("notification-read")).status_code == 405
    assert is_unread(notification)


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/acme/complaints/?queue=mine", "/acme/complaints/?queue=mine"),
        ("https://evil.example/acme/", "/acme/notifications/"),
        ("//evil.example/acme/", "/acme/notifications/"),
        ("http://testserver.evil.example/", "/acme/notifications/"),
        ("javascript:alert(1)", "/acme/notifications/"),
        ("", "/acme/notifications/"),
    ],
)
def test_only_a_local_next_is_followed(client_of, acme_agent, next_url, expected):
    notify(acme_agent)

    response = client_of(acme_agent).post(url("notification-read"), {"next": next_url})

    assert response.status_code == 302
    assert response["Location"] == expected
    assert unread_count(acme_agent) == 0


# --- opening --------------------------------------------------------------------------------


def test_opening_a_notification_marks_it_read_and_goes_to_its_link(client_of, acme_agent):
    notification = notify(acme_agent)
    other = notify(acme_agent)

    response = client_of(acme_agent).get(open_url(notification))

    assert response.status_code == 302
    assert response["Location"] == LINK
    assert (is_unread(notification), is_unread(other)) == (False, True)


def test_a_notification_without_a_link_opens_the_list(client_of, acme_agent):
    notification = notify(acme_agent, link="")

    response = client_of(acme_agent).get(open_url(notification))

    assert response["Location"] == url("notification-list")
    assert not is_unread(notification)


def test_opening_a_colleagues_notification_is_a_404_like_a_missing_one(
    client_of, acme_agent, acme_south_agent
):
    colleagues = notify(acme_south_agent)
    client = client_of(acme_agent)

    missing_url = url("notification-open", notification_id=colleagues.pk + 1000)
    refused = client.get(open_url(colleagues))
    missing = client.get(missing_url)

    assert refused.status_code == missing.status_code == 404
    assert page_text(refused) == page_text(missing).replace(missing_url, open_url(colleagues))
    assert is_unread(colleagues)


# --- other tenants --------------------------------------------------------------------------


def test_another_tenants_notification_id_is_a_404_and_stays_unread(
    client_of, acme_agent, globex_agent
):
    foreign = notify(globex_agent, "Globex only", link="/globex/")

    response = client_of(acme_agent).get(open_url(foreign))

    assert response.status_code == 404
    assert is_unread(foreign)
    assert "Globex only" not in response.content.decode()


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "notification-list"),
        ("get", "notification-count"),
        ("post", "notification-read"),
        ("get", "notification-open"),
    ],
)
def test_a_member_of_another_tenant_gets_404_on_every_acme_url(
    client_of, acme_agent, globex_agent, method, name
):
    mine = notify(acme_agent, "Acme only")
    kwargs = {"notification_id": mine.pk} if name == "notification-open" else {}
    data = {"id": mine.pk} if name == "notification-read" else {}
    client = client_of(globex_agent)

    response = getattr(client, method)(url(name, **kwargs), data)

    assert response.status_code == 404
    assert "Acme only" not in response.content.decode()
    assert is_unread(mine)


def test_another_tenants_notification_cannot_be_marked_read_from_either_workspace(
    client_of, acme_agent, globex_agent
):
    foreign = notify(globex_agent, "Globex only", link="/globex/")
    client = client_of(acme_agent)

    through_globex = client.post(url("notification-read", "globex"), {"id": foreign.pk})
    through_acme = client.post(url("notification-read"), {"id": foreign.pk})

    assert through_globex.status_code == 404
    assert "Globex only" not in through_globex.content.decode()
    assert through_acme.status_code == 302  # its own workspace: nothing of its own to mark
    assert is_unread(foreign)
    assert unread_count(globex_agent) == 1


def test_anonymous_visitors_are_sent_to_log_in(client, acme):
    response = client.get(url("notification-list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_bell_counts_in_one_query_per_page(acme_agent, client_of):
    notify(acme_agent)
    client = client_of(acme_agent)
    client.get(url("home"))

    with CaptureQueriesContext(connection) as queries:
        client.get(url("home"))

    counts = [query["sql"] for query in queries.captured_queries if "notification" in query["sql"]]
    assert len(counts) == 1
