from complaints import workflow
from complaints.lifecycle import State
from surveys.models import Interaction


def interactions(tenant):
    return list(
        Interaction.objects.for_tenant(tenant).values_list(
            "source", "complaint__reference", "performer__user__username", "decision"
        )
    )


def test_a_closed_complaint_becomes_an_interaction_of_its_handler(complaint_in, acme):
    complaint = complaint_in(State.CLOSED)

    # No survey rule in this tenant: decided at once, and the reason kept.
    assert interactions(acme) == [("complaint", complaint.reference, "bob@acme.example", "no_rule")]
    interaction = Interaction.objects.for_tenant(acme).get()
    assert interaction.occurred_at == complaint.closed_at
    assert interaction.customer_id == complaint.customer_id


def test_rejected_withdrawn_and_merged_complaints_are_no_interaction(complaint_in, acme):
    for state in (State.REJECTED, State.WITHDRAWN, State.MERGED):
        complaint_in(state)

    assert interactions(acme) == []


def test_closing_again_after_a_reopen_is_a_second_interaction(complaint_in, acme, acme_admin):
    complaint = complaint_in(State.REOPENED)
    complaint = workflow.complaint_start_investigation(complaint=complaint, actor=acme_admin)
    for step in (State.RESOLVED, State.RESPONSE_SENT, State.CLOSED):
        from tests.complaint_fixtures import bring_to

        complaint = bring_to(complaint, step, acme_admin)

    assert len(interactions(acme)) == 2
