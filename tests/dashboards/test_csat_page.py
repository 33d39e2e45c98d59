"""The CSAT and CES dashboard: every figure is ``surveys.metrics``' for the same filter, and the
table worked out by hand; the question-level breakdown; who may read it; bad input; its query
count.

Today is Friday 20 November 2026 (noon in Athens): the default period is the 90 days from
23 August, compared with 25 May – 22 August. "Service desk" (CSAT primary, then CES, NPS, a
choice, a comment) goes to Acme Motor and Acme Rent; "Roadside" (CES primary) to Acme Road.

    days ago  brand  touchpoint  CSAT  CES  NPS  choice   comment
    current period
      1       Motor  phone        5     6    9   speed    "Quick and kind."
      2       Motor  shop         4     5    8   outcome
      3       Rent   shop         5          10
      5       Rent   —            2     2    3   speed    "Car was dirty."   (a follow-up)
     10       Motor  phone        4
     20       Motor  shop         3                       "A bit slow."      (a follow-up)
     30       Rent   phone        1     1        outcome
     40       Motor  phone        5     7   10   speed
      8       Road   —                  6 (primary)
     15       Road   —                  3 (primary)        "Tow truck was late."
    previous period
    100, 110, 120   Motor  —   CSAT 2, 3, 1 (NPS 2, 3 on the first two)
    130             Rent   —   CSAT 4
    120             Road   —   CES 5 (primary)
    Globex: a CSAT 1 this week.
"""

import math
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from surveys import metrics
from surveys.models import Answer, Question
from surveys.rollups.services import answer_days_catch_up
from surveys.scoring import QuestionKind
from tenants.models import Role
from tests.dashboards.csat_fixtures import answered, roadside, service_desk
from tests.factories import BrandFactory, TouchpointFactory, make_member

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
PERIOD = (date(2026, 8, 23), date(2026, 11, 20))
PREVIOUS = (date(2026, 5, 25), date(2026, 8, 22))
ATHENS = ZoneInfo("Europe/Athens")


def url(tenant, **query) -> str:
    path = reverse("dashboard-csat", kwargs={"tenant_slug": tenant.slug})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def answers_of(tenant, start: date, end: date, **filters):
    first = datetime.combine(start, time(), ATHENS)
    after = datetime.combine(end + timedelta(days=1), time(), ATHENS)
    return Answer.objects.for_tenant(tenant).filter(
        response__submitted_at__gte=first, response__submitted_at__lt=after, **filters
    )


def counts(csat: metrics.Csat) -> tuple:
    return (csat.part, csat.whole)


@pytest.fixture
def world(clock, acme, acme_brand, acme_setup, globex, globex_brand):
    clock(NOW)
    desk = service_desk(acme)
    rent = BrandFactory(tenant=acme, name="Acme Rent", reference_prefix="ARE")
    road = BrandFactory(tenant=acme, name="Acme Road", reference_prefix="ARO")
    road_survey = roadside(acme, road)
    phone = TouchpointFactory(tenant=acme, name="Phone line")
    shop = TouchpointFactory(tenant=acme, name="Shop")
    motor = acme_brand

    def answer(brand, days, version=desk, **fields):
        return answered(brand, version, when=NOW - timedelta(days=days), **fields)

    kind = "Quick and kind."
    answer(motor, 1, touchpoint=phone, csat=5, ces=6, nps=9, choice="speed", comment=kind)
    answer(motor, 2, touchpoint=shop, csat=4, ces=5, nps=8, choice="outcome")
    answer(rent, 3, touchpoint=shop, csat=5, nps=10)
    answer(rent, 5, csat=2, ces=2, nps=3, choice="speed", comment="Car was dirty.")
    answer(motor, 10, touchpoint=phone, csat=4)
    answer(motor, 20, touchpoint=shop, csat=3, comment="A bit slow.")
    answer(rent, 30, touchpoint=phone, csat=1, ces=1, choice="outcome")
    answer(motor, 40, touchpoint=phone, csat=5, ces=7, nps=10, choice="speed")
    answer(road, 8, road_survey, ces=6)
    answer(road, 15, road_survey, ces=3, comment="Tow truck was late.")
    answer(motor, 100, csat=2, nps=2)
    answer(motor, 110, csat=3, nps=3)
    answer(motor, 120, csat=1)
    answer(rent, 130, csat=4)
    answer(road, 120, road_survey, ces=5)
    globex_desk = service_desk(globex)
    answered(globex_brand, globex_desk, when=NOW - timedelta(days=1), csat=1)
    return {"motor": motor, "rent": rent, "road": road, "phone": phone, "shop": shop,
            "desk": desk, "roadside": road_survey}  # fmt: skip


