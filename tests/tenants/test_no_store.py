"""Staff pages show customers' data: no browser or proxy keeps a copy.

Alice (Acme's admin) opens the queue and a complaint on a shared computer; after she logs out,
the Back button or the next user must not bring the pages back from a cache, and a proxy
between her and the server must not store them.
"""

import pytest
from django.urls import reverse

from complaints.lifecycle import State

pytestmark = pytest.mark.postgres


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def test_every_staff_page_with_customer_data_is_no_store_and_private(
    client, acme_admin, complaint_in
):
    complaint = complaint_in(State.ASSESSED)
    client.force_login(acme_admin.user)
    queue = client.get(reverse("complaint-queue", kwargs={"tenant_slug": "acme"}))
    assert complaint.reference in queue.content.decode()
    pages = [queue]
    for name, kwargs in (
        ("complaint-detail", {"reference": complaint.reference}),
        ("corrective-action-list", {}),
        ("response-list", {}),
        ("follow-up-list", {}),
        ("interaction-list", {}),
        ("notification-list", {}),
        ("home", {}),
        ("team", {}),
    ):
        pages.append(client.get(reverse(name, kwargs={"tenant_slug": "acme", **kwargs})))
    for page in pages:
        assert page.status_code == 200, page.request["PATH_INFO"]
        assert {"no-store", "private"} <= directives(page), page.request["PATH_INFO"]


def test_a_refused_staff_form_is_no_store_too(client, acme_agent, complaint_in):
    complaint = complaint_in(State.ASSESSED)
    client.force_login(acme_agent.user)
    # A refused form answers with the complaint page again, the customer's data in it.
    response = client.post(
        reverse(
            "complaint-message", kwargs={"tenant_slug": "acme", "reference": complaint.reference}
        ),
        {},
    )
    assert response.status_code == 400
    assert {"no-store", "private"} <= directives(response)
