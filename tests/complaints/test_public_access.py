"""Who gets into a complaint's status page: the browser that filed it, or one that followed a
single-use link sent to the contact given with it — never anyone who merely knows an email.

Maria is the complainant; Mallory files a complaint under Maria's email address and hopes
staff will merge it into Maria's case.
"""

import hashlib
import importlib
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaints import access, services, workflow
from complaints.lifecycle import State
from complaints.models import AccessKey, Attachment, Complaint, Message
from complaints.tasks import purge_access_keys_task
from notifications.models import Delivery
from notifications.services import delivery_send
from tenants.audit import AuditEntry
from tests.complaint_fixtures import file_complaint
from tests.notifications import conftest as notifications_fixtures

MARIA = "maria.rossi@example.com"

# The local SMS gateway of the notifications tests, for the SMS that carries a link.
sms_gateway = notifications_fixtures.sms_gateway


@pytest.fixture(autouse=True)
def _own_cache_and_media(own_cache, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def status_url(complaint):
    return reverse(
        "public-complaint-status",
        kwargs={"tenant_slug": "acme", "reference": complaint.reference},
    )


def lookup_url():
    return reverse("public-complaint-lookup", kwargs={"tenant_slug": "acme"})


def file_url(complaint, attachment):
    return reverse(
        "public-complaint-file",
        kwargs={
            "tenant_slug": "acme",
            "reference": complaint.reference,
            "attachment_id": attachment.pk,
        },
    )


def link_in(delivery) -> str:
    return re.search(r"https?://[^/\s]+(/c/\S+)", delivery.body).group(1)


def lookup_links(tenant):
    return Delivery.objects.for_tenant(tenant).filter(dedupe_key__contains="-access-")


# --- a merge opens nothing ----------------------------------------------------------------------


def test_a_complaint_filed_under_someone_elses_email_and_merged_opens_nothing_of_theirs(
    client, complaint_in, acme_brand, acme_admin
):
    # given Maria's case, with our decision, a reply and a file sent to her
    victim = complaint_in(State.RESPONSE_SENT)
    reply = services.complaint_add_message(
        complaint=victim,
        actor=acme_admin,
        kind=Message.Kind.REPLY,
        body="Your bank details are on file, Maria.",
        files=[SimpleUploadedFile("payment.pdf", b"%PDF-1.4 paid", "application/pdf")],
    )
    victim.refresh_from_db()
    victim_file = Attachment.objects.for_tenant(victim.tenant_id).get(message=reply)

    # and Mallory's browser, which filed a complaint under Maria's email address
    filed = client.post(
        reverse(
            "public-complaint-form", kwargs={"tenant_slug": "acme", "brand_slug": acme_brand.slug}
        ),
        {
            "name": "Mallory",
            "email": MARIA,
            "language": "en",
            "subject": "Same claim",
            "description": "The windscreen claim again.",
            "website": "",
        },
    )
    mallory = Complaint.objects.for_tenant(victim.tenant_id).exclude(pk=victim.pk).latest("pk")
    assert filed["Location"] == status_url(mallory)
    assert mallory.customer_id == victim.customer_id  # the same email: the same customer

    # when staff merge Mallory's complaint into Maria's case
    workflow.complaint_merge(complaint=mallory, actor=acme_admin, into=victim)

    # then Mallory's own page neither names nor opens Maria's case
    own = client.get(status_url(mallory))
    assert own.status_code == 200
    assert victim.reference not in own.content.decode()
    # and Maria's case, its decision, messages and files stay out of reach, as if unknown
    page = client.get(status_url(victim))
    assert page.status_code == 302
    assert page["Location"] == f"{lookup_url()}?reference={victim.reference}"
    assert client.get(file_url(victim, victim_file)).status_code == 404
    for action in ({"action": "accept"}, {"action": "withdraw", "confirm": "on"}):
        refused = client.post(status_url(victim), {**action, "expected_version": victim.version})
        assert refused["Location"] == f"{lookup_url()}?reference={victim.reference}"
    victim.refresh_from_db()
    assert (victim.state, victim.customer_accepted) == (State.RESPONSE_SENT, None)


# --- the lookup sends a link; the link works once, for a while ----------------------------------


def test_a_lookup_link_works_once_and_only_for_its_complaint(client, acme_setup, acme_brand):
    complaint = file_complaint(acme_brand)
    other = file_complaint(acme_brand, email="someone@example.com")
    client.post(lookup_url(), {"reference": complaint.reference, "contact": MARIA})
    [delivery] = lookup_links(acme_setup)
    link = link_in(delivery)
    key = link.split("?key=", 1)[1]

    # Not on another complaint's page...
    assert client.get(status_url(other), {"key": key}).status_code == 302
    assert client.get(status_url(other)).status_code == 302
    # ...once on its own...
    assert client.get(link)["Location"] == status_url(complaint)
    assert client.get(status_url(complaint)).status_code == 200
    # ...and never again in another browser.
    elsewhere = Client()
    assert elsewhere.get(link)["Location"] == f"{lookup_url()}?reference={complaint.reference}"
    assert elsewhere.get(status_url(complaint)).status_code == 302
    assert list(
        AuditEntry.objects.for_tenant(acme_setup)
        .filter(action__startswith="complaint.access_")
        .order_by("pk")
        .values_list("action", "note")
    ) == [("complaint.access_link_sent", "email"), ("complaint.access_key_used", "lookup")]


def test_a_lookup_link_expires(client, acme_setup, acme_brand, clock, settings):
    settings.LOOPDESK_STATUS_LOOKUP_MINUTES = 30
    complaint = file_complaint(acme_brand)
    asked_at = timezone.now()
    clock(asked_at)
    client.post(lookup_url(), {"reference": complaint.reference, "contact": MARIA})
    [delivery] = lookup_links(acme_setup)
    assert "It works once, within 30 minutes." in delivery.body

    clock(asked_at + timedelta(minutes=31))
    late = client.get(link_in(delivery))

    assert late["Location"] == f"{lookup_url()}?reference={complaint.reference}"
    assert client.get(status_url(complaint)).status_code == 302
    # and beat forgets it
    assert purge_access_keys_task.apply().get() >= 1
    assert not AccessKey.objects.for_tenant(acme_setup).filter(purpose="lookup").exists()


def test_a_key_is_stored_only_as_its_hash(client, acme_setup, acme_brand):
    complaint = file_complaint(acme_brand)
    client.post(lookup_url(), {"reference": complaint.reference, "contact": MARIA})
    receipt, lookup = Delivery.objects.for_tenant(acme_setup).order_by("pk")

    keys = [link_in(delivery).split("?key=", 1)[1] for delivery in (receipt, lookup)]
    stored = AccessKey.objects.for_tenant(acme_setup).order_by("pk")

    assert list(stored.values_list("key_hash", "purpose")) == [
        (hashlib.sha256(keys[0].encode()).hexdigest(), "email"),
        (hashlib.sha256(keys[1].encode()).hexdigest(), "lookup"),
    ]
    rows = " ".join(str(row) for row in stored.values_list())
    assert all(key not in rows for key in keys)


def test_a_complaint_with_only_a_phone_gets_its_link_by_sms(
    client, acme_setup, acme_brand, sms_gateway
):
    complaint = file_complaint(acme_brand, email="", phone="+30 690 000 0001")

    response = client.post(
        lookup_url(), {"reference": complaint.reference, "contact": "6900000001"}
    )

    assert response.status_code == 200
    [delivery] = lookup_links(acme_setup)
    assert delivery_send(delivery_id=delivery.pk) is True
    [request] = sms_gateway.requests
    assert request.json["to"] == "+30 690 000 0001"
    text = request.json["text"]
    assert text.startswith(f"Acme Motor: your link to complaint {complaint.reference}")
    path = re.search(r"https?://[^/\s]+(/c/\S+)", text).group(1)
    assert client.get(path)["Location"] == status_url(complaint)
    assert client.get(status_url(complaint)).status_code == 200


def test_a_complaints_contact_gets_a_few_links_however_many_ask(client, acme_setup, acme_brand):
    complaint = file_complaint(acme_brand)

    answers = [
        Client(REMOTE_ADDR=f"198.51.100.{number}").post(
            lookup_url(), {"reference": complaint.reference, "contact": MARIA}
        )
        for number in range(6)
    ]

    assert {answer.status_code for answer in answers} == {200}
    assert lookup_links(acme_setup).count() == access.LINKS_PER_WINDOW == 3


# --- a filing keeps the contact typed in it -----------------------------------------------------


def test_a_phone_alone_files_under_its_customer_but_writes_to_nobody_elses_email(
    acme_setup, acme_brand
):
    # given Maria, known by her email and the household's phone
    maria = file_complaint(acme_brand, name="Maria Rossi", phone="+30 210 0001000")

    # when someone gives only that phone (and another name) on the form
    caller = file_complaint(acme_brand, name="Nikos Rossi", email="", phone="210 0001000")

    # then the complaint is Maria's customer's (a phone alone may find them) but keeps what
    # was typed, and no receipt with its link goes to Maria's inbox
    assert caller.customer_id == maria.customer_id
    assert (caller.contact_name, caller.contact_email, caller.contact_phone) == (
        "Nikos Rossi",
        "",
        "210 0001000",
    )
    assert list(
        Delivery.objects.for_tenant(acme_setup).order_by("pk").values_list("recipient", flat=True)
    ) == [MARIA]


def test_the_details_typed_with_a_complaint_are_kept_and_written_to(
    client_of, acme_setup, acme_brand, acme_admin
):
    # given Maria, known by her email only
    maria = file_complaint(acme_brand, name="Maria Rossi")

    # when a public filing gives her email with another name and a phone
    filed = file_complaint(acme_brand, name="M. Rossi-Papadopoulou", phone="+30 699 000 0002")

    # then her customer record is untouched (no one adds a phone to someone's email)...
    assert filed.customer_id == maria.customer_id
    filed.customer.refresh_from_db()
    assert (filed.customer.name, filed.customer.phone) == ("Maria Rossi", "")
    # ...but the complaint keeps both, its receipt is addressed to the name typed...
    assert (filed.contact_name, filed.contact_phone) == (
        "M. Rossi-Papadopoulou",
        "+30 699 000 0002",
    )
    receipt = Delivery.objects.for_tenant(acme_setup).get(
        dedupe_key__endswith=f"{filed.pk}-received-receipt"
    )
    assert receipt.recipient == MARIA
    # ...and staff see what was typed beside the customer
    page = client_of(acme_admin).get(
        reverse("complaint-detail", kwargs={"tenant_slug": "acme", "reference": filed.reference})
    )
    given = re.search(r'<p class="contact-given">(.*?)</p>', page.content.decode(), re.S)
    assert given.group(1).split("<br>") == ["M. Rossi-Papadopoulou", MARIA, "+30 699 000 0002"]


def test_a_reply_goes_to_the_email_typed_with_the_complaint(acme_setup, acme_brand, acme_admin):
    # given two people who share a phone: Maria by email, and a caller who gave the phone only
    file_complaint(acme_brand, name="Maria Rossi", phone="+30 210 0001000")
    caller = file_complaint(acme_brand, name="Caller", email="", phone="+30 210 0001000")
    workflow.complaint_acknowledge(complaint=caller, actor=acme_admin)

    # when staff reply on the caller's complaint
    services.complaint_add_message(
        complaint=caller, actor=acme_admin, kind=Message.Kind.REPLY, body="We called you back."
    )

    # then nothing is emailed to Maria about it
    assert (
        not Delivery.objects.for_tenant(acme_setup)
        .filter(dedupe_key__startswith=f"complaint-{caller.pk}-")
        .exists()
    )


def test_complaints_filed_before_take_their_customers_contact(acme_setup, acme_brand):
    # given a complaint stored before complaints kept their own contact
    complaint = file_complaint(acme_brand, name="Maria Rossi", phone="+30 210 0001000")
    Complaint.objects.for_tenant(acme_setup).filter(pk=complaint.pk).update(
        contact_name="", contact_email="", contact_phone=""
    )
    migration = importlib.import_module(
        "complaints.migrations.0012_complaint_contact_and_access_keys"
    )
    state = MigrationLoader(connection).project_state(
        ("complaints", "0012_complaint_contact_and_access_keys")
    )

    migration.contact_from_customer(state.apps, None)

    complaint.refresh_from_db()
    assert (complaint.contact_name, complaint.contact_email, complaint.contact_phone) == (
        "Maria Rossi",
        MARIA,
        "+30 210 0001000",
    )
