"""Linking two complaints, and the staff's download of a complaint's files.

Bob (north branch) and Sara (south branch) each see their own branch; Alice (admin, head
office) sees both; Pete (performer) may not open complaints; Charlie (Globex) sees nothing of
Acme.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from complaints import services
from complaints.lifecycle import State
from complaints.models import Attachment, Category, ComplaintLink, Message, RoutingRule
from complaints.services import category_create
from tenants.errors import ApplicationError
from tenants.models import AuditEntry, Department
from tests.complaint_fixtures import file_complaint, status_key


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def south_complaint(acme_setup, acme_brand, acme_south_agent):
    """A complaint routed to the south branch, which the north branch does not see."""
    home = category_create(tenant=acme_setup, actor=None, code="home", name="Home insurance")
    RoutingRule.objects.create(
        tenant=acme_setup,
        name="Home to the south branch",
        category=home,
        department=Department.objects.for_tenant(acme_setup).get(code="south-branch"),
        strategy=RoutingRule.Strategy.LEAST_OPEN,
    )
    return file_complaint(acme_brand, category=home, subject="Flooded kitchen")


def links(tenant):
    return sorted(
        ComplaintLink.objects.for_tenant(tenant).values_list(
            "complaint__reference", "linked__reference", "created_by__user__username"
        )
    )


def link_audits(tenant):
    return list(
        AuditEntry.objects.for_tenant(tenant)
        .filter(action="complaint.linked")
        .values_list("actor__username", "target_id", "changes")
    )


def link_url(complaint, tenant_slug="acme"):
    return reverse(
        "complaint-link", kwargs={"tenant_slug": tenant_slug, "reference": complaint.reference}
    )


def detail_url(complaint):
    return reverse(
        "complaint-detail", kwargs={"tenant_slug": "acme", "reference": complaint.reference}
    )


# --- linking --------------------------------------------------------------------------------


def test_a_link_is_recorded_both_ways_once_and_audited(complaint_in, acme, acme_admin):
    first, second = complaint_in(State.INVESTIGATING), complaint_in(State.RECEIVED)

    services.complaint_link(complaint=first, actor=acme_admin, other=second)
    services.complaint_link(complaint=first, actor=acme_admin, other=second)  # again
    services.complaint_link(complaint=second, actor=acme_admin, other=first)  # the other way

    assert links(acme) == sorted(
        [
            (first.reference, second.reference, "alice@acme.example"),
            (second.reference, first.reference, "alice@acme.example"),
        ]
    )
    assert link_audits(acme) == [
        ("alice@acme.example", str(first.pk), {"linked": [None, second.reference]})
    ]


@pytest.mark.parametrize("other", ["itself", "globex"])
def test_a_complaint_is_not_linked_to_itself_or_to_another_tenants(
    complaint_in, acme, globex_brand, acme_admin, other
):
    complaint = complaint_in(State.INVESTIGATING)
    target = complaint if other == "itself" else file_complaint(globex_brand)

    with pytest.raises(ApplicationError) as refused:
        services.complaint_link(complaint=complaint, actor=acme_admin, other=target)

    assert refused.value.fields == {"other": ["Not a complaint you can link."]}
    assert ComplaintLink.objects.unscoped().count() == 0
    assert link_audits(acme) == []


def test_the_case_page_links_both_ways_for_whoever_sees_both(
    client_of, complaint_in, south_complaint, acme, acme_admin, acme_agent, acme_south_agent
):
    north = complaint_in(State.INVESTIGATING)
    client = client_of(acme_admin)

    response = client.post(link_url(north), {"other": south_complaint.reference.lower()})

    assert response.status_code == 302
    assert response["Location"] == detail_url(north)
    assert links(acme) == sorted(
        [
            (north.reference, south_complaint.reference, "alice@acme.example"),
            (south_complaint.reference, north.reference, "alice@acme.example"),
        ]
    )
    assert client.get(detail_url(north)).context["case"].linked == [south_complaint]
    assert client.get(detail_url(south_complaint)).context["case"].linked == [north]
    # Each branch sees its own complaint, and not the other branch's behind the link.
    assert client_of(acme_agent).get(detail_url(north)).context["case"].linked == []
    south_page = client_of(acme_south_agent).get(detail_url(south_complaint))
    assert south_page.context["case"].linked == []
    assert north.reference not in south_page.content.decode()


def test_a_complaint_the_member_cannot_see_is_refused_like_one_that_does_not_exist(
    client_of, complaint_in, south_complaint, acme, acme_agent
):
    north = complaint_in(State.INVESTIGATING)  # bob's
    client = client_of(acme_agent)

    hidden = client.post(link_url(north), {"other": south_complaint.reference})
    missing = client.post(link_url(north), {"other": "AMO-2026-999999"})

    for response in (hidden, missing):
        assert response.status_code == 400
        assert response.context["link_form"].errors == {
            "other": ["No complaint with that reference that you can see."]
        }
    assert links(acme) == []
    assert link_audits(acme) == []


def test_linking_from_a_complaint_the_member_cannot_see_is_a_404(
    client_of, complaint_in, south_complaint, acme, acme_agent
):
    north = complaint_in(State.INVESTIGATING)

    response = client_of(acme_agent).post(link_url(south_complaint), {"other": north.reference})

    assert response.status_code == 404
    assert links(acme) == []
    assert link_audits(acme) == []


# --- the staff's download of files ----------------------------------------------------------


def pdf(name, content):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def internal_memo(complaint_in, acme_admin):
    """An internal note's file on a north-branch complaint."""
    complaint = complaint_in(State.INVESTIGATING)
    services.complaint_add_message(
        complaint=complaint,
        actor=acme_admin,
        kind=Message.Kind.INTERNAL,
        body="The garage's invoice, for us only.",
        files=[pdf("internal-memo.pdf", b"%PDF-1.4 internal memo")],
    )
    return Attachment.objects.for_tenant(complaint.tenant_id).get(complaint=complaint)


