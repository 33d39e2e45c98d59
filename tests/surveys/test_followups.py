"""The closed loop: the follow-up queue, completing a follow-up and the customer's re-rate.

Maria answered Acme Motor's survey with a 2 after Pete (performer, north branch) served her:
her follow-up is open and belongs to the north branch. Bob (agent, north branch), Mario
(manager) and Alice (admin) may complete it; Sara (agent, south branch) does not see it; Ana
(analyst) only reads; Pete (performer) sees no surveys at all; Charlie works for Globex and
must see nothing of Acme.
"""

import importlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from notifications.models import Delivery
from surveys.followups.filters import FollowUpFilterSet
from surveys.followups.selectors import follow_up_page, visible_follow_ups
from surveys.followups.services import follow_up_complete, follow_up_rerate_link
from surveys.invitations.scheduling import INVITATION_VALID_FOR
from surveys.models import FollowUp, Invitation, Question, Response
from surveys.responses.submitting import response_submit
from surveys.scoring import QuestionKind
from surveys.sender import invitations_run
from tenants.errors import ApplicationError, Conflict
from tenants.models import AuditEntry
from tests.filtering import as_member
from tests.surveys.survey_fixtures import add_rule, make_customer, publish_survey, record

HOUR = timedelta(hours=1)
OUTCOME = "Called Maria; the repair is redone on Friday at our cost."


def _critic(
    brand, version, customer, *, reference: str, score: int = 2, now=None, performer=None
) -> FollowUp:
    """A critic response of ``customer`` (through the real services) and its open follow-up."""
    now = now or timezone.now()
    interaction = record(
        brand,
        customer,
        occurred_at=now - 2 * HOUR,
        now=now,
        reference=reference,
        performer=performer,
    )
    invitations_run(now=now)
    invitation = Invitation.objects.for_tenant(brand.tenant_id).get(interaction=interaction)
    questions = {
        q.kind: q for q in Question.objects.for_tenant(brand.tenant_id).filter(version=version)
    }
    response = response_submit(
        invitation=invitation,
        answers={questions[QuestionKind.NPS].pk: score, questions[QuestionKind.TEXT].pk: "Rude."},
        now=now,
    )
    return response.follow_up


@pytest.fixture
def survey(acme):
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=0)
    return version


@pytest.fixture
def critic(acme, acme_brand, survey, acme_performer):
    serial = iter(range(1, 1000))

    def make(name="Maria Rossi", **fields):
        fields.setdefault("performer", acme_performer)  # of the north branch
        n = next(serial)
        customer = make_customer(acme, name, f"customer{n}@example.com")
        return _critic(acme_brand, survey, customer, reference=f"visit-{n}", **fields)

    return make


@pytest.fixture
def follow_up(critic):
    return critic()


def _state(follow_up: FollowUp) -> tuple:
    follow_up.refresh_from_db()
    return follow_up.status, follow_up.outcome, follow_up.completed_at


def _audits(tenant) -> list[tuple]:
    return list(
        AuditEntry.objects.for_tenant(tenant)
        .filter(action="survey.follow_up_complete")
        .values_list("target_id", "changes")
    )


def _rerates(tenant) -> int:
    return Invitation.objects.for_tenant(tenant).filter(purpose=Invitation.Purpose.RERATE).count()


def url(follow_up, suffix="") -> str:
    return f"/acme/surveys/follow-ups/{follow_up.pk}/{suffix}"


# --- completing -------------------------------------------------------------------------------


def test_completing_records_the_outcome_and_audits_it(acme, acme_agent, follow_up):
    when = timezone.now()

    invitation = follow_up_complete(
        actor=acme_agent,
        follow_up=follow_up,
        outcome=f"  {OUTCOME} ",
        invite_rerate=False,
        now=when,
    )

    assert invitation is None
    assert _state(follow_up) == (FollowUp.Status.DONE, OUTCOME, when)
    entry = AuditEntry.objects.for_tenant(acme).get(action="survey.follow_up_complete")
    assert (entry.actor, entry.target_type, entry.target_id) == (
        acme_agent.user,
        "surveys.followup",
        str(follow_up.pk),
    )
    assert entry.changes == {"status": ["open", "done"], "outcome": ["", OUTCOME]}
    assert _rerates(acme) == 0


