"""The NPS dashboard: every figure is ``surveys.metrics``' for the same filter, and the table
worked out by hand; who may read it; what the filters do; bad filters; its query count.

Acme Motor and Acme Rent customers answered through the real services. Today is Friday
20 November 2026 (noon in Athens, Acme's time zone): the default period is the 90 days from
Sunday 23 August, compared with the 90 days before (25 May – 22 August).

    days ago  brand  touchpoint  score  comment                  performer
    current period
      1       Motor  phone        10    "Quick and kind."        Bob (north branch)
      2       Motor  shop          9                             Sara (south branch)
      3       Rent   shop         10
      5       Rent   —             6    "Car was dirty."
     10       Motor  phone         9
     20       Motor  shop          8    "Fine, a bit slow."
     30       Rent   phone         5                             Bob (north branch)
     40       Motor  phone         3    "Nobody called back."    (a complaint by phone)
     60       Rent   shop          2
    previous period
    100, 110, 120   Motor  —   2, 3, 9
    130, 140        Rent   —   10, 10
    outside both: 200 days ago, Motor 10. Globex: two 0s this week.
"""

import math
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from complaints.lifecycle import State
from complaints.models import Category, Channel
from surveys import metrics
from surveys.models import Answer
from surveys.rollups.services import answer_days_catch_up
from tenants.models import Department, Role
from tenants.permissions import ROLE_ACTIONS, Action
from tests.dashboards.nps_fixtures import answered, nps_survey
from tests.factories import BrandFactory, TouchpointFactory, make_member

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
PERIOD = (date(2026, 8, 23), date(2026, 11, 20))
PREVIOUS = (date(2026, 5, 25), date(2026, 8, 22))
ATHENS = ZoneInfo("Europe/Athens")


def url(tenant, **query) -> str:
    path = reverse("dashboard-nps", kwargs={"tenant_slug": tenant.slug})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def direct(tenant, start: date, end: date, **filters) -> metrics.Nps:
    """``metrics.nps`` called directly over the answers submitted from ``start`` to ``end``
    (days in Athens), narrowed by ``filters`` on the answers."""
    first = datetime.combine(start, time(), ATHENS)
    after = datetime.combine(end + timedelta(days=1), time(), ATHENS)
    return metrics.nps(
        Answer.objects.for_tenant(tenant).filter(
            response__submitted_at__gte=first, response__submitted_at__lt=after, **filters
        )
    )


def counts(nps: metrics.Nps) -> tuple:
    return (nps.answered, nps.promoters, nps.passives, nps.detractors)


@pytest.fixture
def world(
    clock, acme, acme_brand, acme_setup, acme_agent, acme_south_agent, globex, globex_brand,
    complaint_in,
):  # fmt: skip
    clock(NOW)
    version = nps_survey(acme)
    rent = BrandFactory(tenant=acme, name="Acme Rent", reference_prefix="ARE")
    phone = TouchpointFactory(tenant=acme, name="Phone line")
    shop = TouchpointFactory(tenant=acme, name="Shop")
    by_phone = complaint_in(State.CLOSED, channel=Channel.PHONE)

    def answer(brand, score, days, **fields):
        return answered(brand, version, score, when=NOW - timedelta(days=days), **fields)

    motor = acme_brand
    answer(motor, 10, 1, touchpoint=phone, comment="Quick and kind.", performer=acme_agent)
    answer(motor, 9, 2, touchpoint=shop, performer=acme_south_agent)
    answer(rent, 10, 3, touchpoint=shop)
    answer(rent, 6, 5, comment="Car was dirty.")
    answer(motor, 9, 10, touchpoint=phone)
    answer(motor, 8, 20, touchpoint=shop, comment="Fine, a bit slow.")
    answer(rent, 5, 30, touchpoint=phone, performer=acme_agent)
    answer(motor, 3, 40, touchpoint=phone, comment="Nobody called back.", complaint=by_phone)
    answer(rent, 2, 60, touchpoint=shop)
    for score, days in ((2, 100), (3, 110), (9, 120)):
        answer(motor, score, days)
    for score, days in ((10, 130), (10, 140)):
        answer(rent, score, days)
    answer(motor, 10, 200)
    globex_version = nps_survey(globex)
    for days in (1, 2):
        answered(globex_brand, globex_version, 0, when=NOW - timedelta(days=days))
    return {"motor": motor, "rent": rent, "phone": phone, "shop": shop}


