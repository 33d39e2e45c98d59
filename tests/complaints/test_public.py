"""The public complaint pages: the form, how to complain, the lookup and the status page.

Maria (the complainant) files and follows her complaint with no account; Acme is the tenant
whose pages these are, Globex another tenant whose complaints must stay out of reach.
"""

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from complaints import services, workflow
from complaints.lifecycle import State
from complaints.models import (
    Attachment,
    Category,
    Channel,
    Complaint,
    ComplaintSettings,
    Message,
    Transition,
)
from customers.models import Customer
from notifications.models import Delivery
from tenants import ratelimit
from tenants.models import Touchpoint
from tests.complaint_fixtures import file_complaint, status_key
from tests.factories import BrandFactory, UserFactory

SENT = (
    "If this reference and this email address or phone number match a complaint, we have "
    "sent a link to it. The link opens your complaint once, within 30 minutes."
)
STALE = "Someone changed this complaint while you were looking at it."
ATHENS = ZoneInfo("Europe/Athens")


@pytest.fixture(autouse=True)
def _own_cache_and_media(own_cache, settings, tmp_path):
    # Rate-limit counters and uploads of one test must not leak into another.
    settings.MEDIA_ROOT = tmp_path / "media"


def form_url(brand, tenant_slug=None):
    return reverse(
        "public-complaint-form",
        kwargs={"tenant_slug": tenant_slug or brand.tenant.slug, "brand_slug": brand.slug},
    )


def lookup_url(tenant_slug="acme"):
    return reverse("public-complaint-lookup", kwargs={"tenant_slug": tenant_slug})


def status_url(complaint, tenant_slug=None):
    return reverse(
        "public-complaint-status",
        kwargs={
            "tenant_slug": tenant_slug or complaint.tenant.slug,
            "reference": complaint.reference,
        },
    )


def file_url(complaint, attachment):
    return reverse(
        "public-complaint-file",
        kwargs={
            "tenant_slug": complaint.tenant.slug,
            "reference": complaint.reference,
            "attachment_id": attachment.pk,
        },
    )


def pdf(name="invoice.pdf", size=None):
    content = b"%PDF-1.4 repair invoice" if size is None else b"0" * size
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def program(name):
    return SimpleUploadedFile(name, b"MZ", content_type="application/x-msdownload")


def maria_form(**overrides):
    return {
        "name": "Maria Rossi",
        "email": "maria.rossi@example.com",
        "phone": "+30 210 555 0100",
        "language": "it",
        "subject": "Windscreen claim not paid",
        "description": "I claimed for a broken windscreen on 3 March; nobody has paid.",
        "remedy_requested": "Pay the 420 EUR invoice.",
        "website": "",
        **overrides,
    }


def open_status(client, complaint):
    """Follow the emailed link: the session may see the complaint from now on."""
    response = client.get(status_url(complaint), {"key": status_key(complaint)})
    assert response.status_code == 302
    assert response["Location"] == status_url(complaint)
    return client.get(status_url(complaint))


def page_text(response) -> str:
    return response.content.decode()


def without_values(response) -> str:
    # Also the Content-Security-Policy nonce of the brand colours' <style>, fresh every time.
    return re.sub(r'(value|nonce)="[^"]*"', "", page_text(response))


# --- the complaint form -------------------------------------------------------------------------


def test_the_form_files_a_web_complaint_and_shows_its_status(client, acme_setup, acme_brand):
    acme_brand.colour = "#c0392b"
    acme_brand.save()
    touchpoint = Touchpoint.objects.for_tenant(acme_setup).get(code="claims-desk")
    claims = Category.objects.for_tenant(acme_setup).get(code="claims")

    form = client.get(form_url(acme_brand))
    assert form.status_code == 200
    assert "Make a complaint to Acme Motor" in page_text(form)
    assert "--brand: #c0392b" in page_text(form)
    assert 'href="/static/django_htmx' not in page_text(form)

    response = client.post(
        form_url(acme_brand),
        maria_form(touchpoint=touchpoint.pk, category=claims.pk, files=[pdf(), pdf("photo.pdf")]),
    )

    complaint = Complaint.objects.for_tenant(acme_setup).get()
    assert response.status_code == 302
    assert response["Location"] == status_url(complaint)
    # The year in the reference is the year in Athens when it was received.
    assert complaint.reference == f"AMO-{complaint.received_at.astimezone(ATHENS).year}-000001"
    assert complaint.brand == acme_brand
    assert complaint.channel == Channel.WEB_FORM
    assert complaint.touchpoint == touchpoint
    assert complaint.category == claims
    assert complaint.language == "it"
    assert complaint.subject == "Windscreen claim not paid"
    assert complaint.remedy_requested == "Pay the 420 EUR invoice."
    assert (complaint.customer.name, complaint.customer.email, complaint.customer.phone_key) == (
        "Maria Rossi",
        "maria.rossi@example.com",
        "+302105550100",
    )
    assert complaint.customer.language == "it"
    assert sorted(
        Attachment.objects.for_tenant(acme_setup).values_list("original_name", "is_internal")
    ) == [("invoice.pdf", False), ("photo.pdf", False)]
    status = client.get(response["Location"])
    assert status.status_code == 200
    text = page_text(status)
    assert f"Your reference is {complaint.reference}" in text
    assert f"<h1>Complaint {complaint.reference}</h1>" in text
    assert "We have received your complaint and will confirm shortly who handles it." in text
    assert "invoice.pdf" in text


