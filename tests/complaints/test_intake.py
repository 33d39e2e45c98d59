"""Filing a complaint: reference, customer matching, routing, priority, repeat flag, files.

Personas (tests/conftest.py): Acme is the tenant under test; bob (``acme_agent``) is an agent of
the north branch and dave (made here) a second one; Globex is another tenant.
"""

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints import workflow
from complaints.models import (
    Attachment,
    Category,
    Complaint,
    ComplaintSettings,
    ReferenceSequence,
    RoutingRule,
    Severity,
)
from customers.models import Customer, Segment
from customers.services import customer_match_or_create
from notifications.models import Delivery
from tenants.errors import ApplicationError
from tenants.models import Role
from tests.complaint_fixtures import file_complaint
from tests.factories import BrandFactory, TouchpointFactory, make_member

# --- helpers --------------------------------------------------------------------------------


def claims(tenant):
    return Category.objects.for_tenant(tenant).get(code="claims")


def counts(tenant):
    """Rows a refused intake must not leave behind."""
    return {
        "complaints": Complaint.objects.for_tenant(tenant).count(),
        "customers": Customer.objects.for_tenant(tenant).count(),
        "sequences": list(
            ReferenceSequence.objects.for_tenant(tenant).values_list("brand_id", "last_number")
        ),
        "attachments": Attachment.objects.for_tenant(tenant).count(),
        "deliveries": Delivery.objects.for_tenant(tenant).count(),
    }


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NOTHING = {"complaints": 0, "customers": 0, "sequences": [], "attachments": 0, "deliveries": 0}


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- references -----------------------------------------------------------------------------


def test_references_count_up_per_brand_and_year(acme_setup, acme_brand, globex_brand):
    this_year = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    acme_home = BrandFactory(tenant=acme_setup, slug="acme-home", reference_prefix="AHO")

    first = file_complaint(acme_brand, received_at=this_year)
    second = file_complaint(acme_brand, received_at=this_year)
    other_brand = file_complaint(acme_home, received_at=this_year)
    other_tenant = file_complaint(globex_brand, received_at=this_year)
    last_year = file_complaint(acme_brand, received_at=datetime(2025, 6, 1, 9, 0, tzinfo=UTC))
    third = file_complaint(acme_brand, received_at=this_year)

    assert [c.reference for c in (first, second, other_brand, other_tenant, last_year, third)] == [
        "AMO-2026-000001",
        "AMO-2026-000002",
        "AHO-2026-000001",
        "GRO-2026-000001",
        "AMO-2025-000001",
        "AMO-2026-000003",
    ]


def test_the_reference_year_is_the_tenants_local_year(acme_setup, acme_brand):
    # 22:30 UTC on 31 December is 00:30 on 1 January in Athens
    received_at = datetime(2025, 12, 31, 22, 30, tzinfo=UTC)

    complaint = file_complaint(acme_brand, received_at=received_at)

    assert complaint.reference == "AMO-2026-000001"


# --- customers --------------------------------------------------------------------------------


def test_the_same_email_in_another_case_is_the_same_customer(acme_setup, acme_brand):
    first = file_complaint(acme_brand, email="maria.rossi@example.com")

    second = file_complaint(acme_brand, email="  Maria.Rossi@EXAMPLE.com ")

    assert second.customer_id == first.customer_id
    assert Customer.objects.for_tenant(acme_setup).count() == 1


def test_the_same_phone_in_another_format_is_the_same_customer(acme_setup, acme_brand):
    first = file_complaint(acme_brand, email="", phone="+30 210-000 1000")

    second = file_complaint(acme_brand, email="", phone="+302100001000")

    assert second.customer_id == first.customer_id
    customer = Customer.objects.for_tenant(acme_setup).get()
    assert (customer.phone, customer.phone_key, customer.email) == (
        "+30 210-000 1000",
        "+302100001000",
        "",
    )


def test_an_email_matched_customer_learns_a_new_phone_from_staff(
    acme_setup, acme_brand, acme_admin
):
    first = file_complaint(acme_brand, email="maria@example.com", phone="")

    second = file_complaint(
        acme_brand, email="Maria@Example.com", phone="+30 210-000 1000", actor=acme_admin
    )

    assert second.customer_id == first.customer_id
    customer = Customer.objects.for_tenant(acme_setup).get()
    assert (customer.phone, customer.phone_key) == ("+30 210-000 1000", "+302100001000")


