"""The performers tab: the ratings leaderboard of ``ratings.selectors`` for a rating period and
a department subtree (each figure the selector's, and the hand-made one of the leaderboard's
fixture), its chart and table, each performer linked to their row; the other dashboard
filters carried along unapplied; who may read it; its downloads; its query count."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from dashboards.exports import AUDIT_ACTION
from ratings import selectors
from ratings.services import period_for
from tenants.models import AuditEntry, Department, Role
from tests.dashboards.test_table_exports import audits, download, export
from tests.factories import make_member
from tests.ratings.test_leaderboard import board, store  # noqa: F401 (board: a fixture)

APRIL = datetime(2026, 4, 5, 9, 0, tzinfo=UTC)  # March and February are stored
MARCH = {"period": "month:2026-03-01"}
PAGE = "/acme/dashboards/performers/"


@pytest.fixture
def world(clock, board):  # noqa: F811
    clock(APRIL)
    return board


def show(client, query=None, **extra):
    response = client.get(PAGE, query or {}, **extra)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


def board_of(response) -> list[tuple]:
    return [
        (row.rank, name, row.rating.value, row.movement)
        for row, name, _link, _cells in response.context["ranked"]
    ]


# --- the figures are the leaderboard's --------------------------------------------------------


def test_the_page_shows_the_leaderboard_selectors_rows(client_of, acme, acme_analyst, world):
    response = show(client_of(acme_analyst))
    page = response.context["page"]

    assert page.period == world["march"]  # the default: the latest month begun
    ranked, unranked = selectors.leaderboard(acme.pk, world["march"], None)
    assert page.ranked == ranked and page.unranked == unranked
    assert page.department_ratings == list(
        selectors.department_ratings(acme.pk, world["march"], None)
    )
    assert board_of(response) == [
        (1, "Bob Adams", 70.0, 10.0),
        (1, "Pete Brown", 70.0, None),  # a tie shares the rank; no rating in February
        (3, "Sara Clark", 55.0, -10.0),
    ]
    assert [name for _row, name, _link, _cells in response.context["unranked"]] == ["Nina Davis"]
    assert [(r.department.code, r.value) for r in page.department_ratings] == [
        ("head-office", 62.5),
        ("north", 70.0),
        ("north-branch", 70.0),
    ]
    html = response.content.decode()
    assert "+10.0" in html and "-10.0" in html
    assert "Nina Davis</a> — 2 answers" in html


def test_the_chart_draws_the_ranked_ratings(client_of, acme, acme_analyst, world):
    figure = show(client_of(acme_analyst)).context["figure"]

    bars = figure["data"][0]
    assert bars["x"] == [70.0, 70.0, 55.0]
    assert figure["layout"]["yaxis"]["ticktext"] == [
        "1. Bob Adams",
        "1. Pete Brown",
        "3. Sara Clark",
    ]
    assert [answers for answers, _movement in bars["customdata"]] == [12, 8, 20]


def test_the_components_show_with_not_enough_data_apart(client_of, acme, acme_admin, world):
    response = show(client_of(acme_admin))

    cells = [cells for _row, _name, _link, cells in response.context["ranked"]]
    # The fixture's ratings hold the customer score only; the other components: none.
    assert [(c[0]["normalised"], c[0]["has_enough"]) for c in cells] == [
        (70.0, True),
        (70.0, True),
        (55.0, True),
    ]
    assert all(c[1:] == [None] * (len(c) - 1) for c in cells)


def test_another_period_shows_its_own_board(client_of, acme, acme_analyst, world):
    response = show(client_of(acme_analyst), {"period": "month:2026-02-01"})

    assert response.context["page"].period.start == date(2026, 2, 1)
    assert board_of(response) == [(1, "Sara Clark", 65.0, None), (2, "Bob Adams", 60.0, None)]


def test_no_stored_period_says_so(client_of, acme, acme_analyst, clock):
    clock(APRIL)

    response = show(client_of(acme_analyst))

    assert response.context["page"].period is None
    html = response.content.decode()
    assert "ratings are not computed yet" in html
    assert 'data-figure="figure-ratings"' not in html


# --- the department filter, and the others ----------------------------------------------------


def test_a_department_shows_its_subtree(client_of, acme, acme_admin, world):
    north = Department.objects.for_tenant(acme).get(code="north")

    response = show(client_of(acme_admin), {**MARCH, "department": north.pk})

    assert [name for _r, name, _v, _m in board_of(response)] == ["Bob Adams", "Pete Brown"]
    assert (
        response.context["page"].ranked
        == (selectors.leaderboard(acme.pk, world["march"], north)[0])
    )
    assert [r.department.code for r in response.context["page"].department_ratings] == [
        "north",
        "north-branch",
    ]


def test_a_manager_sees_their_subtree_and_no_other(client_of, acme, acme_manager, world):
    south = Department.objects.for_tenant(acme).get(code="south")
    mario = client_of(acme_manager)  # manager of the north region

    response = show(mario)
    refused = mario.get(PAGE, {"department": south.pk})

    assert [name for _r, name, _v, _m in board_of(response)] == ["Bob Adams", "Pete Brown"]
    assert [d.code for d in response.context["filters"].form.fields["department"].queryset] == [
        "north",
        "north-branch",
    ]
    assert refused.status_code == 400
    assert "figure-ratings" not in refused.content.decode()


def test_the_other_dashboard_filters_are_carried_but_not_applied(
    client_of, acme, acme_analyst, world
):
    query = {"start": "2026-01-01", "end": "2026-01-31", "brand": "987654321"}

    response = show(client_of(acme_analyst), query)

    assert board_of(response)[0] == (1, "Bob Adams", 70.0, 10.0)  # March, every brand
    html = response.content.decode()
    assert '<input type="hidden" name="brand" value="987654321">' in html
    assert '<input type="hidden" name="start" value="2026-01-01">' in html
    assert "do not apply here" in html


@pytest.mark.parametrize("bad", [{"period": "month:1999-01-01"}, {"department": "987654321"}])
def test_a_bad_filter_answers_400_with_no_figure(client_of, acme, acme_analyst, world, bad):
    response = client_of(acme_analyst).get(PAGE, bad)

    assert response.status_code == 400
    assert list(response.context["filters"].form.errors) == list(bad)
    assert "figure-ratings" not in response.content.decode()


# --- links ------------------------------------------------------------------------------------


def test_each_performer_links_to_their_row_or_to_my_rating(
    client_of, acme, acme_manager, acme_agent, world
):
    store(world["march"], performer=acme_manager, value=80.0, answers=5)
    north = Department.objects.for_tenant(acme).get(code="north")

    response = show(client_of(acme_manager))

    links = {row.rating.performer: link for row, _name, link, _c in response.context["ranked"]}
    assert links[acme_manager] == "/acme/ratings/me/?kind=month&start=2026-03-01"
    assert links[acme_agent] == (
        f"/acme/ratings/leaderboard/?kind=month&start=2026-03-01&department={north.pk}"
        f"#performer-{acme_agent.pk}"
    )
    leaderboard = client_of(acme_manager).get(links[acme_agent]).content.decode()
    assert f'id="performer-{acme_agent.pk}"' in leaderboard


# --- who may read it --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["acme_agent", "acme_performer"])
def test_agents_and_performers_may_not_read_it(client_of, acme, persona, request, world):
    client = client_of(request.getfixturevalue(persona))

    assert client.get(PAGE).status_code == 403
    assert client.get(export("performers", "ratings", "csv")).status_code == 403
    assert audits(acme) == 0


def test_another_workspace_is_a_404(client_of, acme, globex_agent, world):
    globex_manager = make_member(globex_agent.tenant, "gina", Role.MANAGER, "hq")
    period_for(globex_agent.tenant, "month", date(2026, 3, 1))

    assert client_of(globex_agent).get(PAGE).status_code == 404
    theirs = client_of(globex_manager).get("/globex/dashboards/performers/", MARCH)
    assert (theirs.status_code, theirs.context["page"].ranked) == (200, [])
    assert client_of(globex_agent).get(export("performers", "ratings", "csv")).status_code == 404


def test_the_tab_is_listed_and_translated(client_of, acme, acme_analyst, world):
    client = client_of(acme_analyst)
    client.cookies["django_language"] = "el"

    html = show(client).content.decode()

    assert 'aria-current="page">Εκτελεστές</a>' in html
    nps = client.get("/acme/dashboards/nps/").content.decode()
    assert 'href="/acme/dashboards/performers/?' in nps and ">Εκτελεστές</a>" in nps


# --- downloads --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_downloads_are_the_pages_tables(client_of, acme, acme_analyst, world, fmt):
    client = client_of(acme_analyst)
    page = show(client).context["page"]

    rows = download(client, "performers", "ratings", fmt, {})
    departments = download(client, "performers", "departments", fmt, {})

    assert [
        (r["Rank"], r["Performer"], r["Rating (%)"], r["Since the previous period"], r["Answers"])
        for r in rows
    ] == [
        (1, "Bob Adams", 70.0, 10.0, 12),
        (1, "Pete Brown", 70.0, None, 8),
        (3, "Sara Clark", 55.0, -10.0, 20),
        (None, "Nina Davis", None, None, 2),  # not enough data: after the ranked
    ]
    assert [r["Rating (%)"] for r in rows] == [
        row.rating.value for row in page.ranked + page.unranked
    ]
    assert [r["Department"] for r in rows] == [
        "North branch",
        "North branch",
        "South branch",
        "North branch",
    ]
    assert [r["Customer score (%)"] for r in rows] == [70.0, 70.0, 55.0, None]
    assert [(r["Department"], r["Rating (%)"]) for r in departments] == [
        (rating.department.name, rating.value) for rating in page.department_ratings
    ]


def test_the_page_links_its_tables_to_their_downloads(client_of, acme, acme_analyst, world):
    html = show(client_of(acme_analyst), MARCH).content.decode()

    for table in ("ratings", "departments"):
        for fmt in ("csv", "xlsx"):
            assert f"/acme/dashboards/performers/export/{table}.{fmt}?period=month" in html


def test_a_download_is_audited_and_a_bad_filter_is_a_400(client_of, acme, acme_analyst, world):
    client = client_of(acme_analyst)

    refused = client.get(export("performers", "ratings", "csv"), {"period": "year:1999-01-01"})
    download(client, "performers", "ratings", "csv", MARCH)

    assert refused.status_code == 400
    entries = AuditEntry.objects.for_tenant(acme).filter(action=AUDIT_ACTION)
    assert [
        (e.changes["export"][1], e.changes["filters"][1], e.changes["rows"][1]) for e in entries
    ] == [("dashboard-performers-ratings", MARCH, 4)]


# --- queries ----------------------------------------------------------------------------------


def test_the_page_costs_the_same_queries_for_three_or_thirty_performers(
    client_of, acme, acme_admin, world, django_assert_num_queries
):
    client = client_of(acme_admin)
    client.get(PAGE)  # the session's first save aside
    # The session, the user, the membership and its tenant (4); the stored periods of each
    # kind (3); the departments listed (1); the leaderboard (2) and the departments' ratings (1).
    queries = 4 + 3 + 1 + 2 + 1
    with django_assert_num_queries(queries):
        client.get(PAGE)
    for number in range(27):
        member = make_member(acme, f"extra{number}", Role.AGENT, "south-branch")
        store(world["march"], performer=member, value=float(number), answers=6)
    with django_assert_num_queries(queries):
        response = client.get(PAGE)

    assert len(response.context["ranked"]) == 30
    assert reverse("dashboard-performers", kwargs={"tenant_slug": "acme"}) == PAGE