def test_the_receipt_email_links_to_the_status_page(client, acme_setup, acme_brand):
    client.post(form_url(acme_brand), maria_form())

    complaint = Complaint.objects.for_tenant(acme_setup).get()
    receipt = Delivery.objects.for_tenant(acme_setup).get()
    assert receipt.recipient == "maria.rossi@example.com"
    link = re.search(r"https?://\S+/c/acme/status/\S+", receipt.body).group(0)
    fresh = Client()
    response = fresh.get(f"{urlsplit(link).path}?{urlsplit(link).query}")
    assert response.status_code == 302
    assert response["Location"] == status_url(complaint)
    assert fresh.get(status_url(complaint)).status_code == 200


def test_the_receipt_echoes_nothing_the_sender_typed(client, acme_setup, acme_brand):
    spam = "Cheap watches at http://spam.example/buy now"
    client.post(
        form_url(acme_brand),
        maria_form(
            name="Visit http://spam.example",
            subject="WIN 1000 EUR today",
            description=f"{spam}. Claim your prize.",
            remedy_requested="Click http://spam.example/prize",
        ),
    )

    complaint = Complaint.objects.for_tenant(acme_setup).get()
    receipt = Delivery.objects.for_tenant(acme_setup).get()
    link = re.search(r"https?://\S+/c/acme/status/\S+", receipt.body).group(0)
    assert urlsplit(link).path == status_url(complaint)
    for body in (receipt.body, receipt.html_body):
        assert complaint.reference in body
        assert "Acme Motor" in body
        assert link.replace("&", "&amp;") in body or link in body
        for typed in ("spam.example", "WIN 1000 EUR", "Cheap watches", "Claim your prize"):
            assert typed not in body
    assert "spam" not in receipt.subject


def test_missing_fields_come_back_with_errors_and_the_typed_text(client, acme_setup, acme_brand):
    response = client.post(
        form_url(acme_brand),
        maria_form(name="", email="", phone="", subject="", description="My car was towed."),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "name": ["This field is required."],
        "subject": ["This field is required."],
        "email": ["An email address or a phone number is needed."],
    }
    text = page_text(response)
    assert "My car was towed." in text
    assert "Pay the 420 EUR invoice." in text
    assert 'aria-describedby="id_subject_helptext id_subject_error"' in text
    assert 'id="id_subject_error" role="alert"' in text
    assert Complaint.objects.for_tenant(acme_setup).count() == 0
    assert Customer.objects.for_tenant(acme_setup).count() == 0


def test_a_file_type_we_do_not_take_is_refused_and_nothing_is_kept(client, acme_setup, acme_brand):
    response = client.post(form_url(acme_brand), maria_form(files=[pdf(), program("fix.exe")]))

    assert response.status_code == 200
    assert response.context["form"].errors["files"] == [
        "“fix.exe” is not a file type we accept (PDF, images, text, Word)."
    ]
    text = page_text(response)
    assert "Please attach your files again" in text
    assert "I claimed for a broken windscreen on 3 March; nobody has paid." in text
    assert Complaint.objects.for_tenant(acme_setup).count() == 0
    assert Attachment.objects.for_tenant(acme_setup).count() == 0
    assert Customer.objects.for_tenant(acme_setup).count() == 0


def test_a_web_page_renamed_to_pdf_is_refused_on_the_form(client, acme_setup, acme_brand):
    page = SimpleUploadedFile(
        "invoice.pdf",
        b"<!doctype html><html><body><script>document.cookie</script></body></html>",
        content_type="application/pdf",
    )

    response = client.post(form_url(acme_brand), maria_form(files=[page]))

    assert response.status_code == 200
    assert response.context["form"].errors["files"] == [
        "“invoice.pdf” is not a file type we accept (PDF, images, text, Word)."
    ]
    assert "Please attach your files again" in page_text(response)
    assert Complaint.objects.for_tenant(acme_setup).count() == 0
    assert Attachment.objects.for_tenant(acme_setup).count() == 0