def show(client, tenant, **query):
    response = client.get(url(tenant, **query))
    assert response.status_code == 200, response.content.decode()[:3000]
    return response.context["page"]


def html_of(client, tenant, **query) -> str:
    return client.get(url(tenant, **query)).content.decode()


# --- every figure is the metrics module's, and the hand-computed table ------------------------


def test_the_headline_is_the_metrics_modules_csat_and_ces_with_the_test_of_the_change(
    client_of, acme, acme_manager, world
):
    page = show(client_of(acme_manager), acme)

    current, before = answers_of(acme, *PERIOD), answers_of(acme, *PREVIOUS)
    assert (page.period.start, page.period.end) == PERIOD
    assert page.csat == metrics.csat(current)
    assert page.previous == metrics.csat(before)
    assert page.difference == metrics.csat_difference(page.csat, page.previous)
    # By hand: 5, 4, 5, 2, 4, 3, 1, 5: 5 satisfied of 8 = 62.5 %, mean 29 / 8 = 3.625;
    # SE = 100 · √(0.625 · 0.375 / 8) = 17.12, margin 1.96 · 17.12 = 33.55 (shown 63 % ± 34).
    assert (counts(page.csat), page.csat.percent, page.csat.mean) == ((5, 8), 62.5, 3.625)
    assert round(page.csat.margin_of_error, 2) == 33.55
    # Before: 2, 3, 1, 4: 1 of 4 = 25 %. Pooled 6 / 12 = 0.5, SE_D = 100 · √(0.25 · (1/8 +
    # 1/4)) = 30.62, D = +37.5, z = 1.22, p = 0.22: within the noise.
    assert (counts(page.previous), page.previous.percent) == ((1, 4), 25.0)
    assert round(page.difference.standard_error, 2) == 30.62
    assert (round(page.difference.z, 2), round(page.difference.p_value, 2)) == (1.22, 0.22)
    assert page.difference.is_significant is False
    # CES: Roadside's primary question only (6 and 3), not the Service desk's CES question.
    assert page.ces == metrics.ces(current) == 4.5
    assert page.ces_previous == metrics.ces(before) == 5.0
    assert page.ces_answered == 2
    html = html_of(client_of(acme_manager), acme)
    assert re.search(r'id="csat-score">63 % <small class="muted">± 34</small>', html)
    assert 'id="csat-mean">3.62<' in html or 'id="csat-mean">3.63<' in html
    assert re.search(r'id="csat-change">\+38 <span class="badge">within the noise</span>', html)
    assert re.search(r'id="ces-mean">4.50 <small class="muted">2 answers</small>', html)


