""" "Overdue" means one thing: a running SLA clock past its due time (``overdue_q``).

The queue paints the due date red, the overdue queue lists the complaint and the case page
says "overdue" for exactly the same complaints; a clock paused while the complaint waits on
the customer is not overdue.
"""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.lifecycle import State
from complaints.models import Complaint

LONG_AGO = "2020-01-01T00:00:00Z"


def queue(client, **params):
    url = reverse("complaint-queue", kwargs={"tenant_slug": "acme"})
    return client.get(f"{url}?{urlencode(params)}")


def case_page(client, complaint):
    url = reverse(
        "complaint-detail", kwargs={"tenant_slug": "acme", "reference": complaint.reference}
    )
    return client.get(url).content.decode()


def late(complaint, **clocks):
    Complaint.objects.for_tenant(complaint.tenant_id).filter(pk=complaint.pk).update(**clocks)
    complaint.refresh_from_db()
    return complaint


def red_in_queue(response) -> set[str]:
    return {row.reference for row in response.context["page"].rows if row.is_overdue}


def test_a_paused_clock_is_not_overdue(client_of, complaint_in, acme_admin):
    # given a complaint waiting on the customer whose resolution was due long ago
    waiting = late(complaint_in(State.WAITING_ON_CUSTOMER), resolve_due_at=LONG_AGO)
    assert waiting.sla_paused_at is not None
    client = client_of(acme_admin)

    # then the queue does not paint it red, the overdue queue does not list it, and the case
    # page does not call it overdue
    html = queue(client, queue="all").content.decode()
    assert red_in_queue(queue(client, queue="all")) == set()
    assert 'class="overdue"' not in html
    assert [row.reference for row in queue(client, queue="overdue").context["page"].rows] == []
    assert "· overdue" not in case_page(client, waiting)
    assert (
        not Complaint.objects.for_tenant(waiting.tenant_id)
        .with_overdue(timezone.now())
        .get(pk=waiting.pk)
        .is_overdue
    )


def test_a_late_running_clock_is_red_in_the_queue_and_on_the_case_page(
    client_of, complaint_in, acme_admin
):
    # given an investigation whose first response is late but whose resolution is not
    investigating = late(
        complaint_in(State.INVESTIGATING),
        first_responded_at=None,
        first_response_due_at=LONG_AGO,
        resolve_due_at="2999-01-01T00:00:00Z",
    )
    client = client_of(acme_admin)

    # then the queue's due date is red (any running clock late)...
    response = queue(client, queue="all")
    assert red_in_queue(response) == {investigating.reference}
    assert '<span class="overdue">' in response.content.decode()
    # ...and the case page marks the first-response clock, not the resolution clock
    page = case_page(client, investigating)
    assert page.count("· overdue") == 1
    first_response = page[page.index("First response by") : page.index("Resolve by")]
    assert "overdue" in first_response


@pytest.mark.parametrize("state", [State.RESOLVED, State.CLOSED])
def test_a_stopped_clock_is_not_overdue_even_past_its_due_time(
    client_of, complaint_in, acme_admin, state
):
    done = late(complaint_in(state), resolve_due_at=LONG_AGO, acknowledge_due_at=LONG_AGO)
    client = client_of(acme_admin)

    assert red_in_queue(queue(client, queue="all")) == set()
    page = case_page(client, done)
    assert "· overdue" not in page
    assert "done late" in page


def test_the_overdue_queue_agrees_with_the_queue_and_the_case_page(
    client_of, complaint_in, acme_admin
):
    # given complaints in many states, some late, one late but paused, some in time
    late_ones = [
        late(complaint_in(State.RECEIVED), acknowledge_due_at=LONG_AGO),
        late(complaint_in(State.ASSIGNED), resolve_due_at=LONG_AGO),
        late(complaint_in(State.INVESTIGATING), resolve_due_at=LONG_AGO),
    ]
    late(complaint_in(State.WAITING_ON_CUSTOMER), resolve_due_at=LONG_AGO)
    late(complaint_in(State.CLOSED), resolve_due_at=LONG_AGO)
    in_time = [complaint_in(State.ACKNOWLEDGED), complaint_in(State.INVESTIGATING)]
    client = client_of(acme_admin)

    # when each page says which are overdue
    overdue_queue = {row.reference for row in queue(client, queue="overdue").context["page"].rows}
    red = red_in_queue(queue(client, queue="all"))
    every = Complaint.objects.for_tenant(acme_admin.tenant_id)
    on_case_pages = {c.reference for c in every if "· overdue" in case_page(client, c)}

    # then they all say the same, and it is the late running clocks
    expected = {complaint.reference for complaint in late_ones}
    assert overdue_queue == red == on_case_pages == expected
    assert expected.isdisjoint(c.reference for c in in_time)