def test_a_file_over_the_size_limit_is_refused(client, acme_setup, acme_brand):
    ComplaintSettings.objects.create(tenant=acme_setup, max_attachment_mb=1)

    response = client.post(
        form_url(acme_brand), maria_form(files=[pdf("scan.pdf", size=1024 * 1024 + 1)])
    )

    assert response.status_code == 200
    assert response.context["form"].errors["files"] == ["“scan.pdf” is larger than 1 MB."]
    assert "at most 1 MB each" in page_text(response)
    assert Complaint.objects.for_tenant(acme_setup).count() == 0


def test_a_filled_honeypot_looks_like_success_but_keeps_nothing(client, acme_setup, acme_brand):
    response = client.post(
        form_url(acme_brand), maria_form(website="http://spam.example"), follow=True
    )

    assert response.status_code == 200
    assert "Thank you. We have received your complaint." in page_text(response)
    assert Complaint.objects.for_tenant(acme_setup).count() == 0
    assert Customer.objects.for_tenant(acme_setup).count() == 0
    assert Delivery.objects.for_tenant(acme_setup).count() == 0


def test_the_honeypot_is_hidden_from_people(client, acme_setup, acme_brand):
    text = page_text(client.get(form_url(acme_brand)))

    assert '<div class="hp" aria-hidden="true">' in text
    assert 'name="website" autocomplete="off" tabindex="-1"' in text


def test_the_form_is_csrf_protected(acme_setup, acme_brand):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(form_url(acme_brand), maria_form())

    assert response.status_code == 403
    assert Complaint.objects.for_tenant(acme_setup).count() == 0


def test_too_many_submissions_get_429_with_the_data_kept(client, acme_setup, acme_brand):
    for number in range(5):
        response = client.post(form_url(acme_brand), maria_form(subject=f"Complaint {number}"))
        assert response.status_code == 302

    response = client.post(form_url(acme_brand), maria_form(subject="The sixth one"))

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    text = page_text(response)
    assert "Please try again in about ten minutes" in text
    assert 'value="The sixth one"' in text
    assert "I claimed for a broken windscreen on 3 March; nobody has paid." in text
    assert '<option value="it" selected>' in text
    assert Complaint.objects.for_tenant(acme_setup).count() == 5
    # Another address is not held back.
    other = client.post(
        form_url(acme_brand), maria_form(subject="From next door"), REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 302
    assert Complaint.objects.for_tenant(acme_setup).count() == 6


def test_refused_tries_do_not_use_up_the_limit(client, acme_setup, acme_brand):
    ComplaintSettings.objects.create(tenant=acme_setup, max_attachment_mb=1)
    for _ in range(6):
        refused = client.post(
            form_url(acme_brand), maria_form(files=[pdf("scan.pdf", size=1024 * 1024 + 1)])
        )
        assert refused.status_code == 200
        assert refused.context["form"].errors["files"] == ["“scan.pdf” is larger than 1 MB."]
    missing = client.post(form_url(acme_brand), maria_form(subject=""))
    assert missing.status_code == 200

    response = client.post(form_url(acme_brand), maria_form(files=[pdf("scan.pdf")]))

    assert response.status_code == 302
    complaint = Complaint.objects.for_tenant(acme_setup).get()
    assert [a.original_name for a in complaint.attachments.all()] == ["scan.pdf"]


def test_the_limit_on_accepted_complaints_cannot_be_reset_by_refused_ones(
    client, acme_setup, acme_brand
):
    for number in range(4):
        assert (
            client.post(form_url(acme_brand), maria_form(subject=f"n{number}")).status_code == 302
        )
    assert client.post(form_url(acme_brand), maria_form(subject="")).status_code == 200
    assert client.post(form_url(acme_brand), maria_form(subject="fifth")).status_code == 302

    assert client.post(form_url(acme_brand), maria_form(subject="")).status_code == 429
    assert client.post(form_url(acme_brand), maria_form(subject="sixth")).status_code == 429
    assert Complaint.objects.for_tenant(acme_setup).count() == 5


def test_the_accepted_limit_checks_without_counting():
    assert [ratelimit.allows("tests:c", 2, 600) for _ in range(3)] == [True] * 3
    ratelimit.count("tests:c", 600)
    assert ratelimit.allows("tests:c", 2, 600) is True
    ratelimit.count("tests:c", 600)
    assert ratelimit.allows("tests:c", 2, 600) is False
    assert ratelimit.allows("tests:d", 2, 600) is True


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/c/acme/no-such-brand/", id="unknown-brand"),
        pytest.param("/c/nobody/acme-motor/", id="unknown-tenant"),
        pytest.param("/c/acme/globex-road/", id="another-tenants-brand"),
        pytest.param("/c/acme/no-such-brand/how-to-complain/", id="howto-unknown-brand"),
        pytest.param("/c/acme/globex-road/how-to-complain/", id="howto-another-tenants-brand"),
        pytest.param("/c/nobody/status/", id="lookup-unknown-tenant"),
    ],
)
def test_unknown_tenants_and_brands_are_not_found(client, acme_brand, globex_brand, path):
    assert client.get(path).status_code == 404


