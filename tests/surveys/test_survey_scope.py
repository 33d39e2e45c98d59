"""Survey data is scoped like complaints: interactions, responses and follow-ups belong to the
department of the interaction's performer, and an agent sees and acts on those of their own
department subtree; admins, managers and analysts see the whole tenant's.

Pete (performer, north branch) served Nina and Norma; Steve (performer, south branch) served
Sam and Sonia; nobody is named for Olga's visit. Bob (agent, north branch) and Nora (agent,
north region, above the branch) see the north; Sara (agent, south branch) the south; Mario
(manager), Alice (admin) and Ana (analyst) everything.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.followups.selectors import visible_follow_ups
from surveys.followups.services import follow_up_complete
from surveys.interactions.selectors import visible_interactions
from surveys.models import FollowUp, Invitation, Question
from surveys.responses.selectors import visible_responses
from surveys.responses.submitting import response_submit
from surveys.scoring import QuestionKind
from surveys.sender import invitations_run
from tenants.errors import NotFound
from tenants.models import AuditEntry, Role
from tests.factories import make_member
from tests.surveys.survey_fixtures import add_rule, make_customer, publish_survey, record

HOUR = timedelta(hours=1)
OUTCOME = "Called back; the repair is redone on Friday."


@pytest.fixture
def acme_south_performer(acme):
    return make_member(acme, "steve", Role.PERFORMER, "south-branch", external_code="EMP-4")


@pytest.fixture
def north_region_agent(acme):
    return make_member(acme, "nora", Role.AGENT, "north")


@pytest.fixture
def answers(acme, acme_brand, acme_performer, acme_south_performer):
    """Five answered surveys through the real services, by name: two north (Nina a promoter,
    Norma a critic), two south critics (Sam, Sonia) and Olga's critic with no performer."""
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=0)
    questions = {q.kind: q for q in Question.objects.for_tenant(acme).filter(version=version)}
    made = {}
    for n, (name, performer, score) in enumerate(
        [
            ("Nina North", acme_performer, 10),
            ("Norma North", acme_performer, 2),
            ("Sam South", acme_south_performer, 0),
            ("Sonia South", acme_south_performer, 1),
            ("Olga Nobody", None, 3),
        ]
    ):
        now = timezone.now()
        customer = make_customer(acme, name, f"customer{n}@example.com")
        interaction = record(
            acme_brand,
            customer,
            occurred_at=now - HOUR,
            now=now,
            reference=f"visit-{n}",
            performer=performer,
        )
        invitations_run(now=now)
        invitation = Invitation.objects.for_tenant(acme).get(interaction=interaction)
        answer = {questions[QuestionKind.NPS].pk: score}
        if score <= 6:
            answer[questions[QuestionKind.TEXT].pk] = f"{name} was not happy."
        made[name] = response_submit(invitation=invitation, answers=answer, now=now)
    return made


NORTH = {"Nina North", "Norma North"}
SOUTH = {"Sam South", "Sonia South"}
EVERYONE = NORTH | SOUTH | {"Olga Nobody"}


def names_in(html: str) -> set[str]:
    return {name for name in EVERYONE if name in html}


def pages(client) -> dict[str, set[str]]:
    """The customers each survey list shows the member."""
    return {
        page: names_in(client.get(f"/acme/surveys/{page}/").content.decode())
        for page in ("responses", "interactions", "follow-ups")
    }


@pytest.mark.parametrize(
    ("persona", "seen"),
    [
        ("acme_agent", NORTH),
        ("north_region_agent", NORTH),
        ("acme_south_agent", SOUTH),
        ("acme_manager", EVERYONE),
        ("acme_admin", EVERYONE),
        ("acme_analyst", EVERYONE),
    ],
)
def test_each_list_shows_the_members_subtree_or_everything(
    request, client_of, answers, persona, seen
):
    member = request.getfixturevalue(persona)
    critics = seen - {"Nina North"}  # Nina was happy: no follow-up

    assert pages(client_of(member)) == {
        "responses": seen,
        "interactions": seen,
        "follow-ups": critics,
    }
    assert {r.interaction.customer.name for r in visible_responses(member)} == seen
    assert {i.customer.name for i in visible_interactions(member)} == seen
    assert {f.response.interaction.customer.name for f in visible_follow_ups(member)} == critics