def test_the_public_form_never_adds_a_contact_to_an_existing_customer(acme_setup, acme_brand):
    victim = file_complaint(acme_brand, email="victim@example.com", phone="")

    # a stranger who knows the victim's email files with their own phone
    file_complaint(acme_brand, email="victim@example.com", phone="+30 699 000 0000")

    victim.customer.refresh_from_db()
    assert (victim.customer.phone, victim.customer.phone_key) == ("", "")


def test_an_email_matched_customer_keeps_their_phone(acme_setup, acme_brand):
    first = file_complaint(acme_brand, email="maria@example.com", phone="+30 210 000 1000")

    second = file_complaint(acme_brand, email="maria@example.com", phone="+30 699 999 9999")

    assert second.customer_id == first.customer_id
    assert Customer.objects.for_tenant(acme_setup).get().phone_key == "+302100001000"


def test_an_email_and_a_phone_of_two_customers_file_for_the_email_one(acme_setup, acme_brand):
    # given one customer known by phone only and another by email only
    by_phone = file_complaint(acme_brand, name="Phone Person", email="", phone="+302100001000")
    by_email = file_complaint(acme_brand, name="Email Person", email="maria@example.com")

    # when a complaint gives that email and that phone
    complaint = file_complaint(acme_brand, email="maria@example.com", phone="+30 210 000 1000")

    # then it is filed for the email match (email is tried first), and nobody's phone moves
    assert complaint.customer_id == by_email.customer_id
    assert Customer.objects.for_tenant(acme_setup).get(pk=by_phone.customer_id).phone_key == (
        "+302100001000"
    )


def test_neither_email_nor_phone_is_refused_and_nothing_is_created(acme_setup, acme_brand):
    with pytest.raises(ApplicationError) as refused:
        file_complaint(acme_brand, email="", phone="  ")

    assert refused.value.fields == {"email": ["An email address or a phone number is needed."]}
    assert counts(acme_setup) == NOTHING


def test_the_customer_is_created_in_the_language_of_the_intake(acme_setup, acme_brand):
    complaint = file_complaint(acme_brand, language="el")

    assert (complaint.language, complaint.customer.language) == ("el", "el")


# --- routing ----------------------------------------------------------------------------------


def test_a_claim_goes_to_the_north_branch_agent_with_the_fewest_open_complaints(
    acme_setup, acme_brand, acme_agent
):
    # given two north-branch agents: bob, and dave
    dave = make_member(acme_setup, "dave", Role.AGENT, "north-branch")
    first = file_complaint(acme_brand, category=claims(acme_setup))
    second = file_complaint(acme_brand, category=claims(acme_setup))
    assert (first.assignee_id, second.assignee_id) == (acme_agent.pk, dave.pk)
    # dave's complaint is withdrawn: he has none open, though he was given one last
    workflow.complaint_withdraw(complaint=second, actor=None)

    # when a third claim comes in
    third = file_complaint(acme_brand, category=claims(acme_setup))

    # then it goes to the north branch, to dave (fewest open), not to bob (longest waiting)
    assert (third.department.code, third.assignee_id) == ("north-branch", dave.pk)
    assert third.assigned_at == third.received_at


def test_round_robin_takes_turns_whatever_is_open(acme_setup, acme_brand, acme_agent):
    dave = make_member(acme_setup, "dave", Role.AGENT, "north-branch")
    RoutingRule.objects.for_tenant(acme_setup).update(strategy=RoutingRule.Strategy.ROUND_ROBIN)

    first = file_complaint(acme_brand, category=claims(acme_setup))
    second = file_complaint(acme_brand, category=claims(acme_setup))
    workflow.complaint_withdraw(complaint=second, actor=None)
    third = file_complaint(acme_brand, category=claims(acme_setup))
    fourth = file_complaint(acme_brand, category=claims(acme_setup))

    assert [c.assignee_id for c in (first, second, third, fourth)] == [
        acme_agent.pk,
        dave.pk,
        acme_agent.pk,
        dave.pk,
    ]


def test_without_a_matching_rule_it_goes_unassigned_to_head_office(acme_setup, acme_brand):
    complaint = file_complaint(acme_brand, category=None)

    assert (complaint.department.code, complaint.assignee, complaint.assigned_at) == (
        "head-office",
        None,
        None,
    )


# --- priority -------------------------------------------------------------------------------


def vip(tenant, email="vip@example.com"):
    customer = customer_match_or_create(tenant=tenant, name="Very Important", email=email)
    Customer.objects.for_tenant(tenant).filter(pk=customer.pk).update(segment=Segment.VIP)
    return email


