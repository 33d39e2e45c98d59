"""Who calls a critic back: a manager assigns or reassigns a follow-up, a member claims an
unassigned one; each change is audited and told in the app to whom it concerns.

Maria answered with a 2 after Pete (performer, north branch) served her: her follow-up belongs
to the north branch. Mario manages the north region; Bob (agent, north branch) and Dave (made
here, agent, north branch) may take it; Sara (agent, south branch) does not see it; Ana
(analyst) only reads; Charlie works for Globex.
"""

import pytest
from django.utils import formats, timezone, translation

from notifications.models import Notification
from surveys.followups.assigning import follow_up_assign, follow_up_assignees, follow_up_claim
from surveys.followups.services import follow_up_complete
from surveys.models import FollowUp
from tenants.errors import ApplicationError, Conflict, NotAllowed
from tenants.models import AuditEntry, Role
from tests.factories import make_member
from tests.surveys.test_followups import critic, survey  # noqa: F401 (fixtures)


@pytest.fixture
def follow_up(critic):  # noqa: F811
    """Maria's open follow-up, nobody's yet (as when its touchpoint has no owner)."""
    follow_up = critic()
    FollowUp.objects.for_tenant(follow_up.tenant_id).filter(pk=follow_up.pk).update(assignee=None)
    follow_up.refresh_from_db()
    return follow_up


@pytest.fixture
def dave(acme):
    return make_member(acme, "dave", Role.AGENT, "north-branch")


def url(follow_up, suffix="") -> str:
    return f"/acme/surveys/follow-ups/{follow_up.pk}/{suffix}"


def assignee_of(follow_up):
    return FollowUp.objects.for_tenant(follow_up.tenant_id).get(pk=follow_up.pk).assignee_id


def audits(tenant) -> list[tuple]:
    return list(
        AuditEntry.objects.for_tenant(tenant)
        .filter(action__startswith="survey.follow_up_")
        .exclude(action="survey.follow_up_complete")
        .order_by("pk")
        .values_list("action", "actor__username", "changes")
    )


def bell(member, language="en") -> list[tuple[str, str]]:
    """The member's notifications as they read them: (words, link)."""
    rows = Notification.objects.for_tenant(member.tenant_id).filter(recipient=member)
    with translation.override(language), timezone.override("Europe/Athens"):
        return [(row.text, row.link) for row in rows.order_by("pk")]


def due_text(follow_up, language="en") -> str:
    with translation.override(language), timezone.override("Europe/Athens"):
        return formats.date_format(timezone.localtime(follow_up.due_at), "SHORT_DATETIME_FORMAT")


def name(member) -> str:
    return member.user.get_full_name()


def test_a_manager_assigns_it_to_a_member_who_hears_of_it_in_their_language(
    acme, acme_manager, acme_agent, follow_up
):
    follow_up_assign(actor=acme_manager, follow_up=follow_up, assignee=acme_agent)

    assert assignee_of(follow_up) == acme_agent.pk
    assert audits(acme) == [
        ("survey.follow_up_assign", acme_manager.user.username, {"assignee": [None, acme_agent.pk]})
    ]
    assert bell(acme_agent) == [
        (
            f"Call Maria Rossi back: the follow-up is yours, due {due_text(follow_up)}.",
            url(follow_up),
        )
    ]
    assert bell(acme_agent, "el")[0][0].endswith(f"{due_text(follow_up, 'el')}.")
    assert bell(acme_manager) == []  # who gave it out is not told of it


def test_a_reassignment_tells_the_new_assignee_and_the_one_it_was_taken_from(
    acme, acme_manager, acme_agent, dave, follow_up
):
    follow_up_assign(actor=acme_manager, follow_up=follow_up, assignee=acme_agent)

    follow_up_assign(actor=acme_manager, follow_up=assignee_and(follow_up), assignee=dave)

    assert assignee_of(follow_up) == dave.pk
    assert audits(acme)[1] == (
        "survey.follow_up_reassign",
        acme_manager.user.username,
        {"assignee": [acme_agent.pk, dave.pk]},
    )
    assert [text for text, _link in bell(dave)] == [
        f"Call Maria Rossi back: the follow-up is yours, due {due_text(follow_up)}."
    ]
    assert [text for text, _link in bell(acme_agent)][1:] == [
        f"The follow-up of Maria Rossi is now {name(dave)}'s."
    ]


def assignee_and(follow_up):
    follow_up.refresh_from_db()
    return follow_up


def test_the_manager_is_offered_only_those_who_may_take_it(
    acme_manager, acme_agent, acme_south_agent, dave, follow_up
):
    # Mario himself (north region, sees all survey data), Bob and Dave; not Sara (south),
    # not Pete (a performer takes no assignments)
    assert {member.pk for member in follow_up_assignees(acme_manager, follow_up)} == {
        acme_manager.pk,
        acme_agent.pk,
        dave.pk,
    }