def show(client, tenant, **query):
    response = client.get(url(tenant, **query))
    assert response.status_code == 200, response.content.decode()[:3000]
    return response.context["page"]


# --- every figure is the metrics module's, and the hand-computed table ------------------------


def test_the_headline_is_the_metrics_modules_nps_with_the_test_against_the_previous_period(
    client_of, acme, acme_manager, world
):
    page = show(client_of(acme_manager), acme)

    assert (page.period.start, page.period.end) == PERIOD
    assert (page.compared_period.start, page.compared_period.end) == PREVIOUS
    assert page.nps == direct(acme, *PERIOD)
    assert page.previous == direct(acme, *PREVIOUS)
    assert page.difference == metrics.nps_difference(page.nps, page.previous)
    # By hand: 4 promoters (10, 9, 10, 9), 1 passive, 4 detractors (6, 5, 3, 2) of 9: NPS 0;
    # variance 8/9, SE = 100 · √(8/81) = 31.43, margin 61.6.
    assert counts(page.nps) == (9, 4, 1, 4)
    assert (page.nps.score, round(page.nps.margin_of_error, 1)) == (0.0, 61.6)
    # Before: 3 promoters, 2 detractors of 5: +20, SE = 100 · √(0.96 / 5) = 43.82.
    assert (counts(page.previous), page.previous.score) == ((5, 3, 0, 2), 20.0)
    # −20 with SE_D = √(31.43² + 43.82²) = 53.92: z = −0.371, p = 0.711, within the noise.
    assert round(page.difference.difference, 6) == -20.0
    assert (round(page.difference.z, 3), round(page.difference.p_value, 3)) == (-0.371, 0.711)
    assert page.difference.is_significant is False
    # Shares of the answered: 4/9, 1/9, 4/9.
    assert [(b.band, b.share.part, round(b.share.percent, 1)) for b in page.bands] == [
        ("detractor", 4, 44.4),
        ("passive", 1, 11.1),
        ("promoter", 4, 44.4),
    ]
    html = page_html(client_of(acme_manager), acme)
    assert re.search(r'id="nps-score">0 <small class="muted">± 62</small>', html)
    assert re.search(r'id="nps-change">-20 <span class="badge">within the noise</span>', html)


def page_html(client, tenant, **query) -> str:
    return client.get(url(tenant, **query)).content.decode()


def test_the_trend_by_week_is_the_metrics_modules_nps_of_each_week(
    client_of, acme, acme_manager, world
):
    page = show(client_of(acme_manager), acme)

    assert page.trend_unit == "week"
    assert len(page.trend) == 14  # 23 August (a Sunday) to 20 November: 14 weeks touched
    for point in page.trend:
        assert point.nps == direct(acme, point.period.start, point.period.end), point.period
    by_week = {(p.period.start, p.period.end): counts(p.nps) for p in page.trend if p.nps.answered}
    assert by_week == {
        (date(2026, 9, 21), date(2026, 9, 27)): (1, 0, 0, 1),  # 60 days ago: 2
        (date(2026, 10, 5), date(2026, 10, 11)): (1, 0, 0, 1),  # 40: 3
        (date(2026, 10, 19), date(2026, 10, 25)): (1, 0, 0, 1),  # 30: 5
        (date(2026, 10, 26), date(2026, 11, 1)): (1, 0, 1, 0),  # 20: 8
        (date(2026, 11, 9), date(2026, 11, 15)): (2, 1, 0, 1),  # 10 and 5: 9, 6
        (date(2026, 11, 16), date(2026, 11, 20)): (3, 3, 0, 0),  # 3, 2, 1: 10, 9, 10
    }


