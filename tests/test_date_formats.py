"""One date format and one date-and-time format per language (config/formats/), 24-hour where
the language uses it: a moment reads the same on a staff page, a public page and an email."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from complaints.models import Complaint
from notifications.emails import customer_email_render
from tests.complaint_fixtures import file_complaint, status_key

# 12:07 UTC on 5 March 2026 is 14:07 in Athens, Acme's time zone.
RECEIVED = datetime(2026, 3, 5, 12, 7, tzinfo=UTC)
SHOWN = {
    "en": "5 Mar 2026, 14:07",
    "el": "05/03/2026 14:07",
    "it": "05/03/2026 14:07",
    "es": "05/03/2026 14:07",
    "ru": "05.03.2026 14:07",
}

DAY = {"en": r"\d{1,2} [A-Z][a-z]{2} \d{4}", "el": r"\d\d/\d\d/\d{4}"}


@pytest.fixture
def complaint(acme_setup, acme_brand):
    return file_complaint(acme_brand, received_at=RECEIVED)


def staff_page(client_of, member, complaint, language) -> str:
    client = client_of(member)
    client.cookies["django_language"] = language
    url = reverse(
        "complaint-detail", kwargs={"tenant_slug": "acme", "reference": complaint.reference}
    )
    return client.get(url).content.decode()


def public_page(client, complaint, language) -> str:
    client.cookies["django_language"] = language
    url = reverse(
        "public-complaint-status",
        kwargs={"tenant_slug": "acme", "reference": complaint.reference},
    )
    opened = client.get(url, {"key": status_key(complaint)}, follow=True)
    assert opened.status_code == 200
    return opened.content.decode()


def receipt(complaint, language) -> str:
    return customer_email_render(
        tenant=complaint.tenant,
        brand=complaint.brand,
        language=language,
        template="complaints/email/received",
        html_template="complaints/email/_html.html",
        context={"complaint": complaint},
    ).body


@pytest.mark.parametrize("language", ["en", "el"])
def test_a_moment_reads_the_same_on_staff_and_public_pages_and_in_an_email(
    client_of, client, acme_admin, complaint, language
):
    complaint = Complaint.objects.for_tenant(complaint.tenant_id).get(pk=complaint.pk)
    with translation.override(language), timezone.override("Europe/Athens"):
        due_day = date_format(timezone.localtime(complaint.resolve_due_at), "DATE_FORMAT")
    staff = staff_page(client_of, acme_admin, complaint, language)
    public = public_page(client, complaint, language)
    email = receipt(complaint, language)

    # The moment it was received, on both pages, in the one format of the language.
    assert SHOWN[language] in staff
    assert SHOWN[language] in public
    # The day the answer is due, on both pages and in the receipt email, written alike (the
    # date part of the language's one date-and-time format).
    assert re.fullmatch(DAY[language], due_day)
    assert due_day in staff and due_day in public and due_day in email


@pytest.mark.parametrize("language", ["el", "it", "es", "ru"])
def test_staff_pages_use_the_24_hour_clock(client_of, acme_admin, complaint, language):
    page = staff_page(client_of, acme_admin, complaint, language)

    assert SHOWN[language] in page
    assert "2:07" not in page.replace("14:07", "")