def test_someone_who_does_not_see_it_cannot_be_given_it_and_nothing_changes(
    acme, acme_admin, acme_south_agent, follow_up
):
    with pytest.raises(ApplicationError) as refused:
        follow_up_assign(actor=acme_admin, follow_up=follow_up, assignee=acme_south_agent)

    assert refused.value.fields == {
        "assignee": ["Choose someone of your team who handles follow-ups of this department."]
    }
    assert (assignee_of(follow_up), audits(acme), bell(acme_south_agent)) == (None, [], [])


def test_an_agent_cannot_give_it_out(client_of, acme, acme_agent, dave, follow_up):
    with pytest.raises(NotAllowed):
        follow_up_assign(actor=acme_agent, follow_up=follow_up, assignee=dave)

    response = client_of(acme_agent).post(url(follow_up, "assign/"), {"assignee": dave.pk})

    assert response.status_code == 403
    assert (assignee_of(follow_up), audits(acme), bell(dave)) == (None, [], [])


def test_the_page_assigns_and_shows_the_form_to_a_manager_only(
    client_of, acme, acme_manager, acme_agent, follow_up
):
    manager = client_of(acme_manager)
    page = manager.get(url(follow_up)).content.decode()
    assert f'action="{url(follow_up, "assign/")}"' in page

    response = manager.post(url(follow_up, "assign/"), {"assignee": acme_agent.pk})

    assert response.status_code == 302
    assert assignee_of(follow_up) == acme_agent.pk
    assert "Reassign" in manager.get(url(follow_up)).content.decode()


def test_an_agent_claims_an_unassigned_follow_up_for_themself(
    client_of, acme, acme_agent, follow_up
):
    client = client_of(acme_agent)
    page = client.get(url(follow_up)).content.decode()
    assert f'action="{url(follow_up, "claim/")}"' in page
    assert f'action="{url(follow_up, "assign/")}"' not in page

    response = client.post(url(follow_up, "claim/"))

    assert response.status_code == 302
    assert assignee_of(follow_up) == acme_agent.pk
    assert audits(acme) == [
        ("survey.follow_up_claim", acme_agent.user.username, {"assignee": [None, acme_agent.pk]})
    ]
    assert bell(acme_agent) == []  # nobody to tell: they took it themself
    assert f'action="{url(follow_up, "claim/")}"' not in client.get(url(follow_up)).content.decode()


def test_a_follow_up_someone_has_cannot_be_claimed(
    client_of, acme, acme_manager, acme_agent, dave, follow_up
):
    follow_up_assign(actor=acme_manager, follow_up=follow_up, assignee=dave)

    response = client_of(acme_agent).post(url(follow_up, "claim/"))

    assert response.status_code == 409
    assert assignee_of(follow_up) == dave.pk
    assert [action for action, _who, _changes in audits(acme)] == ["survey.follow_up_assign"]


@pytest.mark.parametrize(("persona", "status"), [("acme_south_agent", 404), ("acme_analyst", 403)])
def test_who_may_not_claim(request, client_of, acme, follow_up, persona, status):
    member = request.getfixturevalue(persona)

    response = client_of(member).post(url(follow_up, "claim/"))

    assert response.status_code == status
    assert (assignee_of(follow_up), audits(acme)) == (None, [])


def test_a_completed_follow_up_does_not_change_hands(acme, acme_manager, acme_agent, follow_up):
    follow_up_complete(actor=acme_manager, follow_up=follow_up, outcome="Called her.")

    with pytest.raises(Conflict):
        follow_up_assign(actor=acme_manager, follow_up=assignee_and(follow_up), assignee=acme_agent)
    with pytest.raises(Conflict):
        follow_up_claim(actor=acme_agent, follow_up=follow_up)

    assert (assignee_of(follow_up), audits(acme), bell(acme_agent)) == (None, [], [])


def test_of_two_claims_from_one_page_the_second_is_told_it_changed(
    acme, acme_agent, acme_manager, follow_up
):
    stale = FollowUp.objects.for_tenant(acme).get(pk=follow_up.pk)
    follow_up_claim(actor=acme_agent, follow_up=follow_up)

    with pytest.raises(Conflict):
        follow_up_assign(actor=acme_manager, follow_up=stale, assignee=acme_manager)

    assert assignee_of(follow_up) == acme_agent.pk


def test_another_tenants_member_gets_404_and_nothing_changes(
    client_of, acme, globex_agent, follow_up
):
    client = client_of(globex_agent)

    assert client.post(url(follow_up, "claim/")).status_code == 404
    assert client.post(url(follow_up, "assign/"), {"assignee": globex_agent.pk}).status_code == 404
    assert (assignee_of(follow_up), audits(acme)) == (None, [])
