"""The chart tables' downloads of the CSAT and CES page, the programme summary and the survey
funnel (``dashboards.table_exports``): each row is the page's own figure for the same filters
(the page's selector, read from its context) and the hand-computed one; bad filters, roles and
the audit entry as on the NPS page's downloads (``test_table_exports``)."""

from datetime import timedelta

import pytest

from dashboards.exports import AUDIT_ACTION
from surveys import metrics
from tenants.models import AuditEntry
from tests.dashboards.csat_fixtures import answered, roadside, service_desk
from tests.dashboards.summary_fixtures import NOW, make_world
from tests.dashboards.test_table_exports import audits, download, export, one, page_of
from tests.factories import BrandFactory, TouchpointFactory

FORMATS = ["csv", "xlsx"]
NEW_TABLES = [
    ("csat", "trend"),
    ("csat", "brands"),
    ("csat", "touchpoints"),
    ("csat", "distribution"),
    ("csat", "ces-trend"),
    ("csat", "ces-distribution"),
    ("summary", "rate"),
    ("summary", "sample"),
    ("funnel", "stages"),
    ("funnel", "reasons"),
]


@pytest.fixture
def csat_world(clock, acme, acme_brand, acme_setup, globex, globex_brand):
    """Motor: CSAT 5, 4, 3 this period (2 of 3 satisfied), 2 before; Rent: 5, 1 (1 of 2);
    Road (CES first): CES 6 and 3. Globex: one CSAT 1."""
    clock(NOW)
    desk = service_desk(acme)
    rent = BrandFactory(tenant=acme, name="Acme Rent", reference_prefix="ARE")
    road = BrandFactory(tenant=acme, name="Acme Road", reference_prefix="ARO")
    road_survey = roadside(acme, road)
    phone = TouchpointFactory(tenant=acme, name="Phone line")

    def answer(brand, days, version=desk, **fields):
        return answered(brand, version, when=NOW - timedelta(days=days), **fields)

    answer(acme_brand, 1, touchpoint=phone, csat=5, ces=6)
    answer(acme_brand, 2, csat=4, ces=4)
    answer(acme_brand, 20, touchpoint=phone, csat=3)
    answer(rent, 3, csat=5)
    answer(rent, 30, touchpoint=phone, csat=1, ces=1)
    answer(acme_brand, 100, csat=2)  # the previous period
    answer(road, 8, road_survey, ces=6)
    answer(road, 15, road_survey, ces=3)
    answered(globex_brand, service_desk(globex), when=NOW - timedelta(days=1), csat=1)
    return {"motor": acme_brand, "rent": rent}


@pytest.fixture
def programme_world(
    clock, acme, acme_brand, acme_setup, acme_admin, acme_agent, complaint_in, smtp_server,
    globex, globex_brand,
):  # fmt: skip
    """``summary_fixtures``' table: 16 events, 14 relevant, 9 invited, 8 emails accepted, 7
    answered this period; 4, 4, 3, 3, 2 the previous one."""
    return make_world(clock, acme, acme_brand, acme_admin, acme_agent, complaint_in, globex_brand)


