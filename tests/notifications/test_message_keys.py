"""Notifications are stored as a message key with parameters and worded for each reader: a
Greek reader and an English reader of the same event each read it in their own language,
with the date in their language's format and the tenant's time zone."""

import re
from datetime import UTC, datetime

from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from notifications.messages import TEXT, message_render
from notifications.models import Notification
from notifications.services import NewNotification, notifications_create_bulk

LINK = "/acme/complaints/AMO-2026-000001/"
DUE = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)  # 10:00 in Athens


def listed(member, language: str) -> list[str]:
    client = Client()
    client.force_login(member.user)
    client.cookies["django_language"] = language
    page = client.get(reverse("notification-list", kwargs={"tenant_slug": "acme"}))
    assert page.status_code == 200
    items = re.findall(
        r"<a href=\"/acme/notifications/\d+/\">(.*?)</a>", page.content.decode(), re.S
    )
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def warn(*members):
    notifications_create_bulk(
        notifications=[
            NewNotification(
                tenant_id=member.tenant_id,
                recipient_id=member.pk,
                message="sla.warning",
                params={
                    "reference": "AMO-2026-000001",
                    "clock": "acknowledgement",
                    "due": DUE.isoformat(),
                },
                link=LINK,
                dedupe_key=f"sla:1:acknowledgement:0:0:{member.pk}",
            )
            for member in members
        ],
        created_at=DUE,
    )


def in_athens(language: str) -> str:
    with translation.override(language), timezone.override("Europe/Athens"):
        return formats.date_format(timezone.localtime(DUE), "SHORT_DATETIME_FORMAT")


def test_a_greek_reader_and_an_english_reader_each_read_the_same_warning_in_their_language(
    acme_agent, acme_manager
):
    warn(acme_agent, acme_manager)

    greek = listed(acme_agent, "el")
    english = listed(acme_manager, "en")

    assert greek == [
        "Μη αναγνωσμένη: AMO-2026-000001: η προθεσμία «Επιβεβαίωση παραλαβής» λήγει στις "
        f"{in_athens('el')}."
    ]
    assert english == ["Unread: AMO-2026-000001: Acknowledgement is due 4 Mar 2026, 10:00."]
    # What is stored is the key and plain values, in no language.
    stored = Notification.objects.for_tenant(acme_agent.tenant).values_list("message", "params")
    assert (
        list(stored)
        == [
            (
                "sla.warning",
                {
                    "reference": "AMO-2026-000001",
                    "clock": "acknowledgement",
                    "due": "2026-03-04T08:00:00+00:00",
                },
            )
        ]
        * 2
    )


def test_the_same_reader_switching_language_reads_it_anew(acme_agent):
    warn(acme_agent)

    assert listed(acme_agent, "en") == [
        "Unread: AMO-2026-000001: Acknowledgement is due 4 Mar 2026, 10:00."
    ]
    assert listed(acme_agent, "it") == [
        f"Non letta: AMO-2026-000001: scadenza «Presa in carico» il {in_athens('it')}."
    ]


def test_a_message_without_a_key_known_any_more_shows_its_text_or_its_key():
    assert message_render(TEXT, {"text": "Due today"}) == "Due today"
    assert message_render("gone.away", {"text": "Kept words"}) == "Kept words"
    assert message_render("gone.away", {}) == "gone.away"
    # A warning missing its due time shows what there is rather than fail the page.
    assert message_render("sla.warning", {"reference": "X", "text": "Old words"}) == "Old words"
