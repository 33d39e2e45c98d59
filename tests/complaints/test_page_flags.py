"""The complaint pages tell their templates what the member may do (templates compare no
roles): ``can_handle`` comes from tenants/permissions.py."""

import pytest
from django.urls import reverse

from complaints.lifecycle import State


@pytest.mark.parametrize(
    ("persona", "can_handle"),
    [
        ("acme_admin", True),
        ("acme_manager", True),
        ("acme_agent", True),
        ("acme_analyst", False),
    ],
)
def test_the_queue_and_the_case_page_say_whether_the_member_handles_complaints(
    request, client_of, complaint_in, persona, can_handle
):
    complaint = complaint_in(State.INVESTIGATING)
    client = client_of(request.getfixturevalue(persona))

    queue = client.get(reverse("complaint-queue", kwargs={"tenant_slug": "acme"}))
    case = client.get(
        reverse(
            "complaint-detail",
            kwargs={"tenant_slug": "acme", "reference": complaint.reference},
        )
    )

    assert (queue.status_code, case.status_code) == (200, 200)
    assert queue.context["can_handle"] is can_handle
    assert case.context["can_handle"] is can_handle