# --- the CSAT and CES page ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_csat_by_brand_download_is_the_pages_table(
    client_of, acme, acme_analyst, csat_world, fmt
):
    client = client_of(acme_analyst)
    page = page_of(client, "csat", {})

    rows = download(client, "csat", "brands", fmt, {})

    assert [
        (row["Brand"], row["CSAT (%)"], row["Margin of error"], row["Answers"]) for row in rows
    ] == [
        (g.name, one(g.csat.percent), one(g.csat.margin_of_error), g.csat.whole)
        for g in page.by_brand
    ]
    assert [(row["Previous period"], row["Previous answers"], row["Change"]) for row in rows] == [
        (one(g.previous.percent), g.previous.whole, one(g.difference.difference))
        if g.previous.whole
        else (None, 0, None)
        for g in page.by_brand
    ]
    # By hand: Motor 5, 4, 3 → 2 of 3 satisfied (66.7 %), mean 4, before 2 (0 %); Rent 5, 1 →
    # 50 %. Road asked no CSAT.
    assert [(r["Brand"], r["CSAT (%)"], r["Mean (1–5)"], r["Answers"]) for r in rows] == [
        ("Acme Motor", 66.7, 4.0, 3),
        ("Acme Rent", 50.0, 3.0, 2),
    ]
    assert (rows[0]["Previous period"], rows[0]["Previous answers"]) == (0.0, 1)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_csat_trend_and_distributions_are_the_pages(
    client_of, acme, acme_analyst, csat_world, fmt
):
    client = client_of(acme_analyst)
    page = page_of(client, "csat", {})

    trend = download(client, "csat", "trend", fmt, {})
    ces_trend = download(client, "csat", "ces-trend", fmt, {})
    scores = download(client, "csat", "distribution", fmt, {})
    ces_scores = download(client, "csat", "ces-distribution", fmt, {})

    assert [(r["CSAT (%)"], r["Answers"]) for r in trend] == [
        (one(p.csat.percent), p.csat.whole) for p in page.trend
    ]
    assert sum(r["Answers"] for r in trend) == 5
    assert [r["CES (mean, 1–7)"] for r in ces_trend] == [p.mean for p in page.ces_trend]
    assert {r["Score"]: r["Answers"] for r in scores} == page.distribution
    assert {r["Score"]: r["Answers"] for r in scores} == {1: 1, 2: 0, 3: 1, 4: 1, 5: 2}
    assert {r["Score"]: r["Answers"] for r in ces_scores} == page.ces_distribution
    # The CES figures are of the surveys whose first question is CES: Road's 6 and 3.
    assert [(r["Score"], r["Answers"]) for r in ces_scores if r["Answers"]] == [(3, 1), (6, 1)]
    if fmt == "csv":
        first = page.trend[0].period
        assert (trend[0]["From"], trend[0]["To"]) == (
            first.start.isoformat(),
            first.end.isoformat(),
        )


def test_a_brand_filter_narrows_the_csat_download_as_the_page(
    client_of, acme, acme_analyst, csat_world
):
    client = client_of(acme_analyst)
    query = {"brand": csat_world["rent"].pk}

    rows = download(client, "csat", "touchpoints", "csv", query)

    page = page_of(client, "csat", query)
    assert [(r["Touchpoint"], r["CSAT (%)"]) for r in rows] == [
        (g.name, one(g.csat.percent)) for g in page.by_touchpoint
    ]
    assert [(r["Touchpoint"], r["Answers"]) for r in rows] == [
        ("No touchpoint", 1),
        ("Phone line", 1),
    ]


# --- the programme summary and the funnel ------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_summary_tables_are_the_pages(client_of, acme, acme_analyst, programme_world, fmt):
    client = client_of(acme_analyst)
    page = page_of(client, "summary", {})

    rate = download(client, "summary", "rate", fmt, {})
    sample = download(client, "summary", "sample", fmt, {})

    now, before = page.now.response_rate, page.previous.response_rate
    assert [
        (r["Period"], r["Answered"], r["Emails accepted"], r["Queued"], r["Failed"]) for r in rate
    ] == [
        ("This period", now.part, now.whole, now.queued, now.failed),
        ("Previous period", before.part, before.whole, before.queued, before.failed),
    ]
    assert [r["Response rate (%)"] for r in rate] == [one(now.percent), one(before.percent)]
    assert [(r["Answered"], r["Emails accepted"], r["Response rate (%)"]) for r in rate] == [
        (7, 8, 87.5),
        (2, 3, 66.7),
    ]
    assert {(r["Norm: from (%)"], r["Norm: to (%)"]) for r in rate} == {
        (page.norms.response_rate_low, page.norms.response_rate_high)
    }
    coverage = page.now.coverage
    assert [(r["Decision"], r["Service events"]) for r in sample] == [
        ("Invited", coverage.part),
        *[(str(d.label), coverage.skipped[d.value]) for d in metrics.SKIP_REASONS],
        ("Relevant (a survey rule matched)", coverage.whole),
    ]
    assert [r["Service events"] for r in sample] == [9, 1, 1, 1, 1, 1, 14]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_funnel_tables_are_the_pages(client_of, acme, acme_analyst, programme_world, fmt):
    client = client_of(acme_analyst)
    page = page_of(client, "funnel", {})

    stages = download(client, "funnel", "stages", fmt, {})
    reasons = download(client, "funnel", "reasons", fmt, {})
    alone = download(client, "funnel", "stages", fmt, {"compare": "none"})

    assert [(r["Service events"], r["Previous period"], r["Change"]) for r in stages] == [
        (stage.count, stage.previous, stage.change) for stage in page.stages
    ]
    assert [(r["Stage"], r["Service events"]) for r in stages] == [
        ("Service events", 16),
        ("Relevant (a survey rule matched)", 14),
        ("Customers invited", 9),
        ("Email accepted by the mail server", 8),
        ("Answered", 7),
    ]
    assert list(alone[0]) == ["Stage", "Service events"]  # nothing to compare with
    assert [
        (r["Group"], r["Decision"], r["Service events"], r["Previous period"]) for r in reasons
    ] == [
        ("Relevant, not invited", reason.label, reason.count, reason.previous)
        for reason in page.skips
    ] + [
        ("Outside the sample", reason.label, reason.count, reason.previous)
        for reason in page.outside
    ]