def test_an_inactive_brand_or_tenant_is_not_found(client, acme, acme_brand):
    acme_brand.is_active = False
    acme_brand.save()
    assert client.get(form_url(acme_brand)).status_code == 404

    acme_brand.is_active = True
    acme_brand.save()
    acme.is_active = False
    acme.save()
    assert client.get(form_url(acme_brand)).status_code == 404
    assert client.get(lookup_url()).status_code == 404


# --- how to complain ----------------------------------------------------------------------------


def test_how_to_complain_gives_channels_target_times_and_recourse(client, acme, acme_brand):
    acme_brand.phone = "+30 210 000 1000"
    acme_brand.save()
    ComplaintSettings.objects.create(
        tenant=acme,
        acknowledgement_hours=48,
        resolution_days=30,
        external_body="The Hellenic Ombudsman",
    )

    response = client.get(
        reverse(
            "public-complaint-howto",
            kwargs={"tenant_slug": "acme", "brand_slug": "acme-motor"},
        )
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "How to complain to Acme Motor" in text
    assert "We confirm that we have received your complaint within 48 hours." in text
    assert "We aim to give you our answer within 30 days." in text
    assert "you may refer your complaint to The Hellenic Ombudsman." in text
    assert "complaints review panel" in text
    assert 'href="tel:+302100001000">+30 210 000 1000</a>' in text
    assert 'href="mailto:care@acme-motor.example"' in text
    assert f'href="{form_url(acme_brand)}"' in text
    assert f'href="{lookup_url()}"' in text


# --- the lookup ---------------------------------------------------------------------------------


def link_in(delivery) -> str:
    """The status-page address (path and query) in a message we queued."""
    return re.search(r"https?://[^/\s]+(/c/\S+)", delivery.body).group(1)


@pytest.mark.parametrize(
    ("contact", "channel", "recipient"),
    [
        pytest.param(
            "Maria.Rossi@Example.COM",
            Delivery.Channel.EMAIL,
            "maria.rossi@example.com",
            id="email-any-case",
        ),
        pytest.param(
            " maria.rossi@example.com ",
            Delivery.Channel.EMAIL,
            "maria.rossi@example.com",
            id="email-with-spaces",
        ),
        pytest.param(
            "+30 (210) 555-0100",
            Delivery.Channel.SMS,
            "+30 210 555 0100",
            id="phone-written-differently",
        ),
    ],
)
def test_the_lookup_sends_a_link_to_the_contact_on_file_and_opens_nothing_itself(
    client, acme_setup, acme_brand, contact, channel, recipient
):
    complaint = file_complaint(acme_brand, phone="+30 210 555 0100")
    deliveries = Delivery.objects.for_tenant(acme_setup).exclude(dedupe_key__endswith="receipt")

    response = client.post(
        lookup_url(), {"reference": complaint.reference.lower(), "contact": contact}
    )

    assert response.status_code == 200
    assert SENT in page_text(response)
    assert client.get(status_url(complaint)).status_code == 302  # knowing is not enough
    [delivery] = deliveries
    assert (delivery.channel, delivery.recipient) == (channel, recipient)
    link = link_in(delivery)
    assert link.startswith(f"{status_url(complaint)}?key=")
    # Following the link sent to that contact opens the complaint in this browser.
    assert client.get(link)["Location"] == status_url(complaint)
    assert client.get(status_url(complaint)).status_code == 200


def test_a_wrong_contact_and_an_unknown_reference_get_the_same_answer(
    client, acme_setup, acme_brand
):
    complaint = file_complaint(acme_brand)
    receipts = Delivery.objects.for_tenant(acme_setup).count()

    right = client.post(
        lookup_url(), {"reference": complaint.reference, "contact": "maria.rossi@example.com"}
    )
    wrong_email = client.post(
        lookup_url(), {"reference": complaint.reference, "contact": "someone@example.com"}
    )
    unknown = client.post(
        lookup_url(), {"reference": "AMO-2000-999999", "contact": "maria.rossi@example.com"}
    )
    no_phone_on_file = client.post(
        lookup_url(), {"reference": complaint.reference, "contact": "210 555 0100"}
    )

    for response in (right, wrong_email, unknown, no_phone_on_file):
        assert response.status_code == 200
        assert SENT in page_text(response)
    # Apart from the reference typed (and the CSRF token), the pages are the same.
    assert without_values(right) == without_values(wrong_email) == without_values(unknown)
    # Only the right contact was sent a link, and no answer opened the complaint.
    assert Delivery.objects.for_tenant(acme_setup).count() == receipts + 1
    assert client.get(status_url(complaint)).status_code == 302


def test_lookups_are_rate_limited_against_guessing(client, acme_setup, acme_brand):
    complaint = file_complaint(acme_brand)
    for number in range(10):
        client.post(lookup_url(), {"reference": f"AMO-2026-{number:06d}", "contact": "x@y.z"})

    response = client.post(
        lookup_url(), {"reference": complaint.reference, "contact": "maria.rossi@example.com"}
    )

    assert response.status_code == 429
    assert f'value="{complaint.reference}"' in page_text(response)
    assert client.get(status_url(complaint)).status_code == 302


def test_the_lookup_page_prefills_the_reference(client, acme):
    response = client.get(lookup_url(), {"reference": "AMO-2026-000007"})

    assert response.status_code == 200
    assert 'value="AMO-2026-000007"' in page_text(response)


# --- reaching the status page -------------------------------------------------------------------


def test_the_status_page_without_access_sends_to_the_lookup(client, acme_setup, acme_brand):
    complaint = file_complaint(acme_brand)

    known = client.get(status_url(complaint))
    unknown = client.get("/c/acme/status/AMO-2000-999999/")

    assert known.status_code == 302
    assert known["Location"] == f"{lookup_url()}?reference={complaint.reference}"
    assert unknown.status_code == 302
    assert unknown["Location"] == f"{lookup_url()}?reference=AMO-2000-999999"


def test_the_emailed_key_gives_access_and_a_tampered_key_does_not(client, acme_setup, acme_brand):
    complaint = file_complaint(acme_brand)
    other = file_complaint(acme_brand, email="someone@example.com")
    key = status_key(complaint)

    tampered = client.get(status_url(complaint), {"key": key[:-2] + "xx"})
    borrowed = client.get(status_url(complaint), {"key": status_key(other)})

    for response in (tampered, borrowed):
        assert response.status_code == 302
        assert response["Location"] == f"{lookup_url()}?reference={complaint.reference}"
    assert client.get(status_url(complaint)).status_code == 302

    response = client.get(status_url(complaint), {"key": key})
    assert response.status_code == 302
    assert response["Location"] == status_url(complaint)
    assert client.get(status_url(complaint)).status_code == 200
    assert client.get(status_url(other)).status_code == 302
    # Followed again in the same browser it still leads there; in another it works no more.
    assert client.get(status_url(complaint), {"key": key})["Location"] == status_url(complaint)
    elsewhere = Client()
    used = elsewhere.get(status_url(complaint), {"key": key})
    assert used["Location"] == f"{lookup_url()}?reference={complaint.reference}"
    assert elsewhere.get(status_url(complaint)).status_code == 302


def test_another_tenants_complaint_is_out_of_reach_under_this_tenant(
    client, acme_setup, acme_brand, globex
):
    # Globex's brand uses the same prefix, so its first complaint has the same reference.
    globex_brand = BrandFactory(
        tenant=globex, slug="globex-motor", name="Globex Motor", reference_prefix="AMO"
    )
    theirs = file_complaint(globex_brand, email="charlie@globex.example")
    ours = file_complaint(acme_brand)
    assert theirs.reference == ours.reference
    open_status(client, theirs)  # this browser may follow Globex's complaint, under Globex
    acme_url = status_url(theirs, tenant_slug="acme")

    with_their_key = client.get(acme_url, {"key": status_key(theirs)})
    without_key = client.get(acme_url)
    withdraw = client.post(
        acme_url, {"action": "withdraw", "expected_version": ours.version, "confirm": "on"}
    )

    for response in (with_their_key, without_key, withdraw):
        assert response.status_code == 302
        assert response["Location"].startswith(lookup_url())
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.state, ours.version) == (State.RECEIVED, 1)
    assert (theirs.state, theirs.version) == (State.RECEIVED, 1)