def test_a_year_is_drawn_by_month_as_the_metrics_module_groups_it(
    client_of, acme, acme_manager, world
):
    page = show(client_of(acme_manager), acme, start="2025-12-01", end="2026-11-30")

    assert page.trend_unit == "month"
    by_month = metrics.nps_by(
        Answer.objects.for_tenant(acme).filter(
            response__submitted_at__gte=datetime(2025, 12, 1, tzinfo=ATHENS),
            response__submitted_at__lt=datetime(2026, 12, 1, tzinfo=ATHENS),
        ),
        "month",
        zone=ATHENS,
    )
    assert {p.period.start: p.nps for p in page.trend if p.nps.answered} == {
        key.astimezone(ATHENS).date(): nps for key, nps in by_month.items()
    }
    assert len(page.trend) == 12
    assert page.nps.answered == 15  # every answer of Acme's, the one of 4 May too


def test_by_brand_sorted_with_n_and_a_significant_fall_marked(client_of, acme, acme_manager, world):
    page = show(client_of(acme_manager), acme)

    motor, rent = world["motor"], world["rent"]
    assert [(g.name, g.key) for g in page.by_brand] == [
        ("Acme Motor", motor.pk),
        ("Acme Rent", rent.pk),
    ]
    by_brand = {g.key: g for g in page.by_brand}
    for brand in (motor, rent):
        group = by_brand[brand.pk]
        assert group.nps == direct(acme, *PERIOD, response__interaction__brand=brand)
        assert group.previous == direct(acme, *PREVIOUS, response__interaction__brand=brand)
        assert group.difference == metrics.nps_difference(group.nps, group.previous)
    # Motor: 3 promoters, 1 passive, 1 detractor of 5 = +40, before 1 of 3 against 2 = −33.3:
    # z = 73.3 / √(35.78² + 54.43²) = 1.13, p = 0.26 — not significant.
    assert (counts(by_brand[motor.pk].nps), by_brand[motor.pk].nps.score) == ((5, 3, 1, 1), 40.0)
    assert round(by_brand[motor.pk].difference.p_value, 2) == 0.26
    assert by_brand[motor.pk].difference.is_significant is False
    # Rent: 1 promoter, 3 detractors of 4 = −50 (SE 43.30), before 10 and 10 = +100 (no
    # spread): z = −150 / 43.30 = −3.46, p = 0.0005 — a significant fall.
    rent_row = by_brand[rent.pk]
    assert (counts(rent_row.nps), rent_row.nps.score, rent_row.previous.score) == (
        (4, 1, 0, 3),
        -50.0,
        100.0,
    )
    assert round(rent_row.difference.z, 2) == -3.46
    assert rent_row.difference.is_significant is True
    figure = client_of(acme_manager).get(url(acme)).context["figures"]["brands"]
    assert figure["data"][0]["y"] == ["Acme Motor", "Acme Rent ▼"]
    assert [n for _margin, n in figure["data"][0]["customdata"]] == [5, 4]


def test_by_touchpoint_sorted_with_the_answers_without_one_apart(
    client_of, acme, acme_manager, world
):
    page = show(client_of(acme_manager), acme)

    phone, shop = world["phone"], world["shop"]
    rows = [(g.name, counts(g.nps), g.nps.score) for g in page.by_touchpoint]
    # Shop: 9, 8, 10, 2 = +25; phone: 10, 9, 3, 5 = 0; none: 6 = −100.
    assert rows == [
        ("Shop", (4, 2, 1, 1), 25.0),
        ("Phone line", (4, 2, 0, 2), 0.0),
        ("No touchpoint", (1, 0, 0, 1), -100.0),
    ]
    for group, touchpoint in zip(page.by_touchpoint, (shop, phone, None), strict=True):
        assert group.key == (touchpoint.pk if touchpoint else None)
        filters = {"response__interaction__touchpoint": touchpoint}
        assert group.nps == direct(acme, *PERIOD, **filters)
    # Before, every answer was without a touchpoint: nothing to test the two against.
    assert [g.difference.p_value for g in page.by_touchpoint[:2]] == [None, None]


