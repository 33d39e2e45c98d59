"""The performer's "My rating" page: the stored rating of the period with each component, its
norm and the team's median, and the answers behind it, each with a way to dispute it. Only
one's own rating: there is no address for another performer's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings import services
from ratings.models import RatingScheme
from ratings.selectors import today_of
from tenants.models import Role
from tests.factories import make_member
from tests.surveys.test_followups import critic, survey  # noqa: F401 (fixtures)

URL = "/acme/ratings/me/"


@pytest.fixture
def nps(acme):
    """The tenant rates on NPS (the survey's primary question)."""
    services.scheme_current(acme.pk)
    return RatingScheme.objects.create(
        tenant=acme,
        version=2,
        customer_score_kind="nps",
        weights=services.DEFAULT_WEIGHTS,
        norms={"customer_score": [-20, 60], **services.DEFAULT_NORMS},
    )


@pytest.fixture
def rated(acme, nps, critic):  # noqa: F811
    """Five NPS answers about Pete's visits (2, 2, 2, 2, 2 — critics all), computed."""
    answers = [critic(name=f"Customer {n}").response for n in range(5)]
    month = services.period_for(acme, "month", today_of(acme))
    services.ratings_compute(period=month)
    return answers


def test_a_performer_reads_their_rating_its_components_and_the_answers_behind_it(
    client_of, acme_performer, rated
):
    page = client_of(acme_performer).get(URL)

    html = page.content.decode()
    assert page.status_code == 200
    # five answers at −100 each, the tenant's mean −100 too: smoothed −100, under the floor −20
    lines = {line.kind.key: line for line in page.context["lines"]}
    assert (lines["customer_score"].raw, lines["customer_score"].count) == (-100.0, 5)
    assert lines["customer_score"].normalised == 0.0
    assert lines["customer_score"].team_median == 0.0
    assert page.context["rating"].value == 0.0  # enough answers, and all of them critics
    assert [response.pk for response in page.context["responses"]] == [
        answer.pk for answer in reversed(rated)
    ]
    assert html.count("/dispute/") == 5
    assert "first answers about your visits" in html


def test_another_performer_has_no_rating_of_theirs_to_show(client_of, acme, rated):
    paula = make_member(acme, "paula", Role.PERFORMER, "north-branch")

    page = client_of(paula).get(URL)

    assert page.status_code == 200
    assert page.context["rating"] is None
    assert "nothing you did in it is rated yet" in page.content.decode()


@pytest.mark.parametrize(("persona", "status"), [("acme_analyst", 403), ("globex_agent", 404)])
def test_who_has_no_rating_page(request, client_of, persona, status):
    assert client_of(request.getfixturevalue(persona)).get(URL).status_code == status


def test_a_bad_period_is_a_clear_400(client_of, acme_performer):
    client = client_of(acme_performer)

    assert client.get(URL, {"kind": "decade"}).status_code == 400
    assert client.get(URL, {"start": "March"}).status_code == 400


def test_the_page_reads_a_fixed_number_of_queries(client_of, acme, acme_performer, nps, critic):  # noqa: F811
    client = client_of(acme_performer)
    month = services.period_for(acme, "month", today_of(acme))

    def queries() -> int:
        services.ratings_compute(period=month)
        client.get(URL)  # the session's first request reads more (its caches)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    for n in range(2):
        critic(name=f"Customer {n}")
    few = queries()
    for n in range(2, 8):
        critic(name=f"Customer {n}")

    assert queries() == few
