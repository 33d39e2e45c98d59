"""A member who leaves hands their work back: deactivating them puts their open complaints and
open follow-ups back with their departments, unassigned (a transfer on each complaint's
timeline, an audit entry for each follow-up, both by the admin), so nothing waits on someone
who can no longer sign in. What is finished stays as it was.
"""

from complaints.lifecycle import State
from complaints.models import Complaint, Transition
from surveys.followups.assigning import follow_up_assign
from surveys.followups.services import follow_up_complete
from surveys.models import FollowUp
from tenants.members import membership_deactivate
from tenants.models import AuditEntry
from tests.surveys.test_followups import critic, survey  # noqa: F401 (fixtures)

URL = "/acme/settings/members/"


def test_deactivating_a_member_hands_their_open_complaints_back_unassigned(
    acme, acme_admin, acme_agent, client_of, complaint_in
):
    investigating = complaint_in(State.INVESTIGATING)  # bob's, north branch
    assigned = complaint_in(State.ASSIGNED)
    closed = complaint_in(State.CLOSED)

    response = client_of(acme_admin).post(f"{URL}{acme_agent.pk}/deactivate/", follow=True)

    assert "their open complaints and follow-ups are back with their departments" in (
        response.content.decode()
    )
    rows = {
        row.pk: (row.state, row.department.code, row.assignee_id)
        for row in Complaint.objects.for_tenant(acme).select_related("department")
    }
    assert rows[investigating.pk] == (State.INVESTIGATING, "north-branch", None)
    assert rows[assigned.pk] == (State.ASSIGNED, "north-branch", None)
    assert rows[closed.pk] == (State.CLOSED, closed.department.code, acme_agent.pk)
    transfers = Transition.objects.for_tenant(acme).filter(name="transfer").order_by("pk")
    assert [(row.complaint_id, row.actor_id) for row in transfers] == [
        (investigating.pk, acme_admin.pk),
        (assigned.pk, acme_admin.pk),
    ]
    assert "no longer works here" in transfers[0].note


def test_deactivating_a_member_puts_their_open_follow_ups_back_on_the_list(
    acme,
    acme_admin,
    acme_manager,
    acme_agent,
    critic,  # noqa: F811
):
    open_one, done_one = critic(), critic(name="Luca Bianchi")
    for follow_up in (open_one, done_one):
        follow_up_assign(actor=acme_manager, follow_up=follow_up, assignee=acme_agent)
    follow_up_complete(follow_up=done_one, actor=acme_agent, outcome="Called back, refunded.")

    membership_deactivate(actor=acme_admin, membership=acme_agent)

    rows = dict(FollowUp.objects.for_tenant(acme).values_list("pk", "assignee_id"))
    assert rows == {open_one.pk: None, done_one.pk: acme_agent.pk}
    entry = AuditEntry.objects.for_tenant(acme).get(action="survey.follow_up_hand_back")
    assert (entry.target_id, entry.actor, entry.changes) == (
        str(open_one.pk),
        acme_admin.user,
        {"assignee": [acme_agent.pk, None]},
    )
