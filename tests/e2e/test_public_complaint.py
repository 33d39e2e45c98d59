import re
import time

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from complaints.models import Channel, Complaint
from notifications.models import Delivery
from notifications.services import delivery_send
from tests.factories import BrandFactory


@pytest.fixture
def own_cache_and_media(own_cache, settings, tmp_path):
    # The live server runs in this process: its uploads stay here (the cache: own_cache).
    settings.MEDIA_ROOT = tmp_path / "media"


def link_message(smtp_server, reference, timeout=10):
    """The email with the lookup's link, once the SMTP server has it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in smtp_server.messages:
            if message["Subject"] == f"Your link to complaint {reference}":
                return message
        time.sleep(0.05)
    raise AssertionError(f"No link email: {[m['Subject'] for m in smtp_server.messages]}")


@override_settings(DEBUG=True)  # serve static files from the live server
def test_a_customer_files_a_complaint_and_finds_it_again_by_reference(
    live_server, browser, page, settings, own_cache_and_media, smtp_server, acme
):
    BrandFactory(tenant=acme, slug="acme-motor", name="Acme Motor", reference_prefix="AMO")
    page.goto(f"{live_server.url}/c/acme/acme-motor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a complaint to Acme Motor")
    page.get_by_label("Your name").fill("Maria Rossi")
    page.get_by_label("Email address").fill("maria.rossi@example.com")
    page.get_by_label("Subject").fill("Windscreen claim not paid")
    page.get_by_label("What happened?").fill("I claimed for a broken windscreen; nobody paid.")
    page.get_by_label("What would put it right?").fill("Pay the invoice.")
    page.get_by_label("Documents or photos").set_input_files(
        [{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 invoice"}]
    )
    page.get_by_role("button", name="Send my complaint").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Complaint AMO-\d{4}-\d{6}$")
    )
    complaint = Complaint.objects.for_tenant(acme).get()
    assert (complaint.channel, complaint.customer.email) == (
        Channel.WEB_FORM,
        "maria.rossi@example.com",
    )
    status_url = f"{live_server.url}/c/acme/status/{complaint.reference}/"
    expect(page).to_have_url(status_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Complaint {complaint.reference}")
    expect(page.get_by_role("status")).to_contain_text(f"Your reference is {complaint.reference}")
    expect(page.get_by_role("link", name="invoice.pdf")).to_be_visible()
    page.screenshot(path=str(settings.VAR_DIR / "e2e-public-status.png"), full_page=True)

    # Another browser (no session) is sent to the lookup: reference + email only sends a
    # link to the email on file; the link, read from that inbox, opens the complaint once.
    other_context = browser.new_context(locale="en-GB")
    other = other_context.new_page()
    other.set_default_timeout(10_000)
    other.goto(status_url)
    expect(other.get_by_role("heading", level=1)).to_have_text("Follow your complaint")
    expect(other.get_by_label("Complaint reference")).to_have_value(complaint.reference)
    other.get_by_label("The email address or phone number you gave us").fill(
        "Maria.Rossi@Example.com"
    )
    other.get_by_role("button", name="Send me a link").click()
    expect(other.get_by_role("status")).to_contain_text("we have sent a link to it")
    expect(other.get_by_role("heading", level=1)).to_have_text("Follow your complaint")

    # The outbox sends the link to the inbox: here, or by a worker of the run that got there
    # first (the broker is shared), to the same SMTP server.
    link_email = Delivery.objects.for_tenant(acme).get(dedupe_key__contains="-access-")
    delivery_send(delivery_id=link_email.pk)
    message = link_message(smtp_server, complaint.reference)
    assert message["To"] == "maria.rossi@example.com"
    body = message.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/c/acme/status/\S+\?key=\S+", body).group(0)
    assert link.startswith(f"{settings.SITE_URL}/c/acme/status/{complaint.reference}/?key=")
    other.goto(link.replace(settings.SITE_URL, live_server.url))

    expect(other).to_have_url(status_url)
    expect(other.get_by_role("heading", level=1)).to_have_text(f"Complaint {complaint.reference}")
    expect(other.get_by_text("Windscreen claim not paid")).to_be_visible()

    # The same link in a third browser opens nothing: it worked once.
    third = browser.new_context(locale="en-GB").new_page()
    third.goto(link.replace(settings.SITE_URL, live_server.url))
    expect(third.get_by_role("heading", level=1)).to_have_text("Follow your complaint")
    expect(third.get_by_text("This link does not work any more")).to_be_visible()
    third.context.close()
    other_context.close()