def test_the_distribution_is_the_metrics_modules(client_of, acme, acme_manager, world):
    page = show(client_of(acme_manager), acme)

    first = datetime.combine(PERIOD[0], time(), ATHENS)
    answers = Answer.objects.for_tenant(acme).filter(response__submitted_at__gte=first)
    assert page.distribution == metrics.nps_distribution(answers)
    assert page.distribution == {
        **dict.fromkeys(range(11), 0),
        10: 2,
        9: 2,
        8: 1,
        6: 1,
        5: 1,
        3: 1,
        2: 1,
    }
    detractors, passives, promoters = (
        client_of(acme_manager).get(url(acme)).context["figures"]["distribution"]["data"]
    )
    assert detractors["y"] == [0, 0, 1, 1, 0, 1, 1]
    assert (passives["y"], promoters["y"]) == ([0, 1], [2, 2])


def test_the_latest_comments_by_band_link_to_the_response_and_its_follow_up(
    client_of, acme, acme_manager, world
):
    client = client_of(acme_manager)

    every = show(client, acme).comments
    detractors = show(client, acme, band="detractor").comments
    passives = show(client, acme, band="passive").comments
    promoters = show(client, acme, band="promoter").comments

    assert [(c.text, c.score, c.band) for c in every] == [
        ("Quick and kind.", 10, "high"),
        ("Car was dirty.", 6, "low"),
        ("Fine, a bit slow.", 8, "middle"),
        ("Nobody called back.", 3, "low"),
    ]
    assert [c.text for c in detractors] == ["Car was dirty.", "Nobody called back."]
    assert [c.text for c in passives] == ["Fine, a bit slow."]
    assert [c.text for c in promoters] == ["Quick and kind."]
    # A critic who left a comment has a follow-up: both are linked.
    dirty = detractors[0]
    assert (dirty.brand, dirty.touchpoint, dirty.follow_up_status) == ("Acme Rent", None, "Open")
    html = page_html(client, acme, band="detractor")
    response_url = reverse(
        "response-detail", kwargs={"tenant_slug": "acme", "response_id": dirty.response_id}
    )
    follow_up_url = reverse(
        "follow-up-detail", kwargs={"tenant_slug": "acme", "follow_up_id": dirty.follow_up_id}
    )
    assert f'href="{response_url}"' in html
    assert f'href="{follow_up_url}"' in html
    assert every[0].follow_up_id is None  # praise is read, not called back
    # The figures do not move with the comments' band.
    assert show(client, acme, band="promoter").nps == show(client, acme).nps


def test_without_a_comparison_there_is_no_previous_figure(client_of, acme, acme_manager, world):
    page = show(client_of(acme_manager), acme, compare="none")

    assert (page.compared_period, page.previous, page.difference) == (None, None, None)
    assert [g.previous for g in page.by_brand] == [None, None]
    assert page.nps == direct(acme, *PERIOD)


# --- the filters -------------------------------------------------------------------------------