def test_the_trend_by_week_is_the_metrics_modules_csat_and_ces_of_each_week(
    client_of, acme, acme_manager, world
):
    page = show(client_of(acme_manager), acme)

    assert page.trend_unit == "week"
    assert len(page.trend) == len(page.ces_trend) == 14
    for point, ces_point in zip(page.trend, page.ces_trend, strict=True):
        days = answers_of(acme, point.period.start, point.period.end)
        assert point.csat == metrics.csat(days), point.period
        assert ces_point.mean == metrics.ces(days), point.period
    by_week = {(p.period.start, p.period.end): counts(p.csat) for p in page.trend if p.csat.whole}
    assert by_week == {
        (date(2026, 10, 5), date(2026, 10, 11)): (1, 1),  # 40 days ago: 5
        (date(2026, 10, 19), date(2026, 10, 25)): (0, 1),  # 30: 1
        (date(2026, 10, 26), date(2026, 11, 1)): (0, 1),  # 20: 3
        (date(2026, 11, 9), date(2026, 11, 15)): (1, 2),  # 10 and 5: 4, 2
        (date(2026, 11, 16), date(2026, 11, 20)): (3, 3),  # 3, 2, 1: 5, 4, 5
    }
    assert {p.period.start: p.mean for p in page.ces_trend if p.mean is not None} == {
        date(2026, 11, 2): 3.0,  # 15 days ago
        date(2026, 11, 9): 6.0,  # 8 days ago
    }
    figure = client_of(acme_manager).get(url(acme)).context["figures"]["trend"]
    _low, high, line = figure["data"]
    assert line["y"][-1] == 100.0 and high["y"][-1] == 100.0  # 3 of 3, no spread
    assert figure["layout"]["yaxis"]["range"] == [0, 100]


def test_by_brand_sorted_with_n_and_a_significant_rise_marked(client_of, acme, acme_manager, world):
    page = show(client_of(acme_manager), acme)

    motor, rent = world["motor"], world["rent"]
    assert [(g.name, g.key, counts(g.csat)) for g in page.by_brand] == [
        ("Acme Motor", motor.pk, (4, 5)),  # 5, 4, 4, 3, 5: 80 %
        ("Acme Rent", rent.pk, (1, 3)),  # 5, 2, 1: 33 %; Road has no CSAT answer
    ]
    on = "response__interaction__brand"
    for group, brand in zip(page.by_brand, (motor, rent), strict=True):
        assert group.csat == metrics.csat(answers_of(acme, *PERIOD, **{on: brand}))
        assert group.previous == metrics.csat(answers_of(acme, *PREVIOUS, **{on: brand}))
        assert group.difference == metrics.csat_difference(group.csat, group.previous)
    # Motor 4 of 5 against 0 of 3: pooled 0.5, SE_D = 100 · √(0.25 · (1/5 + 1/3)) = 36.51,
    # z = 80 / 36.51 = 2.19, p = 0.028 — significant. Rent 1 of 3 against 1 of 1: p = 0.25.
    motor_row, rent_row = page.by_brand
    assert (round(motor_row.difference.z, 2), round(motor_row.difference.p_value, 3)) == (
        2.19,
        0.028,
    )
    assert motor_row.difference.is_significant is True
    assert round(rent_row.difference.p_value, 2) == 0.25
    assert rent_row.difference.is_significant is False
    figure = client_of(acme_manager).get(url(acme)).context["figures"]["brands"]
    assert figure["data"][0]["y"] == ["Acme Motor ▲", "Acme Rent"]
    assert figure["data"][0]["x"] == [80.0, 33.3]
    assert [n for _margin, n in figure["data"][0]["customdata"]] == [5, 3]


def test_by_touchpoint_sorted_with_the_answers_without_one_apart(
    client_of, acme, acme_manager, world
):
    page = show(client_of(acme_manager), acme)

    # Phone: 5, 4, 1, 5 = 75 %; shop: 4, 5, 3 = 67 %; none: 2 = 0 %.
    assert [(g.name, counts(g.csat)) for g in page.by_touchpoint] == [
        ("Phone line", (3, 4)),
        ("Shop", (2, 3)),
        ("No touchpoint", (0, 1)),
    ]
    for group, touchpoint in zip(
        page.by_touchpoint, (world["phone"], world["shop"], None), strict=True
    ):
        filters = {"response__interaction__touchpoint": touchpoint}
        assert group.csat == metrics.csat(answers_of(acme, *PERIOD, **filters))


