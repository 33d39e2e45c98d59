"""The chart tables' downloads (``dashboards.table_exports``): each row is the page's own figure
for the same filters (the page's selector, read from its context); who may download; one audit
entry per download; a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse

from complaints.models import Channel
from dashboards.exports import AUDIT_ACTION
from surveys.rollups.services import answer_days_catch_up
from tenants.models import AuditEntry
from tests.complaint_fixtures import file_complaint
from tests.dashboards.complaints_fixtures import NOW, november_world
from tests.dashboards.exporting import as_dicts, csv_rows, xlsx_rows
from tests.dashboards.nps_fixtures import answered, nps_survey
from tests.factories import BrandFactory

NOVEMBER = {"start": "2026-11-01", "end": "2026-11-30"}
READ = {"csv": csv_rows, "xlsx": xlsx_rows}
# The session, the user, the membership and its tenant, the NPS page's own queries (as on the
# page, the rollup's due days included: none once the beat's catch-up has run), the audit
# entry's INSERT.
QUERIES = 16


def export(page: str, table: str, fmt: str, tenant_slug: str = "acme") -> str:
    name = f"dashboard-{page}-export-{table}-{fmt}"
    return reverse(name, kwargs={"tenant_slug": tenant_slug})


def page_of(client, page: str, query: dict):
    response = client.get(reverse(f"dashboard-{page}", kwargs={"tenant_slug": "acme"}), query)
    assert response.status_code == 200
    return response.context["page"]


def download(client, page, table, fmt, query, tenant_slug="acme") -> list[dict]:
    response = client.get(export(page, table, fmt, tenant_slug), query)
    assert response.status_code == 200, response.content[:500]
    rows = READ[fmt](response)
    if fmt == "csv":  # CSV is text: numbers as a spreadsheet would read them
        rows = [rows[0]] + [[_number(value) for value in row] for row in rows[1:]]
    return as_dicts(rows)


def _number(text: str):
    if text == "":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def one(value):
    return None if value is None else round(value, 1)


def audits(tenant) -> int:
    return AuditEntry.objects.for_tenant(tenant).filter(action=AUDIT_ACTION).count()


@pytest.fixture
def nps_world(clock, acme, acme_brand, acme_setup, globex, globex_brand):
    clock(NOW)
    version = nps_survey(acme)
    rent = BrandFactory(tenant=acme, name="Acme Rent", reference_prefix="ARE")
    for brand, score, days in [
        (acme_brand, 10, 1),
        (acme_brand, 9, 2),
        (acme_brand, 3, 4),
        (rent, 6, 3),
        (rent, 10, 5),
        (acme_brand, 2, 100),  # the previous period
        (rent, 10, 110),
    ]:
        answered(brand, version, score, when=NOW - timedelta(days=days))
    globex_version = nps_survey(globex)
    answered(globex_brand, globex_version, 0, when=NOW - timedelta(days=1))
    return {"motor": acme_brand, "rent": rent}


@pytest.fixture
def complaints_world(
    clock, acme, acme_setup, acme_brand, acme_admin, acme_agent, globex, globex_brand
):
    made = november_world(clock, acme, acme_brand, acme_admin)
    clock(NOW)
    file_complaint(globex_brand, channel=Channel.PHONE, name="Gina", email="gina@globex.example")
    return made


# --- the rows are the page's -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("query", [{}, {"compare": "none"}], ids=["compared", "alone"])
def test_the_nps_by_brand_download_is_the_pages_table(
    client_of, acme, acme_analyst, nps_world, fmt, query
):
    client = client_of(acme_analyst)
    page = page_of(client, "nps", query)

    rows = download(client, "nps", "brands", fmt, query)

    assert [row["Brand"] for row in rows] == [group.name for group in page.by_brand]
    assert [row["Brand"] for row in rows] == ["Acme Motor", "Acme Rent"]
    for row, group in zip(rows, page.by_brand, strict=True):
        assert row["NPS"] == one(group.nps.score)
        assert row["Margin of error"] == one(group.nps.margin_of_error)
        assert row["Answers"] == group.nps.answered
        if group.previous is None:
            assert row["Previous period"] is None and row["Change"] is None
        else:
            assert row["Previous period"] == one(group.previous.score)
            assert row["Change"] == one(group.difference.difference)
    # By hand: Motor 10, 9, 3 → 2 promoters, 1 detractor of 3: +33.3; Rent 6, 10: 0.
    assert [(row["NPS"], row["Answers"]) for row in rows] == [(33.3, 3), (0.0, 2)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_brand_filter_narrows_the_download_as_the_page(
    client_of, acme, acme_analyst, nps_world, fmt
):
    client = client_of(acme_analyst)
    query = {"brand": nps_world["rent"].pk}

    rows = download(client, "nps", "brands", fmt, query)

    assert [(row["Brand"], row["NPS"]) for row in rows] == [("Acme Rent", 0.0)]
    assert rows[0]["NPS"] == one(page_of(client, "nps", query).by_brand[0].nps.score)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_pareto_download_is_the_pages_table(
    client_of, acme, acme_analyst, complaints_world, fmt
):
    client = client_of(acme_analyst)
    page = page_of(client, "complaints", NOVEMBER)

    rows = download(client, "complaints", "pareto", fmt, NOVEMBER)

    assert page.pareto
    assert [
        (row["Root cause"], row["Complaints"], row["Share (%)"], row["Cumulative (%)"])
        for row in rows
    ] == [
        (
            item.name,
            item.value.complaints,
            one(item.value.percent),
            one(item.value.cumulative_percent),
        )
        for item in page.pareto
    ]


@pytest.mark.parametrize(
    ("page", "table"),
    [
        ("nps", "trend"),
        ("nps", "touchpoints"),
        ("nps", "distribution"),
        ("complaints", "categories"),
        ("complaints", "channels"),
        ("complaints", "sla-brands"),
        ("complaints", "sla-departments"),
        ("complaints", "backlog"),
        ("complaints", "resolution"),
    ],
)
def test_every_other_table_downloads_as_many_rows_as_the_page_shows(
    client_of, acme, acme_analyst, nps_world, page, table
):
    from dashboards.table_exports import PAGES

    client = client_of(acme_analyst)
    data = page_of(client, page, NOVEMBER)
    expected, _columns = PAGES[page].tables[table](data)
    for fmt in ("csv", "xlsx"):
        assert len(download(client, page, table, fmt, NOVEMBER)) == len(expected)


def test_the_page_links_each_table_to_its_downloads_with_the_filters(
    client_of, acme, acme_analyst, nps_world
):
    html = client_of(acme_analyst).get("/acme/dashboards/nps/", NOVEMBER).content.decode()

    for table in ("trend", "brands", "touchpoints", "distribution"):
        for fmt in ("csv", "xlsx"):
            assert (
                f"/acme/dashboards/nps/export/{table}.{fmt}?start=2026-11-01&amp;end=2026-11-30"
                in html
            )


# --- refusals ----------------------------------------------------------------------------------


def test_a_bad_filter_is_a_400_like_the_page_and_not_audited(client_of, acme, acme_analyst, clock):
    clock(NOW)
    client = client_of(acme_analyst)
    bad = {"start": "2026-11-30", "end": "2026-11-01"}

    assert client.get("/acme/dashboards/nps/", bad).status_code == 400
    assert client.get(export("nps", "brands", "csv"), bad).status_code == 400
    assert audits(acme) == 0


def test_an_unknown_table_is_a_404(client_of, acme, acme_analyst, clock):
    clock(NOW)

    assert client_of(acme_analyst).get("/acme/dashboards/nps/export/nothing.csv").status_code == 404
    assert client_of(acme_analyst).get("/acme/dashboards/nps/export/brands.pdf").status_code == 404


@pytest.mark.parametrize("persona", ["acme_agent", "acme_performer"])
def test_agents_and_performers_may_not_download(client_of, acme, persona, request, clock):
    clock(NOW)
    member = request.getfixturevalue(persona)

    assert client_of(member).get(export("complaints", "pareto", "csv")).status_code == 403
    assert audits(acme) == 0


def test_another_workspace_is_a_404(client_of, acme, globex_agent, clock):
    clock(NOW)

    assert client_of(globex_agent).get(export("nps", "brands", "xlsx")).status_code == 404
    assert audits(acme) == 0


def test_another_tenants_answers_never_appear(client_of, acme, globex, globex_agent, nps_world):
    from tenants.models import Role
    from tests.factories import make_member

    globex_manager = make_member(globex, "gina", Role.MANAGER, "hq")

    rows = download(client_of(globex_manager), "nps", "brands", "csv", {}, "globex")
    # Not Acme's brands: Globex's one answer, a 0 (NPS −100).
    assert [(row["Answers"], row["NPS"]) for row in rows] == [(1, -100.0)]


# --- audit and queries -------------------------------------------------------------------------


def test_each_download_writes_one_audit_entry(client_of, acme, acme_analyst, nps_world):
    client = client_of(acme_analyst)

    download(client, "nps", "brands", "csv", NOVEMBER)
    download(client, "nps", "distribution", "xlsx", {})

    entries = AuditEntry.objects.for_tenant(acme).filter(action=AUDIT_ACTION).order_by("pk")
    assert [
        (
            e.changes["export"][1],
            e.changes["format"][1],
            e.changes["filters"][1],
            e.changes["rows"][1],
        )
        for e in entries
    ] == [
        ("dashboard-nps-brands", "csv", {**NOVEMBER, "compare": "previous"}, 2),
        (  # the default period is written down too
            "dashboard-nps-distribution",
            "xlsx",
            {"start": "2026-08-23", "end": "2026-11-20", "compare": "previous"},
            11,
        ),
    ]
    assert {e.actor_id for e in entries} == {acme_analyst.user_id}


def test_a_download_runs_the_same_queries_for_few_answers_as_for_many(
    client_of, acme, acme_analyst, nps_world, django_assert_num_queries
):
    from surveys.models import SurveyVersion

    client = client_of(acme_analyst)
    client.get(export("nps", "brands", "csv"))  # the session, warmed

    def download_both(answers: int):
        for fmt in ("csv", "xlsx"):
            with django_assert_num_queries(QUERIES):
                rows = download(client, "nps", "brands", fmt, {})
            assert sum(row["Answers"] for row in rows) == answers

    answer_days_catch_up()
    download_both(5)
    version = SurveyVersion.objects.for_tenant(acme).first()
    for n in range(20):
        answered(nps_world["rent"], version, n % 11, when=NOW - timedelta(days=1 + n % 80))
    answer_days_catch_up()
    download_both(25)