def test_completing_twice_is_refused_and_keeps_the_first_outcome(acme, acme_agent, follow_up):
    first = timezone.now()
    follow_up_complete(
        actor=acme_agent, follow_up=follow_up, outcome=OUTCOME, invite_rerate=False, now=first
    )
    stale = FollowUp.objects.for_tenant(acme).get(pk=follow_up.pk)

    with pytest.raises(Conflict, match="already been completed"):
        follow_up_complete(
            actor=acme_agent, follow_up=stale, outcome="Another call", invite_rerate=True
        )

    assert _state(follow_up) == (FollowUp.Status.DONE, OUTCOME, first)
    assert len(_audits(acme)) == 1
    assert _rerates(acme) == 0


def test_of_two_completions_at_once_one_wins_and_the_other_conflicts(
    acme, acme_agent, acme_manager, follow_up
):
    # Both pages were opened while the follow-up was open.
    mine = FollowUp.objects.for_tenant(acme).get(pk=follow_up.pk)
    theirs = FollowUp.objects.for_tenant(acme).get(pk=follow_up.pk)
    first = timezone.now()
    follow_up_complete(actor=acme_agent, follow_up=mine, outcome=OUTCOME, now=first)

    with pytest.raises(Conflict, match="already been completed"):
        follow_up_complete(
            actor=acme_manager, follow_up=theirs, outcome="Another call", invite_rerate=True
        )

    assert theirs.status == FollowUp.Status.DONE  # the loser sees the winner's state
    assert _state(follow_up) == (FollowUp.Status.DONE, OUTCOME, first)
    assert len(_audits(acme)) == 1
    assert _rerates(acme) == 0


def test_the_status_moves_only_through_the_transition(acme, follow_up):
    with pytest.raises(AttributeError):
        follow_up.status = FollowUp.Status.DONE

    assert _state(follow_up) == (FollowUp.Status.OPEN, "", None)


def test_a_ces_critic_gets_a_follow_up(acme, acme_brand):
    version = publish_survey(acme, name="Effort")
    Question.objects.for_tenant(acme).filter(version=version).update(
        is_primary=False, is_required=False
    )
    effort = Question.objects.create(
        tenant=acme, version=version, position=5, kind=QuestionKind.CES, is_primary=True
    )
    add_rule(acme, version.survey, delay_minutes=0)
    now = timezone.now()
    answers = {}
    for n, score in enumerate((3, 4)):
        customer = make_customer(acme, f"C{n}", f"c{n}@example.com")
        record(acme_brand, customer, occurred_at=now - HOUR, now=now, reference=f"e-{n}")
        invitations_run(now=now)
        invitation = Invitation.objects.for_tenant(acme).get(customer=customer)
        answers[score] = response_submit(invitation=invitation, answers={effort.pk: score})

    # CES 1–7, 7 the easiest: 3 found it hard (a critic), 4 did not.
    assert (answers[3].is_critic, answers[4].is_critic) == (True, False)
    assert list(FollowUp.objects.for_tenant(acme).values_list("response", flat=True)) == [
        answers[3].pk
    ]


@pytest.mark.parametrize("outcome", ["", "   \n "])
def test_an_empty_outcome_is_refused(acme, acme_agent, follow_up, outcome):
    with pytest.raises(ApplicationError) as refused:
        follow_up_complete(
            actor=acme_agent, follow_up=follow_up, outcome=outcome, invite_rerate=True
        )

    assert refused.value.fields == {"outcome": ["Say what came of the follow-up."]}
    assert _state(follow_up) == (FollowUp.Status.OPEN, "", None)
    assert _audits(acme) == []
    assert _rerates(acme) == 0


def test_a_rerate_invitation_goes_out_with_the_next_sender_run(acme, acme_manager, follow_up):
    first = follow_up.response.invitation
    when = timezone.now()

    invitation = follow_up_complete(
        actor=acme_manager, follow_up=follow_up, outcome=OUTCOME, invite_rerate=True, now=when
    )

    assert (invitation.purpose, invitation.status) == ("rerate", "scheduled")
    assert (invitation.interaction_id, invitation.version_id, invitation.customer_id) == (
        first.interaction_id,
        first.version_id,
        first.customer_id,
    )
    assert (invitation.send_at, invitation.expires_at) == (
        when,
        when + INVITATION_VALID_FOR,
    )
    assert invitations_run(now=when + timedelta(seconds=1))["sent"] == 1
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT
    delivery = Delivery.objects.for_tenant(acme).get(
        dedupe_key=f"survey-invitation-{invitation.pk}-invitation"
    )
    assert delivery.recipient == first.customer.email


