"""The first-response clock stops at the first answer to the complainant — a step that answers
them, or a reply from the case page — once; the workflow alone writes when."""

import pytest
from django.utils import timezone

from complaints import services, workflow
from complaints.lifecycle import State
from complaints.models import Complaint, Message, SlaCheck, Transition
from notifications.models import Delivery
from tenants.errors import NotAllowed
from tenants.models import Role
from tests.factories import make_member


def fresh(complaint):
    return Complaint.objects.for_tenant(complaint.tenant_id).get(pk=complaint.pk)


def next_check(complaint):
    return SlaCheck.objects.for_tenant(complaint.tenant_id).get(complaint=complaint).next_check_at


def transitions(complaint):
    return Transition.objects.for_tenant(complaint.tenant_id).filter(complaint=complaint).count()


def reply(complaint, actor, body):
    return services.complaint_add_message(
        complaint=complaint, actor=actor, kind=Message.Kind.REPLY, body=body
    )


def test_the_first_reply_stops_the_clock_and_a_later_reply_does_not_move_it(
    complaint_in, acme_agent
):
    # given bob's complaint under investigation, nobody has answered the complainant yet
    complaint = complaint_in(State.INVESTIGATING)
    row = fresh(complaint)
    assert row.first_responded_at is None
    assert next_check(complaint) == row.first_response_warn_at
    version, steps = row.version, transitions(complaint)

    # when bob replies
    before = timezone.now()
    reply(fresh(complaint), acme_agent, "We have asked the garage for the invoice.")
    after = timezone.now()

    # then the clock stopped then, and the scan next looks at the resolution clock; a reply is
    # not a step: the state, the version and the history stay
    row = fresh(complaint)
    stopped_at = row.first_responded_at
    assert before <= stopped_at <= after
    assert next_check(complaint) == row.resolve_warn_at
    assert (row.state, row.version, transitions(complaint)) == (
        State.INVESTIGATING,
        version,
        steps,
    )

    # when he replies again
    reply(fresh(complaint), acme_agent, "The garage has answered; we are checking it.")

    # then the first answer's time stays
    assert fresh(complaint).first_responded_at == stopped_at
    assert next_check(complaint) == row.resolve_warn_at


def test_two_replies_from_pages_loaded_before_either_stop_the_clock_once(
    complaint_in, acme_admin, acme_agent
):
    # given two pages that loaded the complaint while it had no answer
    complaint = complaint_in(State.INVESTIGATING)
    first_page, second_page = fresh(complaint), fresh(complaint)

    # when both reply, one after the other
    reply(first_page, acme_agent, "We are on it.")
    stopped_at = fresh(complaint).first_responded_at
    reply(second_page, acme_admin, "Our manager is looking at it too.")

    # then the clock stopped at the first reply
    assert stopped_at is not None
    assert fresh(complaint).first_responded_at == stopped_at


def test_a_step_that_answers_stops_the_clock_and_a_reply_after_it_keeps_that_time(
    complaint_in, acme_agent
):
    complaint = complaint_in(State.INVESTIGATING)
    complaint = workflow.complaint_request_information(
        complaint=complaint, actor=acme_agent, question="Which garage repaired the car?"
    )
    asked_at = fresh(complaint).first_responded_at

    reply(fresh(complaint), acme_agent, "Any invoice will do.")

    assert asked_at is not None
    assert fresh(complaint).first_responded_at == asked_at


def test_an_internal_note_does_not_stop_the_clock(complaint_in, acme_agent):
    complaint = complaint_in(State.INVESTIGATING)

    services.complaint_add_message(
        complaint=complaint, actor=acme_agent, kind=Message.Kind.INTERNAL, body="Call the garage."
    )

    row = fresh(complaint)
    assert row.first_responded_at is None
    assert next_check(complaint) == row.first_response_warn_at


@pytest.mark.parametrize("persona", ["acme_performer", "acme_analyst", "dave"])
def test_a_reply_refused_to_who_does_not_handle_it_stops_nothing(
    request, complaint_in, acme, persona
):
    complaint = complaint_in(State.INVESTIGATING)
    actor = (
        make_member(acme, "dave", Role.AGENT, "north-branch")
        if persona == "dave"
        else request.getfixturevalue(persona)
    )
    deliveries = Delivery.objects.for_tenant(acme).count()

    with pytest.raises(NotAllowed):
        reply(fresh(complaint), actor, "Hello from someone else.")
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.complaint_record_first_response(complaint=fresh(complaint), actor=actor)

    row = fresh(complaint)
    assert row.first_responded_at is None
    assert next_check(complaint) == row.first_response_warn_at
    assert not Message.objects.for_tenant(acme).filter(complaint=complaint, kind="reply").exists()
    assert Delivery.objects.for_tenant(acme).count() == deliveries