def filter_cases(world, acme) -> dict:
    """Filter → (the query string, the same rows as a filter on the answers, the answered,
    promoters, passives and detractors it leaves of the period)."""
    department = {d.code: d for d in Department.objects.for_tenant(acme)}
    claims = Category.objects.for_tenant(acme).get(code="claims")
    rent, shop, motor, phone = world["rent"], world["shop"], world["motor"], world["phone"]
    on = "response__interaction__"
    return {
        "brand": ({"brand": rent.pk}, {f"{on}brand": rent}, (4, 1, 0, 3)),
        "touchpoint": ({"touchpoint": shop.pk}, {f"{on}touchpoint": shop}, (4, 2, 1, 1)),
        # The north region holds Bob's north branch: his 10 and 5.
        "department": (
            {"department": department["north"].pk},
            {f"{on}performer__department": department["north-branch"]},
            (2, 1, 0, 1),
        ),
        # The head office holds every department: Bob's two and Sara's 9.
        "department-tree": (
            {"department": department["head-office"].pk},
            {f"{on}performer__isnull": False},
            (3, 2, 0, 1),
        ),
        # The 3 about a complaint received by phone, of the claims category.
        "channel": ({"channel": "phone"}, {f"{on}complaint__channel": "phone"}, (1, 0, 0, 1)),
        "no-channel": (
            {"channel": "web_form"},
            {f"{on}complaint__channel": "web_form"},
            (0, 0, 0, 0),
        ),
        "category": ({"category": claims.pk}, {f"{on}complaint__category": claims}, (1, 0, 0, 1)),
        "brand-and-touchpoint": (
            {"brand": motor.pk, "touchpoint": phone.pk},
            {f"{on}brand": motor, f"{on}touchpoint": phone},
            (3, 2, 0, 1),
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "brand",
        "touchpoint",
        "department",
        "department-tree",
        "channel",
        "no-channel",
        "category",
        "brand-and-touchpoint",
    ],
)
def test_each_filter_narrows_every_figure_as_the_metrics_module_does(
    client_of, acme, acme_manager, world, case
):
    query, answer_filter, expected = filter_cases(world, acme)[case]

    page = show(client_of(acme_manager), acme, **query)

    assert page.nps == direct(acme, *PERIOD, **answer_filter)
    assert counts(page.nps) == expected
    assert page.previous == direct(acme, *PREVIOUS, **answer_filter)
    assert sum(page.distribution.values()) == expected[0]
    assert sum(g.nps.answered for g in page.by_brand) == expected[0]
    assert sum(p.nps.answered for p in page.trend) == expected[0]


def test_a_chart_links_to_the_response_browser_showing_the_same_responses(
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
    assert browser.context["figures"].nps == dashboard.context["page"].nps
    # A band's link: its responses (the response browser's band, "low" for detractors).
    detractors = client.get(links["bands"]["detractor"])
    assert "band=low" in links["bands"]["detractor"]
    assert len(detractors.context["page"].rows) == 3
    # A week's link: that week's days.
    last_week = dashboard.context["page"].trend[-1]
    assert links["trend"][-1].endswith(
        f"?submitted_from=2026-11-16&submitted_to=2026-11-20&brand={rent.pk}"
    )
    assert client.get(links["trend"][-1]).context["figures"].nps == last_week.nps
    # A filter the response browser does not take is named beside the link.
    north = Department.objects.for_tenant(acme).get(code="north")
    html = page_html(client, acme, department=north.pk)
    assert "The response browser cannot narrow by: Department; it shows the other filters." in html


def test_the_default_period_ends_today_in_the_tenants_time_zone(
    client_of, acme, acme_manager, clock
):
    # 23:30 in Athens on 20 November is already the 21st there.
    clock(datetime(2026, 11, 20, 22, 30, tzinfo=UTC))

    page = show(client_of(acme_manager), acme)

    assert (page.period.start, page.period.end) == (date(2026, 8, 24), date(2026, 11, 21))
    assert page.nps.answered == 0
    html = page_html(client_of(acme_manager), acme)
    assert "No NPS answers in this period." in html
    assert 'data-figure="figure-trend"' not in html
    # The form shows the days it used.
    assert 'name="start" value="2026-08-24"' in html
    assert 'name="end" value="2026-11-21"' in html


def test_only_an_end_counts_the_default_length_back_from_it(client_of, acme, acme_manager, clock):
    clock(NOW)

    page = show(client_of(acme_manager), acme, end="2026-03-31")

    assert (page.period.start, page.period.end) == (date(2026, 1, 1), date(2026, 3, 31))


INVALID = "Select a valid choice. That choice is not one of the available choices."


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": "2026-02-30"}, "start", "Enter a valid date."),
        (
            {"start": "2026-11-20", "end": "2026-11-01"},
            "end",
            "This date is before the start of the range.",
        ),
        (
            {"start": "2020-01-01", "end": "2026-11-20"},
            "end",
            "A period is at most five years long.",
        ),
        (
            {"start": "1999-12-31", "end": "2000-01-31"},
            "start",
            "Choose a day from 1 January 2000 on.",
        ),
        ({"brand": "987654321"}, "brand", INVALID),
        ({"touchpoint": "shop"}, "touchpoint", INVALID),
        (
            {"compare": "last-year"},
            "compare",
            "Select a valid choice. last-year is not one of the available choices.",
        ),
        (
            {"band": "angry"},
            "band",
            "Select a valid choice. angry is not one of the available choices.",
        ),
    ],
    ids=["date", "reversed", "too-long", "too-early", "brand", "touchpoint", "compare", "band"],
)
def test_a_bad_filter_answers_400_with_the_message_on_its_field(
    client_of, acme, acme_manager, clock, query, field, message
):
    clock(NOW)

    response = client_of(acme_manager).get(url(acme, **query))

    assert response.status_code == 400
    assert response.context["filters"].form.errors == {field: [message]}
    assert "page" not in response.context
    html = response.content.decode()
    assert "These filters could not be used, so no figure is shown." in html
    assert message.replace("'", "&#x27;") in html
    assert "figure-trend" not in html