def test_another_tenants_attachment_cannot_be_downloaded(client, acme_setup, acme_brand, globex):
    globex_brand = BrandFactory(tenant=globex, slug="globex-road", reference_prefix="GRO")
    theirs = file_complaint(globex_brand, files=[pdf("globex.pdf")])
    ours = file_complaint(acme_brand)
    open_status(client, ours)
    open_status(client, theirs)
    their_file = Attachment.objects.for_tenant(globex).get()

    response = client.get(
        reverse(
            "public-complaint-file",
            kwargs={
                "tenant_slug": "acme",
                "reference": ours.reference,
                "attachment_id": their_file.pk,
            },
        )
    )

    assert response.status_code == 404


def test_the_status_page_shows_times_in_the_tenants_time_zone(client, acme_setup, acme_brand):
    # 22:30 UTC on 2 March is 00:30 on 3 March in Athens.
    complaint = file_complaint(acme_brand, received_at=datetime(2026, 3, 2, 22, 30, tzinfo=UTC))

    text = page_text(open_status(client, complaint))

    assert "3 Mar 2026, 00:30" in text
    assert "We aim to give you our answer by" in text
    # 15 working days (Mon–Fri 09:00–17:00 in Athens) from the next opening, Tue 3 March 09:00.
    assert 'datetime="2026-03-23T17:00:00+02:00">23 Mar 2026</time>' in text


