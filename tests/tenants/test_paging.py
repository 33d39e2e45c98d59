"""One paging rule for every filtered list (``tenants.paging``): a page that is not a number is
a 400, page 0, a page past the end or past 100,000 a 404, and the pager's links keep the
filters. Alice (admin) reads every list; each list fits on one page (the team has Alice and
Bob, every other list one row), so page 2 is past the end.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.corrective_actions import corrective_action_open
from complaints.lifecycle import State
from surveys.models import Invitation
from surveys.responses.submitting import response_submit
from surveys.scoring import QuestionKind
from surveys.sender import invitations_run
from tenants.models import Role
from tenants.paging import MAX_PAGE
from tests.factories import make_member
from tests.surveys.survey_fixtures import add_rule, make_customer, publish_survey, record

LISTS = ["team", "response-list", "interaction-list", "follow-up-list", "corrective-action-list"]


@pytest.fixture
def one_of_each(acme, acme_brand, acme_admin, acme_agent, complaint_in):
    """A member (Alice), a critic's response with its interaction and follow-up, an action."""
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=0)
    now = timezone.now()
    customer = make_customer(acme, "Maria Rossi", "maria@example.com")
    interaction = record(
        acme_brand, customer, occurred_at=now - timedelta(hours=1), now=now, reference="1"
    )
    invitations_run(now=now)
    nps = version.questions.get(kind=QuestionKind.NPS)
    text = version.questions.get(kind=QuestionKind.TEXT)
    response_submit(
        invitation=Invitation.objects.for_tenant(acme).get(interaction=interaction),
        answers={nps.pk: 2, text.pk: "Rude."},
        now=now,
    )
    corrective_action_open(
        complaint=complaint_in(State.RESOLVED),
        actor=acme_admin,
        description="Train the desk",
        owner=acme_agent,
        due_date=timezone.localdate(),
    )


# What each list's first page shows of ``one_of_each``, one tuple per row, in order.
FIRST_PAGE = {
    "team": (
        lambda m: (m.user.email, m.role),
        [("alice@acme.example", "admin"), ("bob@acme.example", "agent")],
    ),
    "response-list": (lambda r: (r.primary_score, r.comment), [(2, "Rude.")]),
    "interaction-list": (lambda i: (i.source, i.external_reference), [("api", "1")]),
    "follow-up-list": (lambda f: (f.status, f.response.comment), [("open", "Rude.")]),
    "corrective-action-list": (lambda a: (a.description, a.status), [("Train the desk", "open")]),
}


def url(name):
    return reverse(name, kwargs={"tenant_slug": "acme"})


@pytest.fixture
def reader(client_of, acme_admin, one_of_each):
    """Alice's client, with one row in every list."""
    return client_of(acme_admin)


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("page", ["abc", "1.5", "2e3", "+1", "1,2", "١"])
def test_a_page_that_is_not_a_whole_number_is_a_400(reader, name, page):
    response = reader.get(url(name), {"page": page})

    assert response.status_code == 400
    assert "The page must be a whole number." in response.content.decode()


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("page", ["", "1", " 1 ", "01"])
def test_the_first_page_has_the_row(reader, name, page):
    response = reader.get(url(name), {"page": page})

    assert response.status_code == 200
    assert response.context["page"].number == 1
    describe, rows = FIRST_PAGE[name]
    assert [describe(row) for row in response.context["page"].rows] == rows
    assert response.context["page"].has_next is False


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("page", ["0", "-1", "2", str(MAX_PAGE + 1), "1" * 30, "0" * 50 + "3"])
def test_page_zero_past_the_end_or_past_the_limit_is_a_404(reader, name, page):
    assert reader.get(url(name), {"page": page}).status_code == 404


@pytest.mark.parametrize("name", LISTS)
def test_the_first_page_of_an_empty_list_is_a_page(client_of, acme, acme_admin, name):
    response = client_of(acme_admin).get(url(name), {"page": "1", "role": "analyst"})

    assert response.status_code == 200
    assert response.context["page"].rows == []


@pytest.mark.parametrize(
    ("name", "size", "query"),
    [
        ("team", "tenants.selectors.TEAM_PAGE_SIZE", "role=admin"),
        ("response-list", "surveys.responses.selectors.PAGE_SIZE", "band=low"),
        ("interaction-list", "surveys.interactions.selectors.PAGE_SIZE", "source=api"),
        ("follow-up-list", "surveys.followups.selectors.PAGE_SIZE", "status=open"),
        ("corrective-action-list", "complaints.selectors.ACTIONS_PAGE_SIZE", "status=open"),
    ],
)
def test_the_pager_keeps_the_filters(
    reader, acme, acme_admin, monkeypatch, name, size, query, make_second_row
):
    monkeypatch.setattr(size, 1)
    make_second_row(name)

    first = reader.get(f"{url(name)}?{query}").content.decode()
    second = reader.get(f"{url(name)}?{query}&page=2").content.decode()

    assert f'href="?{query}&amp;page=2" rel="next"' in first
    assert f'href="?{query}&amp;page=1" rel="prev"' in second


@pytest.fixture
def make_second_row(acme, acme_brand, acme_admin, acme_agent, complaint_in):
    """``make_second_row(list)``: one more row that the list's filter in the test lets through."""

    def make(name):
        now = timezone.now()
        if name == "team":
            make_member(acme, "alex", Role.ADMIN, "head-office")
        elif name in ("response-list", "interaction-list", "follow-up-list"):
            customer = make_customer(acme, "Nikos", "nikos@example.com")
            interaction = record(
                acme_brand,
                customer,
                occurred_at=now - timedelta(hours=1),
                now=now,
                reference="2",
            )
            invitations_run(now=now)
            invitation = Invitation.objects.for_tenant(acme).get(interaction=interaction)
            questions = {q.kind: q for q in invitation.version.questions.all()}
            response_submit(
                invitation=invitation,
                answers={questions[QuestionKind.NPS].pk: 1, questions[QuestionKind.TEXT].pk: "No."},
                now=now,
            )
        else:
            corrective_action_open(
                complaint=complaint_in(State.RESOLVED),
                actor=acme_admin,
                description="Write it down",
                owner=acme_agent,
                due_date=timezone.localdate(),
            )

    return make
