"""The complaint handling settings and the severity × segment priority matrix: admins change
them (audited) and new complaints follow; managers read; other roles see nothing."""

import pytest
from django.urls import reverse

from complaints.lifecycle import State
from complaints.models import ComplaintSettings, Severity
from complaints.selectors import complaint_settings
from customers.models import Segment
from tenants.models import AuditEntry
from tests.complaint_fixtures import file_complaint

URL = "/acme/settings/complaints/handling/"
MATRIX_URL = "/acme/settings/complaints/handling/priorities/"


def _form(**overrides) -> dict:
    data = {
        "reopen_window_days": 14,
        "repeat_threshold": 2,
        "repeat_window_days": 60,
        "acknowledgement_hours": 4,
        "first_response_hours": 16,
        "resolution_days": 10,
        "warning_percent": 80,
        "escalation_hours": 4,
        "max_attachment_mb": 5,
        "internal_review": "Ask for a review by our panel.",
        "external_body": "The Hellenic Ombudsman",
        "transfer_sideways": "on",
    }
    data.update(overrides)
    return data


def _matrix(**cells) -> dict:
    """Every cell as the default has it, with ``cells`` (``critical__vip=2``) changed."""
    default = {
        "critical": {"standard": 1, "vip": 1, "watchlist": 1},
        "high": {"standard": 2, "vip": 1, "watchlist": 1},
        "medium": {"standard": 3, "vip": 2, "watchlist": 2},
        "low": {"standard": 4, "vip": 3, "watchlist": 3},
    }
    data = {
        f"{severity}__{segment}": priority
        for severity, row in default.items()
        for segment, priority in row.items()
    }
    data.update(cells)
    return data


def test_an_admin_saves_the_settings_and_it_is_audited(acme, acme_admin, client_of):
    response = client_of(acme_admin).post(URL, _form())

    assert response.status_code == 302
    saved = ComplaintSettings.objects.for_tenant(acme).get()
    assert (
        saved.reopen_window_days,
        saved.repeat_threshold,
        saved.acknowledgement_hours,
        saved.resolution_days,
        saved.warning_percent,
        saved.max_attachment_mb,
        saved.external_body,
    ) == (14, 2, 4, 10, 80, 5, "The Hellenic Ombudsman")
    entry = AuditEntry.objects.for_tenant(acme).get(action="complaint_settings.changed")
    default_review = ComplaintSettings._meta.get_field("internal_review").default
    assert entry.actor == acme_admin.user
    assert entry.changes == {
        "reopen_window_days": [30, 14],
        "repeat_threshold": [3, 2],
        "repeat_window_days": [90, 60],
        "acknowledgement_hours": [8, 4],
        "first_response_hours": [24, 16],
        "resolution_days": [15, 10],
        "warning_percent": [75, 80],
        "escalation_hours": [8, 4],
        "max_attachment_mb": [10, 5],
        "internal_review": [default_review, "Ask for a review by our panel."],
        "external_body": ["The Financial Ombudsman", "The Hellenic Ombudsman"],
    }


def test_turning_sideways_transfers_off_limits_the_transfer_form_to_up_and_down(
    acme, acme_admin, acme_agent, client_of, complaint_in
):
    form = _form()
    del form["transfer_sideways"]  # the box unticked

    response = client_of(acme_admin).post(URL, form)
    complaint = complaint_in(State.INVESTIGATING)  # bob's, north branch
    case = {"tenant_slug": "acme", "reference": complaint.reference}
    page = client_of(acme_agent).get(reverse("complaint-detail", kwargs=case))

    assert response.status_code == 302
    entry = AuditEntry.objects.for_tenant(acme).get(action="complaint_settings.changed")
    assert entry.changes["transfer_sideways"] == [True, False]
    offered = [
        str(label)
        for value, label in page.context["transfer_form"].fields["department"].choices
        if value != ""
    ]
    assert offered == ["Head office", "North region", "North branch"]