@pytest.mark.parametrize(
    ("severity", "is_vip", "priority"),
    [
        (Severity.CRITICAL, False, 1),
        (Severity.HIGH, True, 1),
        (Severity.HIGH, False, 2),
        (Severity.MEDIUM, True, 2),
        (Severity.MEDIUM, False, 3),
        (Severity.LOW, True, 3),
        (Severity.LOW, False, 4),
    ],
)
def test_priority_comes_from_severity_and_segment(
    acme_setup, acme_brand, severity, is_vip, priority
):
    email = vip(acme_setup) if is_vip else "standard@example.com"

    complaint = file_complaint(acme_brand, email=email, severity=severity)

    assert complaint.priority == priority


def test_a_tenant_overrides_a_cell_of_the_priority_matrix(acme_setup, acme_brand):
    ComplaintSettings.objects.create(tenant=acme_setup, priority_matrix={"low": {"standard": 2}})

    standard = file_complaint(acme_brand, email="standard@example.com", severity=Severity.LOW)
    important = file_complaint(acme_brand, email=vip(acme_setup), severity=Severity.LOW)

    assert (standard.priority, important.priority) == (2, 3)  # the vip cell keeps its default


# --- repeat complainants ------------------------------------------------------------------------


def test_the_third_complaint_in_ninety_days_flags_a_repeat_complainant(acme_setup, acme_brand):
    # default: 3 complaints in 90 days, this one included
    flags = [file_complaint(acme_brand).is_repeat_complainant for _ in range(4)]

    assert flags == [False, False, True, True]


def test_the_threshold_and_window_are_the_tenants(acme_setup, acme_brand):
    ComplaintSettings.objects.create(tenant=acme_setup, repeat_threshold=2, repeat_window_days=10)
    now = timezone.now()
    file_complaint(acme_brand, received_at=now - timedelta(days=12))

    outside = file_complaint(acme_brand, received_at=now - timedelta(days=1))
    inside = file_complaint(acme_brand, received_at=now)

    assert (outside.is_repeat_complainant, inside.is_repeat_complainant) == (False, True)


def test_complaints_before_the_window_do_not_count(acme_setup, acme_brand):
    now = timezone.now()
    for days in (95, 93, 91):
        file_complaint(acme_brand, received_at=now - timedelta(days=days))

    outside = file_complaint(acme_brand, received_at=now)

    assert outside.is_repeat_complainant is False


def test_a_watchlist_customer_is_always_flagged(acme_setup, acme_brand):
    customer = customer_match_or_create(
        tenant=acme_setup, name="Maria Rossi", email="maria.rossi@example.com"
    )
    Customer.objects.for_tenant(acme_setup).filter(pk=customer.pk).update(segment=Segment.WATCHLIST)

    assert file_complaint(acme_brand).is_repeat_complainant is True


# --- attachments ------------------------------------------------------------------------------


def test_a_disallowed_file_type_is_refused_and_nothing_is_created(
    acme_setup, acme_brand, media_root
):
    program = SimpleUploadedFile(
        "invoice.exe", b"MZ\x90\x00", content_type="application/x-msdownload"
    )

    with pytest.raises(ApplicationError) as refused:
        file_complaint(acme_brand, files=[program])

    message = "“invoice.exe” is not a file type we accept (PDF, images, text, Word)."
    assert (refused.value.message, refused.value.fields) == (message, {"files": [message]})
    assert counts(acme_setup) == NOTHING
    assert list(media_root.rglob("*")) == []
    # and no reference number was used up
    assert file_complaint(acme_brand).reference.endswith("-000001")


def test_an_oversize_file_is_refused_and_nothing_is_created(acme_setup, acme_brand, media_root):
    ComplaintSettings.objects.create(tenant=acme_setup, max_attachment_mb=1)
    big = SimpleUploadedFile(
        "scan.pdf", b"%PDF-1.7\n" + b"0" * int(1.1 * 1024 * 1024), content_type="application/pdf"
    )

    with pytest.raises(ApplicationError) as refused:
        file_complaint(acme_brand, files=[big])

    message = "“scan.pdf” is larger than 1 MB."
    assert (refused.value.message, refused.value.fields) == (message, {"files": [message]})
    assert counts(acme_setup) == NOTHING
    assert list(media_root.rglob("*")) == []
    assert file_complaint(acme_brand).reference.endswith("-000001")