def test_the_distributions_are_the_metrics_modules(client_of, acme, acme_manager, world):
    page = show(client_of(acme_manager), acme)

    current = answers_of(acme, *PERIOD)
    assert page.distribution == metrics.csat_distribution(current)
    assert page.distribution == {1: 1, 2: 1, 3: 1, 4: 2, 5: 3}
    assert page.ces_distribution == metrics.ces_distribution(current)
    assert page.ces_distribution == {1: 0, 2: 0, 3: 1, 4: 0, 5: 0, 6: 1, 7: 0}
    figures = client_of(acme_manager).get(url(acme)).context["figures"]
    dissatisfied, satisfied = figures["distribution"]["data"]
    assert (dissatisfied["x"], dissatisfied["y"], satisfied["y"]) == ([1, 2, 3], [1, 1, 1], [2, 3])
    assert figures["distribution"]["layout"]["xaxis"]["range"] == [0.5, 5.5]
    hard, neither, easy = figures["ces_distribution"]["data"]
    assert (hard["y"], neither["y"], easy["y"]) == ([0, 0, 1], [0, 0], [1, 0])


def test_the_latest_comments_by_band_link_to_the_response_and_its_follow_up(
    client_of, acme, acme_manager, world
):
    client = client_of(acme_manager)

    every = show(client, acme).comments
    dissatisfied = show(client, acme, band="detractor").comments
    satisfied = show(client, acme, band="promoter").comments

    # CSAT surveys' comments only: Roadside's "Tow truck was late." is a CES answer.
    assert [(c.text, c.score, c.band) for c in every] == [
        ("Quick and kind.", 5, "high"),
        ("Car was dirty.", 2, "low"),
        ("A bit slow.", 3, "low"),
    ]
    assert [c.text for c in dissatisfied] == ["Car was dirty.", "A bit slow."]
    assert [c.text for c in satisfied] == ["Quick and kind."]
    dirty = dissatisfied[0]
    assert (dirty.brand, dirty.follow_up_status) == ("Acme Rent", "Open")
    html = html_of(client, acme, band="detractor")
    response_url = reverse(
        "response-detail", kwargs={"tenant_slug": "acme", "response_id": dirty.response_id}
    )
    follow_up_url = reverse(
        "follow-up-detail", kwargs={"tenant_slug": "acme", "follow_up_id": dirty.follow_up_id}
    )
    assert f'href="{response_url}"' in html and f'href="{follow_up_url}"' in html
    assert show(client, acme, band="promoter").csat == show(client, acme).csat


# --- the question-level breakdown --------------------------------------------------------------


def test_a_surveys_secondary_questions_are_broken_down_by_their_kind(
    client_of, acme, acme_manager, world
):
    desk = world["desk"]
    questions = {q.kind: q for q in Question.objects.for_tenant(acme).filter(version=desk)}

    page = show(client_of(acme_manager), acme, survey=desk.survey.pk)

    current, before = answers_of(acme, *PERIOD), answers_of(acme, *PREVIOUS)
    assert page.survey == desk.survey
    assert [(row.kind, row.version, row.text) for row in page.questions] == [
        ("ces", 1, "How easy was it to get what you needed?"),
        ("nps", 1, "How likely are you to recommend us?"),
        ("choice", 1, "What mattered most to you?"),
    ]
    ces, nps, choice = page.questions
    # CES 6, 5, 2, 1, 7: 4.2 (none before).
    assert ces.current == metrics.ces(current, question=questions["ces"]) == 4.2
    assert ces.previous is None
    # NPS 9, 8, 10, 3, 10: 3 promoters, 1 detractor of 5 = +40 ± 70; before 2 and 3: −100.
    assert nps.current == metrics.nps(current, question=questions["nps"])
    assert nps.previous == metrics.nps(before, question=questions["nps"])
    assert (nps.current.score, nps.previous.score) == (40.0, -100.0)
    # D = 140, SE_D = SE_a = 100 · √(0.64 / 5) = 35.78: z = 3.91, significant.
    assert nps.difference == metrics.nps_difference(nps.current, nps.previous)
    assert round(nps.difference.z, 2) == 3.91 and nps.difference.is_significant
    assert metrics.choice_counts(current, question=questions["choice"]) == {
        "speed": 3,
        "outcome": 2,
    }
    assert choice.current == [("Speed", 3), ("The outcome", 2)]
    html = html_of(client_of(acme_manager), acme, survey=desk.survey.pk)
    assert "<li>Speed: 3</li><li>The outcome: 2</li>" in html
    assert "v1 · How likely are you to recommend us?" in html