def test_the_rerate_answer_is_linked_to_the_follow_up(acme, acme_agent, survey, follow_up):
    now = timezone.now()
    invitation = follow_up_complete(
        actor=acme_agent, follow_up=follow_up, outcome=OUTCOME, invite_rerate=True, now=now
    )
    invitations_run(now=now)
    nps = Question.objects.for_tenant(acme).get(version=survey, kind=QuestionKind.NPS)
    rerate = response_submit(invitation=invitation, answers={nps.pk: 9}, now=now)

    # response_submit linked it; linking again changes nothing.
    assert follow_up_rerate_link(response=rerate) is False

    follow_up.refresh_from_db()
    assert (follow_up.rerate, follow_up.rerate.primary_score) == (rerate, 9)
    assert follow_up_rerate_link(response=follow_up.response) is False


# --- who may complete ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("acme_agent", 302),
        ("acme_manager", 302),
        ("acme_admin", 302),
        ("acme_analyst", 403),
        ("acme_performer", 403),
    ],
)
def test_who_may_complete(request, client_of, acme, follow_up, persona, status):
    member = request.getfixturevalue(persona)

    response = client_of(member).post(
        url(follow_up, "complete/"), {"outcome": OUTCOME, "invite_rerate": "on"}
    )

    assert response.status_code == status
    if status == 302:
        assert _state(follow_up)[:2] == (FollowUp.Status.DONE, OUTCOME)
        assert _audits(acme) == [
            (str(follow_up.pk), {"status": ["open", "done"], "outcome": ["", OUTCOME]})
        ]
        assert _rerates(acme) == 1
    else:
        assert _state(follow_up) == (FollowUp.Status.OPEN, "", None)
        assert _audits(acme) == []
        assert _rerates(acme) == 0


def test_the_analyst_reads_but_gets_no_form(client_of, acme_analyst, follow_up):
    page = client_of(acme_analyst).get(url(follow_up))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Maria Rossi" in html and "Rude." in html
    assert "Complete the follow-up" not in html
    with pytest.raises(PermissionDenied):
        follow_up_complete(
            actor=acme_analyst, follow_up=follow_up, outcome=OUTCOME, invite_rerate=False
        )


def test_the_performer_sees_no_follow_ups(client_of, acme_performer, follow_up):
    client = client_of(acme_performer)

    assert client.get("/acme/surveys/follow-ups/").status_code == 403
    assert client.get(url(follow_up)).status_code == 403


def test_the_page_shows_the_answers_and_completes(client_of, acme, acme_agent, follow_up):
    client = client_of(acme_agent)

    page = client.get(url(follow_up)).content.decode()
    assert "How likely are you to recommend Acme Motor to a friend?" in page
    assert "Complete the follow-up" in page

    empty = client.post(url(follow_up, "complete/"), {"outcome": " "})
    assert empty.status_code == 400
    assert "Say what came of the follow-up." in empty.content.decode()
    assert _state(follow_up) == (FollowUp.Status.OPEN, "", None)

    done = client.post(url(follow_up, "complete/"), {"outcome": OUTCOME}, follow=True)
    assert "Follow-up completed." in done.content.decode()
    assert _rerates(acme) == 0

    again = client.post(url(follow_up, "complete/"), {"outcome": "Again"})
    assert again.status_code == 409
    assert "This follow-up has already been completed." in again.content.decode()
    assert _state(follow_up)[:2] == (FollowUp.Status.DONE, OUTCOME)


# --- another tenant ------------------------------------------------------------------------------


def test_another_tenants_follow_up_is_404_and_unchanged(
    client_of, acme, globex, globex_agent, follow_up
):
    client = client_of(globex_agent)
    own_url = f"/globex/surveys/follow-ups/{follow_up.pk}/"

    assert client.get(own_url).status_code == 404
    assert client.post(own_url + "complete/", {"outcome": OUTCOME}).status_code == 404
    assert client.get(url(follow_up)).status_code == 404
    assert client.post(url(follow_up, "complete/"), {"outcome": OUTCOME}).status_code == 404
    assert OUTCOME not in client.get("/globex/surveys/follow-ups/").content.decode()
    assert _state(follow_up) == (FollowUp.Status.OPEN, "", None)
    assert _audits(acme) == [] and _audits(globex) == []


def test_the_service_refuses_another_tenants_follow_up(acme, globex_agent, follow_up):
    with pytest.raises(ApplicationError) as refused:
        follow_up_complete(
            actor=globex_agent, follow_up=follow_up, outcome=OUTCOME, invite_rerate=True
        )

    assert refused.value.status == 404
    assert _state(follow_up) == (FollowUp.Status.OPEN, "", None)
    assert _rerates(acme) == 0