def test_the_figures_are_those_of_the_rows_the_member_sees(
    client_of, answers, acme_agent, acme_south_agent, acme_manager
):
    def nps(member):
        return client_of(member).get("/acme/surveys/responses/").context["figures"].nps

    north, south, everything = nps(acme_agent), nps(acme_south_agent), nps(acme_manager)

    # North: Nina 10, Norma 2. South: Sam 0, Sonia 1. Olga (3) only in the whole tenant's.
    assert (north.answered, north.promoters, north.detractors, north.score) == (2, 1, 1, 0)
    assert (south.answered, south.detractors, south.score) == (2, 2, -100)
    assert (everything.answered, everything.promoters, everything.detractors) == (5, 1, 4)
    assert everything.score == -60


def test_another_subtrees_response_answers_as_a_missing_one(
    client_of, answers, acme_agent, acme_south_agent, acme_manager
):
    north = answers["Norma North"]
    path = f"/acme/surveys/responses/{north.pk}/"

    assert client_of(acme_agent).get(path).status_code == 200
    refused = client_of(acme_south_agent).get(path)
    assert refused.status_code == 404
    assert "Norma" not in refused.content.decode()
    assert client_of(acme_south_agent).get("/acme/surveys/responses/999999/").status_code == 404
    assert client_of(acme_manager).get(path).status_code == 200


def _state(follow_up: FollowUp) -> tuple:
    follow_up.refresh_from_db()
    return follow_up.status, follow_up.outcome, follow_up.completed_at


def _nothing_happened(acme, follow_up) -> None:
    assert _state(follow_up) == (FollowUp.Status.OPEN, "", None)
    assert not AuditEntry.objects.for_tenant(acme).filter(action="survey.follow_up_complete")
    assert not Invitation.objects.for_tenant(acme).filter(purpose=Invitation.Purpose.RERATE)


def test_a_south_agent_can_neither_open_nor_complete_a_north_follow_up(
    client_of, acme, answers, acme_south_agent
):
    follow_up = answers["Norma North"].follow_up
    client = client_of(acme_south_agent)
    base = f"/acme/surveys/follow-ups/{follow_up.pk}/"

    page = client.get(base)
    completed = client.post(base + "complete/", {"outcome": OUTCOME, "invite_rerate": "on"})

    assert page.status_code == 404 and "Norma" not in page.content.decode()
    assert completed.status_code == 404
    # The same answer as for a follow-up that does not exist.
    assert client.get("/acme/surveys/follow-ups/999999/").status_code == 404
    _nothing_happened(acme, follow_up)


def test_the_service_refuses_a_completion_from_outside_the_subtree(acme, answers, acme_south_agent):
    follow_up = answers["Norma North"].follow_up

    with pytest.raises(NotFound):
        follow_up_complete(
            actor=acme_south_agent, follow_up=follow_up, outcome=OUTCOME, invite_rerate=True
        )

    _nothing_happened(acme, follow_up)


@pytest.mark.parametrize("persona", ["acme_agent", "north_region_agent"])
def test_an_agent_of_the_subtree_completes_it(request, client_of, acme, answers, persona):
    member = request.getfixturevalue(persona)
    follow_up = answers["Norma North"].follow_up
    base = f"/acme/surveys/follow-ups/{follow_up.pk}/"
    client = client_of(member)

    assert client.get(base).status_code == 200
    done = client.post(base + "complete/", {"outcome": OUTCOME})

    assert done.status_code == 302
    assert _state(follow_up)[:2] == (FollowUp.Status.DONE, OUTCOME)


@pytest.mark.parametrize("persona", ["acme_manager", "acme_admin"])
def test_managers_and_admins_complete_any_follow_up(request, client_of, answers, persona):
    member = request.getfixturevalue(persona)
    client = client_of(member)

    for name in ("Sam South", "Olga Nobody"):
        follow_up = answers[name].follow_up
        done = client.post(
            f"/acme/surveys/follow-ups/{follow_up.pk}/complete/", {"outcome": OUTCOME}
        )
        assert done.status_code == 302
        assert _state(follow_up)[:2] == (FollowUp.Status.DONE, OUTCOME)


def test_an_agent_does_not_complete_a_follow_up_with_no_performer(
    client_of, acme, answers, acme_agent
):
    follow_up = answers["Olga Nobody"].follow_up

    refused = client_of(acme_agent).post(
        f"/acme/surveys/follow-ups/{follow_up.pk}/complete/", {"outcome": OUTCOME}
    )

    assert refused.status_code == 404
    _nothing_happened(acme, follow_up)