@pytest.mark.parametrize(
    ("page", "tables"),
    [
        (
            "csat",
            ["trend", "brands", "touchpoints", "distribution", "ces-trend", "ces-distribution"],
        ),
        ("summary", ["rate", "sample"]),
        ("funnel", ["stages", "reasons"]),
    ],
)
def test_the_page_links_each_table_to_its_downloads_with_the_filters(
    client_of, acme, acme_analyst, csat_world, page, tables
):
    html = (
        client_of(acme_analyst)
        .get(f"/acme/dashboards/{page}/", {"start": "2026-11-01", "end": "2026-11-30"})
        .content.decode()
    )

    for table in tables:
        for fmt in FORMATS:
            assert (
                f"/acme/dashboards/{page}/export/{table}.{fmt}?start=2026-11-01&amp;end=2026-11-30"
                in html
            ), (table, fmt)


# --- refusals and audit ------------------------------------------------------------------------


@pytest.mark.parametrize(("page", "table"), NEW_TABLES)
def test_a_bad_filter_is_a_400_like_the_page_and_not_audited(
    client_of, acme, acme_analyst, clock, page, table
):
    clock(NOW)
    client = client_of(acme_analyst)
    bad = {"start": "2026-11-30", "end": "2026-11-01"}

    assert client.get(f"/acme/dashboards/{page}/", bad).status_code == 400
    assert client.get(export(page, table, "csv"), bad).status_code == 400
    assert client.get(export(page, table, "xlsx"), {"brand": "987654321"}).status_code == 400
    assert audits(acme) == 0


@pytest.mark.parametrize("persona", ["acme_agent", "acme_performer"])
@pytest.mark.parametrize(
    ("page", "table"), [("csat", "brands"), ("summary", "rate"), ("funnel", "stages")]
)
def test_agents_and_performers_may_not_download(
    client_of, acme, persona, request, clock, page, table
):
    clock(NOW)
    member = request.getfixturevalue(persona)

    assert client_of(member).get(export(page, table, "csv")).status_code == 403
    assert audits(acme) == 0


def test_another_workspace_is_a_404(client_of, acme, globex_agent, clock):
    clock(NOW)

    for page, table in NEW_TABLES:
        assert client_of(globex_agent).get(export(page, table, "csv")).status_code == 404
    assert audits(acme) == 0


def test_each_download_writes_one_audit_entry(client_of, acme, acme_analyst, csat_world):
    client = client_of(acme_analyst)

    download(client, "csat", "brands", "csv", {"compare": "none"})
    download(client, "funnel", "stages", "xlsx", {})
    download(client, "summary", "sample", "csv", {})

    entries = AuditEntry.objects.for_tenant(acme).filter(action=AUDIT_ACTION).order_by("pk")
    default = {"start": "2026-08-23", "end": "2026-11-20"}
    assert [
        (
            e.changes["export"][1],
            e.changes["format"][1],
            e.changes["filters"][1],
            e.changes["rows"][1],
        )
        for e in entries
    ] == [
        ("dashboard-csat-brands", "csv", {**default, "compare": "none"}, 2),
        ("dashboard-funnel-stages", "xlsx", {**default, "compare": "previous"}, 5),
        ("dashboard-summary-sample", "csv", {**default, "compare": "previous"}, 7),
    ]
    assert {e.actor_id for e in entries} == {acme_analyst.user_id}
