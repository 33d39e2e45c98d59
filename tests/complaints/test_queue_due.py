"""The queue's Due column names the deadline: the next one, or those missed (in words and in
red), or that the clocks are paused while the complaint waits on the customer."""

import re
from urllib.parse import urlencode

from django.urls import reverse

from complaints.lifecycle import State
from complaints.models import Complaint
from complaints.queue_rows import Due

LONG_AGO = "2020-01-01T00:00:00Z"  # 02:00 in Athens
SOON = "2999-06-01T07:30:00Z"  # 10:30 in Athens
LATER = "2999-06-03T07:30:00Z"


def set_clocks(complaint, **clocks):
    Complaint.objects.for_tenant(complaint.tenant_id).filter(pk=complaint.pk).update(**clocks)
    return complaint


def queue(client, name="all"):
    url = reverse("complaint-queue", kwargs={"tenant_slug": "acme"})
    return client.get(f"{url}?{urlencode({'queue': name})}")


def due_of(response) -> dict[str, Due]:
    return {row.reference: row.due for row in response.context["page"].rows}


def due_cell(response, reference) -> str:
    """The Due cell's text as a reader hears it (tags dropped, spaces folded)."""
    row = re.search(rf"<tr[^>]*>.*?{reference}.*?</tr>", response.content.decode(), re.S)[0]
    cell = re.findall(r"<td>(.*?)</td>", row, re.S)[-2]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()


def test_an_open_complaint_shows_its_next_deadline_and_which_clock(
    client_of, complaint_in, acme_admin
):
    # acknowledged: the first response is next, before the resolution
    complaint = set_clocks(
        complaint_in(State.ACKNOWLEDGED),
        first_responded_at=None,
        first_response_due_at=SOON,
        resolve_due_at=LATER,
    )

    response = queue(client_of(acme_admin))

    assert due_of(response)[complaint.reference] == Due(
        clock="First response", at="1 Jun 2999, 10:30"
    )
    assert due_cell(response, complaint.reference) == "First response 1 Jun 2999, 10:30"


def test_missed_deadlines_are_named_in_words_and_red_on_the_overdue_tab(
    client_of, complaint_in, acme_admin
):
    both = set_clocks(
        complaint_in(State.RECEIVED),
        acknowledge_due_at=LONG_AGO,
        first_response_due_at="2020-01-02T00:00:00Z",
        resolve_due_at=LATER,
    )
    resolution = set_clocks(complaint_in(State.INVESTIGATING), resolve_due_at=LONG_AGO)
    client = client_of(acme_admin)

    response = queue(client, "overdue")

    assert due_of(response) == {
        both.reference: Due(
            clock="Acknowledgement, First response", at="1 Jan 2020, 02:00", is_overdue=True
        ),
        resolution.reference: Due(clock="Resolution", at="1 Jan 2020, 02:00", is_overdue=True),
    }
    assert due_cell(response, both.reference) == (
        "Overdue: Acknowledgement, First response 1 Jan 2020, 02:00"
    )
    assert due_cell(response, resolution.reference) == "Overdue: Resolution 1 Jan 2020, 02:00"
    assert '<span class="overdue"><strong>Overdue:</strong> Resolution' in (
        response.content.decode()
    )


def test_a_complaint_waiting_on_the_customer_shows_paused_not_overdue(
    client_of, complaint_in, acme_admin
):
    waiting = set_clocks(complaint_in(State.WAITING_ON_CUSTOMER), resolve_due_at=LONG_AGO)

    response = queue(client_of(acme_admin))

    assert due_of(response)[waiting.reference] == Due(is_paused=True)
    assert due_cell(response, waiting.reference) == "Paused (waiting on the customer)"
    assert 'class="overdue"' not in response.content.decode()


def test_a_finished_complaint_has_no_deadline(client_of, complaint_in, acme_admin):
    closed = set_clocks(complaint_in(State.CLOSED), resolve_due_at=LONG_AGO)

    response = queue(client_of(acme_admin))

    assert due_of(response)[closed.reference] == Due()
    assert due_cell(response, closed.reference) == ""


def test_the_due_column_speaks_the_readers_language(client_of, complaint_in, acme_admin):
    late = set_clocks(complaint_in(State.INVESTIGATING), resolve_due_at=LONG_AGO)
    client = client_of(acme_admin)
    client.cookies["django_language"] = "el"

    response = queue(client, "overdue")

    assert due_cell(response, late.reference).startswith("Εκπρόθεσμο: Επίλυση ")