def file_url(complaint, attachment, tenant_slug="acme"):
    return reverse(
        "complaint-file",
        kwargs={
            "tenant_slug": tenant_slug,
            "reference": complaint.reference,
            "attachment_id": attachment.pk,
        },
    )


def download(response) -> tuple:
    return (
        response.status_code,
        response["Content-Disposition"],
        b"".join(response.streaming_content),
    )


@pytest.mark.parametrize("persona", ["acme_agent", "acme_admin", "acme_manager", "acme_analyst"])
def test_staff_who_see_the_complaint_download_its_internal_files(
    request, client_of, internal_memo, persona
):
    client = client_of(request.getfixturevalue(persona))

    response = client.get(file_url(internal_memo.complaint, internal_memo))

    assert download(response) == (
        200,
        'attachment; filename="internal-memo.pdf"',
        b"%PDF-1.4 internal memo",
    )


def test_the_handler_downloads_the_customers_file_by_its_own_name(
    client_of, acme_setup, acme_brand, acme_agent
):
    claims = Category.objects.for_tenant(acme_setup).get(code="claims")
    complaint = file_complaint(
        acme_brand, category=claims, files=[pdf("Τιμολόγιο συνεργείου.pdf", b"%PDF-1.4 invoice")]
    )
    attachment = Attachment.objects.for_tenant(acme_setup).get()

    response = client_of(acme_agent).get(file_url(complaint, attachment))

    assert download(response) == (
        200,
        "attachment; filename*=utf-8''%CE%A4%CE%B9%CE%BC%CE%BF%CE%BB%CF%8C%CE%B3%CE%B9%CE%BF"
        "%20%CF%83%CF%85%CE%BD%CE%B5%CF%81%CE%B3%CE%B5%CE%AF%CE%BF%CF%85.pdf",
        b"%PDF-1.4 invoice",
    )


def test_an_internal_file_is_never_served_on_the_public_page(internal_memo):
    complaint = internal_memo.complaint
    customer = Client()
    status = reverse(
        "public-complaint-status",
        kwargs={"tenant_slug": "acme", "reference": complaint.reference},
    )
    assert customer.get(status, {"key": status_key(complaint)}).status_code == 302

    public_file = reverse(
        "public-complaint-file",
        kwargs={
            "tenant_slug": "acme",
            "reference": complaint.reference,
            "attachment_id": internal_memo.pk,
        },
    )

    assert "internal-memo.pdf" not in customer.get(status).content.decode()
    assert customer.get(public_file).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"), [("acme_performer", 403), ("acme_south_agent", 404)]
)
def test_members_who_may_not_open_the_complaint_get_no_file(
    request, client_of, internal_memo, persona, status
):
    client = client_of(request.getfixturevalue(persona))

    response = client.get(file_url(internal_memo.complaint, internal_memo))

    assert response.status_code == status
    assert not hasattr(response, "streaming_content")


def test_a_file_is_served_only_under_its_own_complaint(
    client_of, complaint_in, internal_memo, acme_admin
):
    other = complaint_in(State.INVESTIGATING)

    response = client_of(acme_admin).get(file_url(other, internal_memo))

    assert response.status_code == 404
    assert not hasattr(response, "streaming_content")


def test_another_tenant_gets_no_file_by_any_url(
    client_of, internal_memo, globex_brand, globex_agent
):
    theirs = file_complaint(globex_brand, subject="Tow truck late")
    client = client_of(globex_agent)

    urls = [
        file_url(internal_memo.complaint, internal_memo),  # under /acme/
        file_url(internal_memo.complaint, internal_memo, tenant_slug="globex"),
        file_url(theirs, internal_memo, tenant_slug="globex"),  # their complaint, our file
    ]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 404
        assert not hasattr(response, "streaming_content")