def test_another_tenants_brand_is_refused_like_one_that_does_not_exist(
    client_of, acme, acme_manager, world, globex_brand
):
    client = client_of(acme_manager)

    foreign = client.get(url(acme, brand=globex_brand.pk))
    missing = client.get(url(acme, brand=987654321))

    assert foreign.status_code == missing.status_code == 400
    assert foreign.context["filters"].form.errors == missing.context["filters"].form.errors
    assert "Globex" not in foreign.content.decode()


def test_the_page_allows_plotly_its_styles_and_runs_no_inline_script(
    client_of, acme, acme_manager, world, settings
):
    response = client_of(acme_manager).get(url(acme))

    header = response["Content-Security-Policy"]
    policy = dict(part.strip().split(" ", 1) for part in header.split(";"))
    assert "unsafe-inline" not in header
    assert policy["script-src"] == "'self'"
    assert policy["style-src"].split() == ["'self'", *settings.CHART_PAGE_CSP["style-src"]]
    body = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", body)
    # Code only from files; the figures are data (json_script).
    assert {attributes for attributes in scripts if "src=" not in attributes} == {
        f' id="figure-{key}" type="application/json"'
        for key in ("trend", "brands", "touchpoints", "distribution")
    }
    assert '<script src="/static/vendor/plotly.min.js" defer>' in body
    assert '<script src="/static/js/charts.js" defer>' in body
    assert " style=" not in body


# --- who may read it ---------------------------------------------------------------------------


def test_an_analyst_reads_the_same_figures(client_of, acme, acme_manager, acme_analyst, world):
    analyst = show(client_of(acme_analyst), acme)

    assert analyst.nps == direct(acme, *PERIOD)
    assert counts(analyst.nps) == (9, 4, 1, 4)


@pytest.mark.parametrize("persona", ["acme_performer", "acme_agent"])
def test_performers_and_agents_see_no_dashboard(client_of, acme, persona, request, clock):
    clock(NOW)
    member = request.getfixturevalue(persona)

    response = client_of(member).get(url(acme))

    assert response.status_code == 403
    labels = [
        str(item["label"])
        for item in client_of(member)
        .get(reverse("home", kwargs={"tenant_slug": "acme"}))
        .context["navigation"]
    ]
    assert "Dashboards" not in labels


def test_the_navigation_leads_managers_and_analysts_to_it(client_of, acme_manager, acme_analyst):
    for member in (acme_manager, acme_analyst):
        home = client_of(member).get(reverse("home", kwargs={"tenant_slug": "acme"}))
        items = {str(item["label"]): item["url"] for item in home.context["navigation"]}
        assert items["Dashboards"] == "/acme/dashboards/nps/"