# --- what the status page shows -----------------------------------------------------------------


def test_internal_notes_and_files_never_reach_the_status_page(client, complaint_in, acme_admin):
    complaint = complaint_in(State.INVESTIGATING)
    services.complaint_add_message(
        complaint=complaint,
        actor=acme_admin,
        kind=Message.Kind.INTERNAL,
        body="Between us: she has complained five times this year.",
        files=[pdf("internal-memo.pdf")],
    )
    services.complaint_add_message(
        complaint=complaint,
        actor=acme_admin,
        kind=Message.Kind.REPLY,
        body="We are checking the invoice with the garage.",
        files=[pdf("garage-letter.pdf")],
    )
    memo = Attachment.objects.for_tenant(complaint.tenant_id).get(original_name="internal-memo.pdf")
    letter = Attachment.objects.for_tenant(complaint.tenant_id).get(
        original_name="garage-letter.pdf"
    )

    text = page_text(open_status(client, complaint))

    assert "five times" not in text
    assert "internal-memo.pdf" not in text
    assert "We are checking the invoice with the garage." in text
    assert "garage-letter.pdf" in text
    assert "We are looking into it." in text
    assert "We started looking into your complaint." in text
    assert client.get(file_url(complaint, memo)).status_code == 404
    download = client.get(file_url(complaint, letter))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="garage-letter.pdf"'
    assert b"".join(download.streaming_content) == b"%PDF-1.4 repair invoice"


def test_staff_notes_on_steps_are_not_shown(client, acme_setup, acme_brand, acme_admin):
    complaint = file_complaint(acme_brand)
    complaint = workflow.complaint_acknowledge(
        complaint=complaint, actor=acme_admin, note="Known troublemaker, go slow."
    )

    text = page_text(open_status(client, complaint))

    assert "troublemaker" not in text
    assert "We confirmed that we received your complaint." in text


def test_files_need_access_to_download(client, acme_setup, acme_brand):
    complaint = file_complaint(acme_brand, files=[pdf()])
    attachment = Attachment.objects.for_tenant(acme_setup).get()

    assert client.get(file_url(complaint, attachment)).status_code == 404
    open_status(client, complaint)
    assert client.get(file_url(complaint, attachment)).status_code == 200


def test_a_merged_complaint_neither_names_nor_opens_the_one_it_was_merged_into(
    client, complaint_in
):
    complaint = complaint_in(State.MERGED)

    text = page_text(open_status(client, complaint))

    assert "handling this together with another complaint about the same matter" in text
    assert complaint.merged_into.reference not in text
    # Filed under the same customer proves nothing: the other case needs its own link.
    assert client.get(status_url(complaint.merged_into)).status_code == 302


# --- the customer's steps -----------------------------------------------------------------------


def test_answering_a_question_resumes_the_complaint(client, complaint_in):
    complaint = complaint_in(State.WAITING_ON_CUSTOMER)
    page = open_status(client, complaint)
    assert "Please send the repair invoice." in page_text(page)

    response = client.post(
        status_url(complaint),
        {
            "action": "answer",
            "expected_version": complaint.version,
            "body": "Here is the invoice from the garage.",
            "files": [pdf()],
        },
    )

    assert response.status_code == 302
    assert response["Location"] == status_url(complaint)
    complaint.refresh_from_db()
    assert complaint.state == State.INVESTIGATING
    # The documents come with the answer, as one message.
    [answer] = Message.objects.for_tenant(complaint.tenant_id).filter(
        complaint=complaint, kind=Message.Kind.CUSTOMER
    )
    assert (answer.body, answer.author) == ("Here is the invoice from the garage.", None)
    assert [a.original_name for a in answer.attachments.all()] == ["invoice.pdf"]
    step = Transition.objects.for_tenant(complaint.tenant_id).filter(complaint=complaint).last()
    assert (step.name, step.actor_label) == ("receive_information", "customer")
    text = page_text(client.get(status_url(complaint)))
    assert "Thank you: we have your answer and carry on with your complaint." in text
    assert "You answered our questions." in text
    assert "invoice.pdf" in text