def test_saving_the_same_settings_again_records_nothing(acme, acme_admin, client_of):
    client = client_of(acme_admin)

    client.post(URL, _form())
    again = client.post(URL, _form())

    assert again.status_code == 302
    assert (
        AuditEntry.objects.for_tenant(acme).filter(action="complaint_settings.changed").count() == 1
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("acknowledgement_hours", 0, "A whole number from 1 to 8760."),
        ("warning_percent", 100, "A whole number from 1 to 99."),
        ("repeat_threshold", 1, "A whole number from 2 to 100."),
        ("first_response_hours", 2, "The first response cannot be due before the acknowledgement."),
        ("max_attachment_mb", 80, "At most 50 MB: the server takes no larger requests"),
        ("external_body", "   ", "This field is required."),
        ("resolution_days", "ten", "Enter a whole number."),
    ],
)
def test_bad_settings_are_refused_with_a_message_and_nothing_saved(
    acme, acme_admin, client_of, field, value, message
):
    response = client_of(acme_admin).post(URL, _form(**{field: value}))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ComplaintSettings.objects.for_tenant(acme).exists()
    assert not AuditEntry.objects.for_tenant(acme).filter(action__startswith="complaint_").exists()


def test_the_repeat_threshold_saved_on_the_page_flags_the_second_complaint(
    acme_setup, acme_admin, acme_brand, client_of
):
    client_of(acme_admin).post(URL, _form(repeat_threshold=2))

    first = file_complaint(acme_brand)
    second = file_complaint(acme_brand)

    assert (first.is_repeat_complainant, second.is_repeat_complainant) == (False, True)


def test_an_admin_edits_the_priority_matrix_and_new_complaints_follow_it(
    acme_setup, acme_admin, acme_brand, client_of
):
    client = client_of(acme_admin)

    page = client.get(URL).content.decode()
    response = client.post(MATRIX_URL, _matrix(medium__standard=2, low__standard=3))

    assert 'name="medium__standard"' in page
    assert response.status_code == 302
    settings = complaint_settings(acme_setup.pk)
    assert settings.priority_for(Severity.MEDIUM, Segment.STANDARD) == 2
    assert settings.priority_for(Severity.LOW, Segment.STANDARD) == 3
    assert settings.priority_for(Severity.HIGH, Segment.VIP) == 1  # unchanged cells kept
    assert file_complaint(acme_brand, severity=Severity.MEDIUM).priority == 2
    entry = AuditEntry.objects.for_tenant(acme_setup).get(action="priority_matrix.changed")
    assert (entry.actor, entry.changes) == (
        acme_admin.user,
        {"medium/standard": [3, 2], "low/standard": [4, 3]},
    )


@pytest.mark.parametrize("value", ["0", "5", "urgent", ""])
def test_a_matrix_cell_out_of_the_priorities_is_refused(acme, acme_admin, client_of, value):
    response = client_of(acme_admin).post(MATRIX_URL, _matrix(high__vip=value))

    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a valid choice." in page or "This field is required." in page
    assert not ComplaintSettings.objects.for_tenant(acme).exists()


def test_a_manager_reads_both_forms_but_cannot_save(acme, acme_manager, client_of):
    client = client_of(acme_manager)

    page = client.get(URL)
    refused = [client.post(URL, _form()).status_code, client.post(MATRIX_URL, _matrix())]

    assert page.status_code == 200
    assert page.content.decode().count("<fieldset disabled>") == 2
    assert [refused[0], refused[1].status_code] == [403, 403]
    assert not ComplaintSettings.objects.for_tenant(acme).exists()
    assert not AuditEntry.objects.for_tenant(acme).filter(actor=acme_manager.user).exists()


@pytest.mark.parametrize("persona", ["acme_agent", "acme_performer", "acme_analyst"])
def test_other_roles_get_forbidden(persona, request, client_of):
    client = client_of(request.getfixturevalue(persona))

    assert [
        client.get(URL).status_code,
        client.post(URL, _form()).status_code,
        client.post(MATRIX_URL, _matrix()).status_code,
    ] == [403, 403, 403]


def test_another_tenants_member_gets_not_found(globex_agent, acme, client_of):
    assert client_of(globex_agent).get(URL).status_code == 404