def test_another_workspace_is_a_404(client_of, acme, globex_agent, clock):
    clock(NOW)

    assert client_of(globex_agent).get(url(acme)).status_code == 404


def test_another_tenants_answers_never_appear(client_of, acme, globex, world):
    globex_manager = make_member(globex, "gina", Role.MANAGER, "hq")

    globex_page = show(client_of(globex_manager), globex)

    # Globex's two 0s this week, and nothing of Acme's.
    assert counts(globex_page.nps) == (2, 0, 0, 2)
    assert [g.name for g in globex_page.by_brand] == ["Globex Road"]
    assert [c.text for c in globex_page.comments] == []


def test_a_manager_sees_the_survey_data_the_response_browser_shows_them(
    client_of, acme, acme_manager, world
):
    # Managers may see every department's survey data (SEE_ALL_SURVEY_DATA), as in the response
    # browser: Sara's answer in the south branch counts for Mario of the north region.
    client = client_of(acme_manager)

    page = show(client, acme)
    browser = client.get(client.get(url(acme)).context["links"]["all"])

    assert page.nps == browser.context["figures"].nps == direct(acme, *PERIOD)


def test_a_member_without_every_departments_survey_data_sees_their_subtree(
    client_of, acme, acme_manager, world, monkeypatch
):
    # Were a manager's role to lose SEE_ALL_SURVEY_DATA, they would see their subtree's answers
    # only: those of the performers of the north region (Bob's 10 and 5), in every figure.
    monkeypatch.setitem(
        ROLE_ACTIONS, Role.MANAGER, ROLE_ACTIONS[Role.MANAGER] - {Action.SEE_ALL_SURVEY_DATA}
    )
    north = Department.objects.for_tenant(acme).get(code="north")
    client = client_of(acme_manager)

    page = show(client, acme)

    in_north = {"response__interaction__performer__department__path__startswith": north.path}
    assert page.nps == direct(acme, *PERIOD, **in_north)
    assert counts(page.nps) == (2, 1, 0, 1)
    assert sum(page.distribution.values()) == 2
    assert [c.text for c in page.comments] == ["Quick and kind."]
    # The department filter offers their subtree only; the south is no choice.
    south = Department.objects.for_tenant(acme).get(code="south")
    refused = client.get(url(acme, department=south.pk))
    assert refused.status_code == 400


# --- a fixed number of queries ----------------------------------------------------------------


def test_the_page_costs_the_same_queries_for_10_or_100_responses(
    client_of, acme, acme_brand, acme_manager, clock, django_assert_num_queries
):
    clock(NOW)
    version = nps_survey(acme)
    phone = TouchpointFactory(tenant=acme, name="Phone line")
    client = client_of(acme_manager)
    client.get(url(acme))  # warm the session

    def add(number):
        for n in range(number):
            answered(
                acme_brand,
                version,
                n % 11,
                when=NOW - timedelta(days=n % 170),
                comment=f"Comment {n}" if n % 2 else "",
                touchpoint=phone if n % 3 else None,
            )

    # The workspace (4); the brand, touchpoint, department and category choices (4); the
    # NPS of the period and the previous one (2); by week (1); by brand and touchpoint, now
    # and before (4); the brands' and touchpoints' names (2); the scores 0–10 (1); comments (1);
    # the rollup's due days, none once the beat's catch-up has run (1).
    queries = 4 + 4 + 2 + 1 + 4 + 2 + 1 + 1 + 1
    add(10)
    answer_days_catch_up()
    with django_assert_num_queries(queries):
        few = client.get(url(acme))
    add(90)
    answer_days_catch_up()
    with django_assert_num_queries(queries):
        many = client.get(url(acme))

    assert few.context["page"].nps.answered < many.context["page"].nps.answered
    assert len(many.context["page"].comments) == 20
    assert math.isclose(many.context["page"].nps.score, direct(acme, *PERIOD).score, abs_tol=1e-9)