def test_an_answer_with_a_refused_file_records_nothing(client, complaint_in):
    complaint = complaint_in(State.WAITING_ON_CUSTOMER)
    open_status(client, complaint)
    messages_before = Message.objects.for_tenant(complaint.tenant_id).count()

    response = client.post(
        status_url(complaint),
        {
            "action": "answer",
            "expected_version": complaint.version,
            "body": "Here is the invoice.",
            "files": [
                SimpleUploadedFile("run.exe", b"MZ", content_type="application/x-msdownload")
            ],
        },
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "“run.exe” is not a file type we accept (PDF, images, text, Word)." in text
    assert "Please attach your files again" in text
    assert "Here is the invoice." in text
    complaint.refresh_from_db()
    assert complaint.state == State.WAITING_ON_CUSTOMER
    assert Message.objects.for_tenant(complaint.tenant_id).count() == messages_before


def test_adding_information_to_an_open_complaint(client, complaint_in):
    complaint = complaint_in(State.INVESTIGATING)
    open_status(client, complaint)

    response = client.post(
        status_url(complaint),
        {"action": "add", "body": "The garage called me today.", "files": [pdf("quote.pdf")]},
    )

    assert response.status_code == 302
    note = Message.objects.for_tenant(complaint.tenant_id).filter(complaint=complaint).last()
    assert (note.kind, note.body) == (Message.Kind.CUSTOMER, "The garage called me today.")
    assert [a.original_name for a in note.attachments.all()] == ["quote.pdf"]
    complaint.refresh_from_db()
    assert complaint.state == State.INVESTIGATING


def test_adding_nothing_is_refused(client, complaint_in):
    complaint = complaint_in(State.INVESTIGATING)
    open_status(client, complaint)
    messages_before = Message.objects.for_tenant(complaint.tenant_id).count()

    response = client.post(status_url(complaint), {"action": "add", "body": "  "})

    assert response.status_code == 200
    assert response.context["forms"]["add"].errors == {
        "body": ["Write something or attach a file."]
    }
    assert Message.objects.for_tenant(complaint.tenant_id).count() == messages_before


def test_accepting_the_decision_closes_the_complaint(client, complaint_in):
    complaint = complaint_in(State.RESPONSE_SENT)
    page = page_text(open_status(client, complaint))
    assert "We paid the claim." in page
    assert "The Financial Ombudsman" in page

    response = client.post(
        status_url(complaint), {"action": "accept", "expected_version": complaint.version}
    )

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == State.CLOSED
    assert complaint.customer_accepted is True
    text = page_text(client.get(status_url(complaint)))
    assert "Thank you. Your complaint is now closed." in text
    assert "You accepted our decision." in text
    assert "I accept" not in text


def test_asking_for_a_review_records_the_reason(client, complaint_in):
    complaint = complaint_in(State.RESPONSE_SENT)
    open_status(client, complaint)

    response = client.post(
        status_url(complaint),
        {
            "action": "review",
            "expected_version": complaint.version,
            "reason": "You paid only half of the invoice.",
        },
    )

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == State.UNDER_REVIEW
    assert complaint.customer_accepted is False
    reason = Message.objects.for_tenant(complaint.tenant_id).filter(complaint=complaint).last()
    assert (reason.kind, reason.body) == (
        Message.Kind.CUSTOMER,
        "You paid only half of the invoice.",
    )


def test_a_review_needs_a_reason(client, complaint_in):
    complaint = complaint_in(State.RESPONSE_SENT)
    open_status(client, complaint)

    response = client.post(
        status_url(complaint),
        {"action": "review", "expected_version": complaint.version, "reason": ""},
    )

    assert response.status_code == 200
    assert response.context["forms"]["review"].errors == {"reason": ["This field is required."]}
    complaint.refresh_from_db()
    assert complaint.state == State.RESPONSE_SENT


def test_withdrawing_needs_confirmation_then_withdraws(client, complaint_in):
    complaint = complaint_in(State.ACKNOWLEDGED)
    open_status(client, complaint)

    unconfirmed = client.post(
        status_url(complaint),
        {"action": "withdraw", "expected_version": complaint.version, "reason": "Sorted."},
    )
    complaint.refresh_from_db()
    assert unconfirmed.status_code == 200
    assert unconfirmed.context["forms"]["withdraw"].errors == {
        "confirm": ["Tick the box to confirm."]
    }
    assert 'value="Sorted."' not in page_text(unconfirmed)  # a textarea, not an input
    assert ">\nSorted.</textarea>" in page_text(unconfirmed)
    assert complaint.state == State.ACKNOWLEDGED

    response = client.post(
        status_url(complaint),
        {
            "action": "withdraw",
            "expected_version": complaint.version,
            "reason": "Sorted.",
            "confirm": "on",
        },
    )

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == State.WITHDRAWN
    step = Transition.objects.for_tenant(complaint.tenant_id).filter(complaint=complaint).last()
    assert (step.name, step.actor_label, step.note) == ("withdraw", "customer", "Sorted.")
    assert "You withdrew your complaint." in page_text(client.get(status_url(complaint)))


def test_a_stale_page_gets_the_conflict_message_and_changes_nothing(client, complaint_in):
    complaint = complaint_in(State.RESPONSE_SENT)
    open_status(client, complaint)
    stale_version = complaint.version - 1
    steps_before = Transition.objects.for_tenant(complaint.tenant_id).count()

    response = client.post(
        status_url(complaint),
        {"action": "review", "expected_version": stale_version, "reason": "Not enough."},
    )

    assert response.status_code == 200
    text = page_text(response)
    assert STALE in text
    assert ">\nNot enough.</textarea>" in text
    assert f'name="expected_version" value="{complaint.version}"' in text
    fresh = Complaint.objects.for_tenant(complaint.tenant_id).get(pk=complaint.pk)
    assert (fresh.state, fresh.version) == (State.RESPONSE_SENT, complaint.version)
    assert Transition.objects.for_tenant(complaint.tenant_id).count() == steps_before


def test_a_step_the_complaint_has_moved_past_is_refused_in_customer_words(client, complaint_in):
    complaint = complaint_in(State.RESPONSE_SENT)
    open_status(client, complaint)
    workflow.complaint_accept_decision(complaint=complaint, actor=None)
    complaint.refresh_from_db()

    response = client.post(
        status_url(complaint),
        {"action": "review", "expected_version": complaint.version, "reason": "Wait."},
    )

    assert response.status_code == 200
    assert "This is no longer possible: your complaint has moved on" in page_text(response)
    complaint.refresh_from_db()
    assert complaint.state == State.CLOSED


def test_an_unknown_action_is_a_bad_request(client, complaint_in):
    complaint = complaint_in(State.INVESTIGATING)
    open_status(client, complaint)
    messages = Message.objects.for_tenant(complaint.tenant_id).filter(complaint=complaint)
    before = (complaint.state, complaint.version, messages.count())

    response = client.post(status_url(complaint), {"action": "reopen", "body": "Reopen it."})

    assert response.status_code == 400
    assert "<h1>Not done</h1>" in page_text(response)
    assert "Unknown action." in page_text(response)
    complaint.refresh_from_db()
    assert (complaint.state, complaint.version, messages.count()) == before


# --- every public page -------------------------------------------------------------------------


def howto_url(brand):
    return reverse(
        "public-complaint-howto",
        kwargs={"tenant_slug": brand.tenant.slug, "brand_slug": brand.slug},
    )


def test_every_public_complaint_page_is_private(client, acme_setup, acme_brand):
    complaint = file_complaint(acme_brand)

    pages = {
        "form": client.get(form_url(acme_brand)),
        "lookup": client.get(lookup_url()),
        "status": open_status(client, complaint),
    }
    how_to = client.get(howto_url(acme_brand))

    # The status page shows personal data: no browser or proxy keeps it, no search engine
    # lists it, and no other site learns its address from a Referer.
    assert {
        name: (
            page.status_code,
            page["Cache-Control"],
            page["Referrer-Policy"],
            page["X-Robots-Tag"],
        )
        for name, page in pages.items()
    } == {name: (200, "no-store", "same-origin", "noindex") for name in pages}
    # How to complain is public information: search engines may list it.
    assert how_to.status_code == 200
    assert "X-Robots-Tag" not in how_to and "Cache-Control" not in how_to


def test_reading_the_complaint_settings_never_writes_them(
    client, acme_setup, acme_brand, acme_admin
):
    """Every page that reads the settings shows the defaults of a tenant that saved none,
    and creates no row: the row is the tenant's choice, made by saving the settings."""
    complaint = file_complaint(acme_brand)
    staff = Client()
    staff.force_login(acme_admin.user)
    root = Client()
    root.force_login(UserFactory(username="root@example.com", is_staff=True, is_superuser=True))

    pages = [
        client.get(form_url(acme_brand)),
        client.get(howto_url(acme_brand)),
        open_status(client, complaint),
        staff.get(
            reverse(
                "complaint-detail",
                kwargs={"tenant_slug": "acme", "reference": complaint.reference},
            )
        ),
        root.get(reverse("admin:complaints_complaintsettings_changelist")),
        root.get(reverse("admin:complaints_complaintsettings_add")),
    ]

    assert [page.status_code for page in pages] == [200] * 6
    assert "We aim to give you our answer within" in page_text(pages[1])
    assert ComplaintSettings.objects.for_tenant(acme_setup).exists() is False


# --- the rate limiter ---------------------------------------------------------------------------


def test_the_rate_limiter_counts_hits_per_key_within_the_window():
    assert [ratelimit.hit("tests:a", 2, 600) for _ in range(3)] == [True, True, False]
    assert ratelimit.hit("tests:b", 2, 600) is True


def test_the_rate_limiter_uses_the_servers_view_of_the_client(rf):
    request = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert ratelimit.client_ip(request) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_rate_limit_keys_on_the_forwarded_address(rf, settings):
    from tenants.ratelimit import client_ip

    settings.TRUSTED_PROXIES = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")

    assert client_ip(request) == "203.0.113.9"
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.2"