def test_an_allowed_pdf_is_stored_with_its_name_and_size(acme_setup, acme_brand, media_root):
    content = b"%PDF-1.7\n" + b"1" * 2048
    pdf = SimpleUploadedFile("Repair invoice.pdf", content, content_type="application/pdf")

    complaint = file_complaint(acme_brand, files=[pdf])

    attachment = Attachment.objects.for_tenant(acme_setup).get()
    assert (
        attachment.complaint_id,
        attachment.original_name,
        attachment.content_type,
        attachment.size,
        attachment.uploaded_by,
        attachment.is_internal,
    ) == (complaint.pk, "Repair invoice.pdf", "application/pdf", len(content), None, False)
    assert attachment.file.name.startswith(f"complaints/{acme_setup.pk}/{complaint.pk}/")
    assert (media_root / attachment.file.name).read_bytes() == content


def test_a_file_whose_name_disagrees_with_its_type_is_refused(acme_setup, acme_brand, media_root):
    disguised = SimpleUploadedFile("invoice.exe", b"MZ\x90\x00", content_type="application/pdf")

    with pytest.raises(ApplicationError) as refused:
        file_complaint(acme_brand, files=[disguised])

    assert refused.value.fields == {
        "files": ["“invoice.exe” is not a file type we accept (PDF, images, text, Word)."]
    }
    assert counts(acme_setup) == NOTHING


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as word:
        word.writestr("[Content_Types].xml", "<Types/>")
        word.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("invoice.pdf", b"MZ\x90\x00", "application/pdf"),
        ("invoice.pdf", b"<!DOCTYPE html><html><script>alert(1)</script>", "application/pdf"),
        (
            "invoice.pdf",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>',
            "application/pdf",
        ),
        ("invoice.pdf", b"\x89PNG\r\n\x1a\n real picture", "application/pdf"),
        ("photo.png", b"<svg onload=alert(1)>", "image/png"),
        ("photo.jpg", b"%PDF-1.7 a pdf", "image/jpeg"),
        ("notes.txt", b"hello <script>steal()</script>", "text/plain"),
        ("notes.txt", b"MZ\x90\x00\x03\x00\x00\x00", "text/plain"),
        ("letter.docx", b"PK\x03\x04 not really a zip", DOCX),
        ("letter.doc", b"<html>word?</html>", "application/msword"),
    ],
)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(
    acme_setup, acme_brand, media_root, name, content, content_type
):
    disguised = SimpleUploadedFile(name, content, content_type=content_type)

    with pytest.raises(ApplicationError) as refused:
        file_complaint(acme_brand, files=[disguised])

    assert refused.value.fields == {
        "files": [f"“{name}” is not a file type we accept (PDF, images, text, Word)."]
    }
    assert counts(acme_setup) == NOTHING
    assert list(media_root.rglob("*")) == []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("invoice.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf"),
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        ("notes.txt", "Ο γερανός δεν ήρθε ποτέ. 3 < 4.".encode(), "text/plain"),
        ("letter.docx", docx_bytes(), DOCX),
        ("letter.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32, "application/msword"),
    ],
)
def test_a_real_file_of_each_accepted_type_is_stored_whole(
    acme_setup, acme_brand, media_root, name, content, content_type
):
    complaint = file_complaint(
        acme_brand, files=[SimpleUploadedFile(name, content, content_type=content_type)]
    )

    attachment = Attachment.objects.for_tenant(acme_setup).get(complaint=complaint)
    assert (attachment.original_name, attachment.content_type) == (name, content_type)
    assert (media_root / attachment.file.name).read_bytes() == content


def test_more_than_five_files_are_refused(acme_setup, acme_brand, media_root):
    files = [
        SimpleUploadedFile(f"page-{n}.pdf", b"%PDF-1.7\n", content_type="application/pdf")
        for n in range(6)
    ]

    with pytest.raises(ApplicationError) as refused:
        file_complaint(acme_brand, files=files)

    assert refused.value.fields == {"files": ["Attach at most 5 files."]}
    assert counts(acme_setup) == NOTHING


# --- other tenants' choices -------------------------------------------------------------------


def test_another_tenants_touchpoint_is_refused(acme_setup, acme_brand, globex):
    foreign = TouchpointFactory(tenant=globex, code="globex-desk")

    with pytest.raises(ApplicationError) as refused:
        file_complaint(acme_brand, touchpoint=foreign)

    assert refused.value.fields == {"touchpoint": ["Unknown choice."]}
    assert counts(acme_setup) == NOTHING


def test_another_tenants_category_is_refused(acme_setup, acme_brand, globex):
    foreign = Category.objects.create(tenant=globex, code="claims", name="Claims", path="/0/")

    with pytest.raises(ApplicationError) as refused:
        file_complaint(acme_brand, category=foreign)

    assert refused.value.fields == {"category": ["Unknown choice."]}
    assert counts(acme_setup) == NOTHING