# --- the list ------------------------------------------------------------------------------


def listed(member, now=None, **query) -> list[FollowUp]:
    """The first page of the follow-up list as ``member`` filters it with ``query``."""
    filterset = FollowUpFilterSet(
        query, queryset=visible_follow_ups(member), request=as_member(member, **query)
    )
    return follow_up_page(filterset.qs, now=now).rows


def test_the_list_shows_open_first_flags_overdue_and_filters(
    client_of, acme, acme_agent, acme_manager, critic
):
    now = timezone.now()
    done = critic("Done Dora")
    follow_up_complete(actor=acme_agent, follow_up=done, outcome=OUTCOME, invite_rerate=False)
    late = critic("Late Luca", now=now - timedelta(days=10))
    later = critic("Later Lena")
    FollowUp.objects.for_tenant(acme).filter(pk=later.pk).update(assignee=acme_agent)

    assert [(f.pk, f.is_overdue) for f in listed(acme_agent, now=now)] == [
        (late.pk, True),
        (later.pk, False),
        (done.pk, False),
    ]
    assert [f.pk for f in listed(acme_agent, status="done")] == [done.pk]
    assert [f.pk for f in listed(acme_agent, mine="on")] == [later.pk]
    assert listed(acme_manager, mine="on") == []

    page = client_of(acme_agent).get("/acme/surveys/follow-ups/?status=open").content.decode()
    assert "Late Luca" in page and "Later Lena" in page and "Done Dora" not in page
    assert page.count("· overdue") == 1
    assert "Acme Motor" in page and "Rude." in page


def test_the_list_goes_on_over_pages_open_ones_first(
    client_of, acme, acme_agent, critic, monkeypatch
):
    monkeypatch.setattr("surveys.followups.selectors.PAGE_SIZE", 2)
    now = timezone.now()
    done = critic("Done Dora")
    follow_up_complete(actor=acme_agent, follow_up=done, outcome=OUTCOME, invite_rerate=False)
    first = critic("First Fay", now=now - timedelta(days=3))
    second = critic("Second Sam", now=now - timedelta(days=2))
    client = client_of(acme_agent)

    one = client.get("/acme/surveys/follow-ups/")
    two = client.get("/acme/surveys/follow-ups/?page=2")

    assert [f.pk for f in one.context["page"].rows] == [first.pk, second.pk]
    assert [f.pk for f in two.context["page"].rows] == [done.pk]
    assert 'href="?page=2" rel="next"' in one.content.decode()
    assert client.get("/acme/surveys/follow-ups/?page=3").status_code == 404


# --- old rows agree with the rule -----------------------------------------------------------


def test_the_migration_closes_the_open_follow_ups_of_non_critics_with_an_audit_entry(
    acme, acme_agent, critic
):
    # given follow-ups opened under the old rule (any comment opened one): a 9 and an 8 with a
    # comment, still open, an 8 already done, and a real critic's 2
    praise, passive, done, real = (critic(score=2) for _ in range(4))
    follow_up_complete(actor=acme_agent, follow_up=done, outcome=OUTCOME)
    for follow_up, score in ((praise, 9), (passive, 8), (done, 8)):
        Response.objects.for_tenant(acme).filter(pk=follow_up.response_id).update(
            primary_score=score, is_critic=False
        )
    done_before = _state(done)
    migration = importlib.import_module("surveys.migrations.0008_close_follow_ups_of_non_critics")
    state = MigrationLoader(connection).project_state(
        ("surveys", "0008_close_follow_ups_of_non_critics")
    )

    migration.close_follow_ups_of_non_critics(state.apps, None)

    # then the non-critics' open follow-ups are done, the critic's stays open
    assert [_state(f)[0] for f in (praise, passive, real)] == ["done", "done", "open"]
    assert _state(praise)[1] == migration.OUTCOME
    assert _state(done) == done_before
    entries = AuditEntry.objects.for_tenant(acme).filter(note=migration.NOTE).order_by("pk")
    assert [(e.target_id, e.actor_id, e.changes["status"]) for e in entries] == [
        (str(praise.pk), None, ["open", "done"]),
        (str(passive.pk), None, ["open", "done"]),
    ]
    open_ids = FollowUp.objects.for_tenant(acme).filter(status="open").values_list("pk", flat=True)
    assert list(open_ids) == [real.pk]