def test_the_first_survey_by_name_is_broken_down_by_default_and_the_choice_keeps_the_filters(
    client_of, acme, acme_manager, world
):
    client = client_of(acme_manager)

    page = show(client, acme, brand=world["rent"].pk)

    assert page.survey == world["roadside"].survey  # "Roadside" before "Service desk"
    assert page.questions == []  # a comment only
    html = html_of(client, acme, brand=world["rent"].pk)
    assert "This survey asks no secondary question with a figure" in html
    assert f'<input type="hidden" name="brand" value="{world["rent"].pk}">' in html


def test_another_tenants_survey_is_refused_like_one_that_does_not_exist(
    client_of, acme, acme_manager, world, globex
):
    client = client_of(acme_manager)
    globex_survey = Question.objects.for_tenant(globex).first().version.survey

    foreign = client.get(url(acme, survey=globex_survey.pk))
    missing = client.get(url(acme, survey=987654321))

    assert foreign.status_code == missing.status_code == 400
    assert foreign.context["survey_form"].errors == missing.context["survey_form"].errors
    assert foreign.context["survey_form"].errors == {
        "survey": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert "page" not in foreign.context
    assert "Service desk" in foreign.content.decode()  # Acme's own, in the chooser
    assert foreign.content.decode().count("Service desk") == missing.content.decode().count(
        "Service desk"
    )


# --- the filters ---------------------------------------------------------------------------------


def test_a_filter_narrows_every_figure_as_the_metrics_module_does(
    client_of, acme, acme_manager, world
):
    rent = world["rent"]

    page = show(client_of(acme_manager), acme, brand=rent.pk)

    on_rent = {"response__interaction__brand": rent}
    assert page.csat == metrics.csat(answers_of(acme, *PERIOD, **on_rent))
    assert counts(page.csat) == (1, 3)
    assert page.previous == metrics.csat(answers_of(acme, *PREVIOUS, **on_rent))
    assert sum(page.distribution.values()) == 3
    assert sum(p.csat.whole for p in page.trend) == 3
    assert page.ces is None and page.ces_answered == 0  # Road's CES is another brand's
    assert [c.text for c in page.comments] == ["Car was dirty."]


def test_a_chart_links_to_the_response_browser_with_the_same_filters(
    client_of, acme, acme_manager, world
):
    client = client_of(acme_manager)
    rent = world["rent"]
    dashboard = client.get(url(acme, brand=rent.pk))
    links = dashboard.context["links"]

    assert links["all"] == (
        f"/acme/surveys/responses/?submitted_from=2026-08-23&submitted_to=2026-11-20&brand={rent.pk}"
    )
    browser = client.get(links["all"])
    assert browser.status_code == 200
    assert browser.context["figures"].csat == dashboard.context["page"].csat
    dissatisfied = client.get(links["bands"]["detractor"])
    assert len(dissatisfied.context["page"].rows) == 2  # Rent's 2 and 1


@pytest.mark.parametrize(
    ("query", "field"),
    [({"start": "2026-02-30"}, "start"), ({"brand": "987654321"}, "brand")],
)
def test_a_bad_filter_answers_400_with_the_message_on_its_field(
    client_of, acme, acme_manager, clock, query, field
):
    clock(NOW)

    response = client_of(acme_manager).get(url(acme, **query))

    assert response.status_code == 400
    assert list(response.context["filters"].form.errors) == [field]
    assert "figure-trend" not in response.content.decode()


def test_the_page_runs_no_inline_script(client_of, acme, acme_manager, world):
    response = client_of(acme_manager).get(url(acme))

    assert "unsafe-inline" not in response["Content-Security-Policy"]
    body = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", body)
    assert {attributes for attributes in scripts if "src=" not in attributes} == {
        f' id="figure-{key}" type="application/json"'
        for key in (
            "trend",
            "brands",
            "touchpoints",
            "distribution",
            "ces-trend",
            "ces-distribution",
        )
    }
    assert " style=" not in body


# --- who may read it ------------------------------------------------------------------------------


def test_an_analyst_reads_the_same_figures(client_of, acme, acme_analyst, world):
    page = show(client_of(acme_analyst), acme)

    assert page.csat == metrics.csat(answers_of(acme, *PERIOD))
    assert counts(page.csat) == (5, 8)


@pytest.mark.parametrize("persona", ["acme_performer", "acme_agent"])
def test_performers_and_agents_see_no_dashboard(client_of, acme, persona, request, clock):
    clock(NOW)

    response = client_of(request.getfixturevalue(persona)).get(url(acme))

    assert response.status_code == 403


def test_another_workspace_is_a_404(client_of, acme, globex_agent, clock):
    clock(NOW)

    assert client_of(globex_agent).get(url(acme)).status_code == 404


def test_another_tenants_answers_never_appear(client_of, acme, globex, world):
    globex_manager = make_member(globex, "gina", Role.MANAGER, "hq")

    page = show(client_of(globex_manager), globex)

    assert counts(page.csat) == (0, 1)  # Globex's 1, nothing of Acme's
    assert [g.name for g in page.by_brand] == ["Globex Road"]
    assert page.ces is None and page.comments == []
    assert page.survey.tenant_id == globex.pk


def test_the_tabs_lead_from_the_nps_page_with_the_filters(client_of, acme, acme_manager, world):
    html = client_of(acme_manager).get(
        reverse("dashboard-nps", kwargs={"tenant_slug": "acme"}) + "?compare=none"
    )

    assert 'href="/acme/dashboards/csat/?compare=none"' in html.content.decode()


# --- a fixed number of queries ------------------------------------------------------------------


def test_the_page_costs_the_same_queries_for_10_or_100_responses(
    client_of, acme, acme_brand, acme_manager, clock, django_assert_num_queries
):
    clock(NOW)
    desk = service_desk(acme)
    phone = TouchpointFactory(tenant=acme, name="Phone line")
    client = client_of(acme_manager)
    client.get(url(acme))  # warm the session

    def add(number):
        for n in range(number):
            answered(
                acme_brand,
                desk,
                when=NOW - timedelta(days=n % 170),
                csat=1 + n % 5,
                ces=1 + n % 7,
                nps=n % 11,
                choice="speed" if n % 2 else "outcome",
                comment=f"Comment {n}" if n % 2 else "",
                touchpoint=phone if n % 3 else None,
            )

    # The workspace (4); the brand, touchpoint, department and category choices (4); the
    # surveys (1); CSAT now and before (2); by brand and touchpoint now and before (4); the
    # names (2); CSAT and CES by week (2); the distributions (2); comments (1); CES now and
    # before (2); the survey's questions (1), then its CES (2), NPS (2) and choice (1); the
    # rollup's due days, none once the beat's catch-up has run (1).
    queries = 4 + 4 + 1 + 2 + 4 + 2 + 2 + 2 + 1 + 2 + 1 + 2 + 2 + 1 + 1
    add(10)
    answer_days_catch_up()
    with django_assert_num_queries(queries):
        few = client.get(url(acme))
    add(90)
    answer_days_catch_up()
    with django_assert_num_queries(queries):
        many = client.get(url(acme))

    assert few.context["page"].csat.whole < many.context["page"].csat.whole
    assert len(many.context["page"].comments) == 20
    assert math.isclose(
        many.context["page"].csat.percent,
        metrics.csat(answers_of(acme, *PERIOD)).percent,
        abs_tol=1e-9,
    )
    assert len(many.context["page"].questions) == 3
    assert many.context["page"].questions[0].kind == QuestionKind.CES
