"""The norms' calibration (``ratings.calibration``, ``ratings.charts``, its settings page), against
numbers worked out by hand.

Percentiles interpolate linearly between the closest ranks: sorted x₀ … xₙ₋₁, rank
h = (n − 1)·p/100, value x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋). The proposal is floor = 10th,
target = 90th (swapped where lower is better), none below 5 values.

The default scheme: CSAT norm 3.0 → 4.5, SLA 50 → 95 %, median resolution 120 → 24 working
hours, reopened 20 → 0 %, follow-ups 50 → 100 %; at least 5 answers and 3 cases.
"""

import base64
import hashlib
import json
import re
from dataclasses import asdict
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ratings import formula
from ratings.calibration import (
    Calibration,
    calibration_sample,
    calibrations,
    percentile,
    proposal,
)
from ratings.charts import (
    BARS,
    FLOOR,
    MEDIAN,
    TARGET,
    Bin,
    calibration_figure,
    count_step,
    histogram_bins,
)
from ratings.models import Rating, RatingScheme
from ratings.schemes import scheme_version_add
from ratings.services import formula_scheme, period_for, scheme_current
from tenants.models import AuditEntry, Department, Role
from tests.factories import make_member

CUSTOMER, SLA, HOURS, REOPEN, FOLLOW_UPS = (kind.key for kind in formula.COMPONENTS)
KINDS = formula.COMPONENT_KINDS
NOW = datetime(2026, 9, 10, 9, 0, tzinfo=UTC)  # Acme's 10 September 2026, noon in Athens


# --- percentiles and proposals (no database) ------------------------------------------------------


def test_a_percentile_interpolates_between_the_closest_ranks():
    values = [7, 1, 10, 4, 2, 9, 3, 8, 6, 5]  # 1 … 10, in any order

    # rank 0.9 → 1 + 0.9 × (2 − 1); rank 4.5 → 5.5; rank 8.1 → 9 + 0.1 × (10 − 9)
    assert percentile(values, 10) == pytest.approx(1.9)
    assert percentile(values, 50) == pytest.approx(5.5)
    assert percentile(values, 90) == pytest.approx(9.1)
    assert (percentile(values, 0), percentile(values, 100)) == (1, 10)
    assert percentile([42.5], 90) == 42.5
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_the_proposal_puts_the_floor_at_the_10th_percentile_and_the_target_at_the_90th():
    # n = 6: the 10th percentile at rank 0.5 (45), the 90th at rank 4.5 (85).
    assert proposal([90, 40, 60, 50, 80, 70], KINDS[SLA], decimals=1) == formula.Norm(45, 85)
    # CSAT, 2 decimals: rank 0.4 → 3.1 + 0.4 × 0.3 = 3.22; rank 3.6 → 4.0 + 0.6 × 0.6 = 4.36.
    assert proposal([3.1, 3.4, 3.45, 4.0, 4.6], KINDS[CUSTOMER], decimals=2) == formula.Norm(
        3.22, 4.36
    )


def test_where_lower_is_better_the_floor_is_the_90th_percentile():
    # Resolution hours: rank 0.4 → 10 + 0.4 × 10 = 14; rank 3.6 → 40 + 0.6 × 60 = 76.
    hours = [10, 20, 30, 40, 100]

    assert proposal(hours, KINDS[HOURS], decimals=1) == formula.Norm(floor=76, target=14)


def test_no_proposal_from_too_few_values_or_values_that_do_not_spread():
    assert proposal([10, 20, 30, 40], KINDS[SLA], decimals=1) is None  # 4 < 5
    assert proposal([10, 20, 30, 40, 50], KINDS[SLA], decimals=1) == formula.Norm(14, 46)
    assert proposal([100] * 8, KINDS[FOLLOW_UPS], decimals=1) is None
    # 4.001 and 4.004 are both 4.0 at one decimal
    assert proposal([4.001, 4.002, 4.003, 4.004, 4.004], KINDS[SLA], decimals=1) is None


def test_calibrations_give_each_component_its_numbers_current_norm_and_proposal():
    norms = {CUSTOMER: [-20, 60], SLA: [50, 95], HOURS: [120, 24], REOPEN: [20, 0],
             FOLLOW_UPS: [50, 100]}  # fmt: skip

    found = calibrations(
        {SLA: [100, 50, 90, 60, 80, 70], CUSTOMER: [12.6, 30.2, -5.5, 44.4, 20.0]},
        norms=norms,
        customer_score_kind="nps",
    )

    assert [each.kind.key for each in found] == [CUSTOMER, SLA, HOURS, REOPEN, FOLLOW_UPS]
    customer, sla, hours = found[:3]
    # NPS proposals are whole numbers: rank 0.4 → −5.5 + 0.4 × 18.1 = 1.74 → 2;
    # rank 3.6 → 30.2 + 0.6 × 14.2 = 38.72 → 39.
    assert (customer.proposed, customer.decimals) == (formula.Norm(2, 39), 0)
    assert (sla.values, sla.count, sla.decimals) == ([50, 60, 70, 80, 90, 100], 6, 1)
    assert (sla.p10, sla.p50, sla.p90) == pytest.approx((55, 75, 95))
    assert (sla.current, sla.proposed) == (formula.Norm(50, 95), formula.Norm(55, 95))
    assert (hours.values, hours.p10, hours.p50, hours.proposed) == ([], None, None, None)
    assert hours.current == formula.Norm(120, 24)


# --- the figure (no database) ---------------------------------------------------------------------


def test_the_bins_are_round_half_open_and_cover_every_value():
    # range 1.5 over about 10 bins: 0.15, rounded up to 0.2; from 3.0 (a multiple at or below 3.1)
    assert histogram_bins([3.1, 3.4, 3.45, 4.0, 4.6]) == [
        Bin(3.0, 3.2, 1),
        Bin(3.2, 3.4, 0),
        Bin(3.4, 3.6, 2),  # 3.4 is in [3.4, 3.6)
        Bin(3.6, 3.8, 0),
        Bin(3.8, 4.0, 0),
        Bin(4.0, 4.2, 1),
        Bin(4.2, 4.4, 0),
        Bin(4.4, 4.6, 0),
        Bin(4.6, 4.8, 1),
    ]
    # range 104: 10.4, rounded up to 20; from 0
    assert histogram_bins([16, 24, 120]) == [
        Bin(0, 20, 1),
        Bin(20, 40, 1),
        *[Bin(low, low + 20, 0) for low in range(40, 120, 20)],
        Bin(120, 140, 1),
    ]
    assert histogram_bins([100, 100, 100]) == [Bin(100, 110, 3)]
    assert histogram_bins([4.5]) == [Bin(4, 5, 1)]
    assert histogram_bins([]) == []


def _calibration(key, values, current, proposed, p50):
    return Calibration(
        kind=KINDS[key],
        values=values,
        current=formula.Norm(*current),
        proposed=formula.Norm(*proposed) if proposed else None,
        p10=None,
        p50=p50,
        p90=None,
        decimals=1,
    )


def test_the_figure_is_a_histogram_with_lines_at_the_norms_and_the_median():
    hours = _calibration(HOURS, [16, 24, 32, 40, 48, 120], (120, 24), (84, 20), 36)

    figure = calibration_figure(hours, axis_title="Working hours")

    assert json.loads(json.dumps(figure)) == figure  # plain JSON, for json_script
    (trace,) = figure["data"]
    assert trace["type"] == "histogram"
    assert trace["x"] == [16, 24, 32, 40, 48, 120]
    # The bins of the table: width 20 (range 104 over about 10 → 10.4 → 20) from 0 to 140.
    assert trace["xbins"] == {"start": 0, "end": 140, "size": 20}
    assert trace["marker"]["color"] == BARS
    layout = figure["layout"]
    assert layout["xaxis"]["title"]["text"] == "Working hours"
    lines = [(s["name"], s["x0"], s["x1"], s["line"]["color"], s["line"]["dash"])
             for s in layout["shapes"]]  # fmt: skip
    assert lines == [
        ("Floor now", 120, 120, FLOOR, "solid"),
        ("Target now", 24, 24, TARGET, "solid"),
        ("Proposed floor", 84, 84, FLOOR, "dash"),
        ("Proposed target", 20, 20, TARGET, "dash"),
        ("Median", 36, 36, MEDIAN, "dot"),
    ]
    assert all(s["yref"] == "paper" and (s["y0"], s["y1"]) == (0, 1) for s in layout["shapes"])
    assert layout["yaxis"]["dtick"] == 1  # counts of 1 and 2: a tick per rating


def test_the_count_axis_ticks_whole_numbers_about_five_times():
    fullest = [1, 5, 6, 11, 40, 120]

    steps = [count_step([Bin(0, 1, 0), Bin(1, 2, n)]) for n in fullest]

    assert steps == [1, 1, 2, 5, 10, 50]
    assert count_step([]) == 1


def test_without_a_proposal_or_values_the_figure_marks_only_the_norm_now():
    figure = calibration_figure(_calibration(FOLLOW_UPS, [], (50, 100), None, None), axis_title="%")

    assert "xbins" not in figure["data"][0]
    assert figure["data"][0]["x"] == []
    assert [shape["name"] for shape in figure["layout"]["shapes"]] == ["Floor now", "Target now"]


# --- plotly.js, served from our origin ------------------------------------------------------------


def test_plotly_js_is_one_static_file_from_the_installed_package():
    found = finders.find("vendor/plotly.min.js")

    assert found.endswith("plotly/package_data/plotly.min.js")
    # Only that file: the package's data sets and templates are not served.
    assert finders.find("vendor/widgetbundle.js") in (None, [])
    assert finders.find("vendor/templates/plotly.json") in (None, [])


def test_the_chart_pages_policy_allows_exactly_the_styles_plotly_js_writes():
    """plotly.js creates two <style> elements: an empty one, and maplibre's stylesheet, whose
    hash changes with plotly's version (then put the hash below into CHART_PAGE_CSP)."""
    source = Path(finders.find("vendor/plotly.min.js")).read_text(encoding="utf-8")
    assert source.count('createElement("style")') == 2
    (css,) = re.findall(r"e\.textContent='([^'\\]*)',document\.head\.appendChild\(e\)", source)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    empty = base64.b64encode(hashlib.sha256(b"").digest()).decode()

    allowed = settings.CHART_PAGE_CSP

    assert allowed == {"style-src": [f"'sha256-{empty}'", f"'sha256-{digest}'"]}


# --- the values, from stored ratings --------------------------------------------------------------


def stored(period, components: dict, *, performer=None, department=None, scheme=None):
    """A stored rating in ``period`` with ``components`` (``{key: (raw, count)}``), scored as
    ``ratings.services`` scores them."""
    scheme = scheme or scheme_current(period.tenant_id)
    scored = formula.components_scored(components, formula_scheme(scheme))
    return Rating.objects.for_tenant(period.tenant_id).create(
        tenant_id=period.tenant_id,
        period=period,
        performer=performer,
        department=department,
        scheme=scheme,
        value=formula.rating_of(scored),
        components=[asdict(each) for each in scored],
        computed_at=NOW,
    )


def month(tenant, number: int):
    return period_for(tenant, "month", date(2026, number, 1))


def test_the_sample_holds_the_performers_values_that_had_enough_data_in_the_last_periods(
    acme, globex, acme_admin, acme_performer, acme_agent, acme_south_agent, globex_agent,
    django_assert_num_queries,
):  # fmt: skip
    csat = scheme_current(acme.pk)  # v1, CSAT, at least 5 answers and 3 cases
    nps = scheme_version_add(actor=acme_admin, customer_score_kind="nps")
    scheme_version_add(actor=acme_admin, customer_score_kind="csat")  # v3, the current one
    pete, bob, sara = acme_performer, acme_agent, acme_south_agent
    stored(month(acme, 4), {SLA: (80.0, 4)}, performer=pete, scheme=csat)
    stored(month(acme, 5), {HOURS: (30.5, 4), CUSTOMER: (4.2, 5)}, performer=pete, scheme=csat)
    stored(month(acme, 6), {CUSTOMER: (3.9, 4)}, performer=pete, scheme=csat)  # 4 < 5 answers
    stored(month(acme, 8), {SLA: (100.0, 2)}, performer=pete, scheme=csat)  # 2 < 3 cases
    stored(month(acme, 9), {SLA: (60.0, 3)}, performer=pete, scheme=csat)  # 3: enough
    stored(month(acme, 7), {REOPEN: (12.5, 8), SLA: (75.0, 8)}, performer=bob, scheme=csat)
    # An NPS score is on another scale than the CSAT norm now; its other components count.
    stored(month(acme, 6), {CUSTOMER: (40.0, 9), SLA: (90.0, 9)}, performer=sara, scheme=nps)
    # Not counted: a department's rating, the 7th month back, a month not begun, a quarter,
    # another tenant.
    north = Department.objects.for_tenant(acme).get(code="north-branch")
    stored(month(acme, 7), {SLA: (77.0, 12)}, department=north, scheme=csat)
    stored(month(acme, 3), {SLA: (10.0, 5)}, performer=pete, scheme=csat)
    stored(month(acme, 10), {SLA: (99.0, 5)}, performer=pete, scheme=csat)
    quarter = period_for(acme, "quarter", date(2026, 7, 1))
    stored(quarter, {SLA: (55.0, 9)}, performer=pete, scheme=csat)
    stored(month(globex, 9), {SLA: (1.0, 9)}, performer=globex_agent)
    current = scheme_current(acme.pk)

    with django_assert_num_queries(2):
        sample = calibration_sample(
            tenant_id=acme.pk, scheme=current, kind="month", periods=6, today=date(2026, 9, 10)
        )

    assert [period.start for period in sample.periods] == [
        date(2026, m, 1) for m in (9, 8, 7, 6, 5, 4)
    ]
    assert sample.values == {
        CUSTOMER: [4.2],
        SLA: [60.0, 75.0, 80.0, 90.0],
        HOURS: [30.5],
        REOPEN: [12.5],
        FOLLOW_UPS: [],
    }
    # Two periods back: September and August only.
    two = calibration_sample(
        tenant_id=acme.pk, scheme=current, kind="month", periods=2, today=date(2026, 9, 10)
    )
    assert two.values[SLA] == [60.0]
    quarters = calibration_sample(
        tenant_id=acme.pk, scheme=current, kind="quarter", periods=6, today=date(2026, 9, 10)
    )
    assert quarters.values[SLA] == [55.0]


# --- the page -------------------------------------------------------------------------------------

URL = "/acme/settings/ratings/calibration/"
SLA_VALUES = [50, 60, 70, 80, 90, 100]  # percentiles 10/50/90: 55, 75, 95
HOURS_VALUES = [16, 24, 32, 40, 48, 120]  # 20, 36, 84: proposed 84 → 20 (lower is better)


@pytest.fixture
def rated(acme, clock):
    """Six performers' September: SLA and resolution hours for all, a customer score for three
    (too few for a proposal), nobody reopened (no spread), no follow-ups."""
    clock(NOW)
    september = month(acme, 9)
    for n, (sla, hours) in enumerate(zip(SLA_VALUES, HOURS_VALUES, strict=True)):
        performer = make_member(acme, f"performer{n}", Role.PERFORMER, "north-branch")
        components = {SLA: (float(sla), 5), HOURS: (float(hours), 5), REOPEN: (0.0, 5)}
        if n < 3:
            components[CUSTOMER] = (3.5 + n / 2, 10)
        stored(september, components, performer=performer)
    return september


def figure_in(body: str, key: str) -> dict:
    found = re.search(
        rf'<script id="figure-{key}" type="application/json">(.*?)</script>', body, re.S
    )
    return json.loads(found.group(1))


def input_values(body: str) -> dict[str, str]:
    return {
        name: unescape(value)
        for name, value in re.findall(r'<input type="text" name="(\w+)" value="([^"]*)"', body)
    }


def test_a_manager_reads_the_distribution_and_the_proposal_but_cannot_adopt(
    rated, acme_manager, client_of
):
    client = client_of(acme_manager)

    response = client.get(URL)

    assert response.status_code == 200
    body = response.content.decode()
    sla = figure_in(body, SLA)
    assert sla["data"][0]["x"] == SLA_VALUES
    assert [shape["x0"] for shape in sla["layout"]["shapes"]] == [50, 95, 55, 95, 75]
    hours = figure_in(body, HOURS)
    assert [shape["x0"] for shape in hours["layout"]["shapes"]] == [120, 24, 84, 20, 36]
    assert 'id="figure-follow_ups_in_time"' not in body  # no values, no chart
    assert "No performer had enough data for this component in these periods." in body
    assert "No proposal: it needs at least 5 ratings." in body  # the customer score's 3
    assert "No proposal: the values do not spread." in body  # everybody reopened 0 %
    assert "Ratings of 1 period (Month), from " in body  # only September was computed
    # The form is prefilled with the proposals, else the norm now; the manager cannot send it.
    assert input_values(body) == {
        "floor_customer_score": "3",
        "target_customer_score": "4.5",
        "floor_sla_compliance": "55",
        "target_sla_compliance": "95",
        "floor_resolution_hours": "84",
        "target_resolution_hours": "20",
        "floor_reopen_rate": "20",
        "target_reopen_rate": "0",
        "floor_follow_ups_in_time": "50",
        "target_follow_ups_in_time": "100",
    }
    assert "<fieldset disabled>" in body
    assert "Adopt as a new version" not in body

    refused = client.post(URL, {"floor_sla_compliance": "55", "target_sla_compliance": "95"})

    assert refused.status_code == 403
    assert RatingScheme.objects.for_tenant(rated.tenant_id).count() == 1


def test_the_page_allows_plotly_its_styles_and_runs_no_inline_script(
    rated, acme_manager, client_of
):
    response = client_of(acme_manager).get(URL)

    header = response["Content-Security-Policy"]
    policy = dict(part.strip().split(" ", 1) for part in header.split(";"))
    assert "unsafe-inline" not in header
    assert policy["script-src"] == "'self'"
    assert policy["style-src"].split() == ["'self'", *settings.CHART_PAGE_CSP["style-src"]]
    body = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", body)
    # Code only from files; the figures are data (json_script).
    assert {attributes for attributes in scripts if "src=" not in attributes} == {
        f' id="figure-{key}" type="application/json"' for key in (CUSTOMER, SLA, HOURS, REOPEN)
    }
    assert '<script src="/static/vendor/plotly.min.js" defer>' in body
    assert '<script src="/static/js/charts.js" defer>' in body
    assert " style=" not in body


def test_the_admin_adopts_the_proposal_as_a_new_version(rated, acme_admin, client_of):
    client = client_of(acme_admin)
    form = input_values(client.get(URL).content.decode())

    response = client.post(f"{URL}?kind=month&periods=3", form)

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?kind=month&periods=3"
    scheme = scheme_current(rated.tenant_id)
    assert scheme.version == 2
    assert scheme.created_by == acme_admin
    assert scheme.norms == {
        CUSTOMER: [3, 4.5],
        SLA: [55, 95],
        HOURS: [84, 20],
        REOPEN: [20, 0],
        FOLLOW_UPS: [50, 100],
    }
    entry = AuditEntry.objects.for_tenant(rated.tenant_id).get(action="rating_scheme.changed")
    assert (entry.actor, entry.target_id) == (acme_admin.user, str(scheme.pk))
    assert entry.changes["norms"][1][SLA] == [55, 95]
    assert entry.changes["norms"][0][SLA] == [50, 95]
    page = client.get(response["Location"]).content.decode()
    assert "Norms version 2 adopted." in page


def test_the_admins_edit_of_the_proposal_is_adopted_as_typed(rated, acme_admin, client_of):
    client = client_of(acme_admin)
    form = input_values(client.get(URL).content.decode())

    client.post(URL, form | {"floor_sla_compliance": "60", "target_sla_compliance": "97.5"})

    assert scheme_current(rated.tenant_id).norms[SLA] == [60, 97.5]


def test_a_wrong_norm_is_shown_on_the_form_and_nothing_is_saved(rated, acme_admin, client_of):
    client = client_of(acme_admin)
    form = input_values(client.get(URL).content.decode())
    audits = AuditEntry.objects.for_tenant(rated.tenant_id).count()

    # Higher is better for SLA: a floor above the target is wrong; and hours are not a word.
    swapped = client.post(URL, form | {"floor_sla_compliance": "95", "target_sla_compliance": "55"})
    word = client.post(URL, form | {"target_resolution_hours": "fast"})

    assert swapped.status_code == 400
    body = swapped.content.decode()
    assert "The floor (0 %) must be below the target (100 %)." in body
    assert input_values(body)["floor_sla_compliance"] == "95"  # as typed, nothing lost
    assert input_values(body)["target_sla_compliance"] == "55"
    assert word.status_code == 400
    assert "Enter a number." in word.content.decode()
    assert input_values(word.content.decode())["target_resolution_hours"] == "fast"
    assert RatingScheme.objects.for_tenant(rated.tenant_id).count() == 1
    assert AuditEntry.objects.for_tenant(rated.tenant_id).count() == audits


def test_adopting_the_norms_in_use_adds_no_version(acme, acme_admin, client_of):
    client = client_of(acme_admin)
    form = input_values(client.get(URL).content.decode())  # no ratings: the norms now

    response = client.post(URL, form)

    assert response.status_code == 302
    assert RatingScheme.objects.for_tenant(acme).count() == 1
    assert "Nothing changed." in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("periods=0", "Ensure this value is greater than or equal to 1."),
        ("periods=37", "Ensure this value is less than or equal to 36."),
        ("periods=six", "Enter a whole number."),
        ("kind=week", "Select a valid choice. week is not one of the available choices."),
    ],
)
def test_a_wrong_choice_of_periods_is_explained(acme, acme_manager, client_of, query, message):
    response = client_of(acme_manager).get(f"{URL}?{query}")

    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assert 'class="chart"' not in response.content.decode()


def test_quarters_are_read_when_asked_for(rated, acme, acme_manager, client_of):
    quarter = period_for(acme, "quarter", date(2026, 7, 1))
    performer = make_member(acme, "quentin", Role.PERFORMER, "north-branch")
    stored(quarter, {SLA: (66.0, 9)}, performer=performer)

    body = client_of(acme_manager).get(f"{URL}?kind=quarter&periods=2").content.decode()

    assert figure_in(body, SLA)["data"][0]["x"] == [66]
    assert "Ratings of 1 period (Quarter)" in body


def test_another_tenants_member_finds_no_such_page(rated, globex_agent, client_of):
    client = client_of(globex_agent)

    assert client.get(URL).status_code == 404
    assert client.post(URL, {"floor_sla_compliance": "1"}).status_code == 404
    assert RatingScheme.objects.for_tenant(rated.tenant_id).count() == 1


def test_the_page_reads_in_a_fixed_number_of_queries(rated, acme, acme_manager, client_of):
    client = client_of(acme_manager)
    client.get(URL)  # the session, warmed

    with CaptureQueriesContext(connection) as first:
        assert client.get(URL).status_code == 200
    for n in range(6, 12):  # twice the performers, in two more months
        performer = make_member(acme, f"performer{n}", Role.PERFORMER, "north-branch")
        stored(month(acme, 7 + n % 2), {SLA: (70.0, 5)}, performer=performer)
    with CaptureQueriesContext(connection) as second:
        assert client.get(URL).status_code == 200

    # session, user, membership, scheme, periods, ratings, the bell's count
    assert len(first.captured_queries) == len(second.captured_queries) == 7


def test_in_greek_the_norms_are_shown_and_read_with_a_decimal_comma(rated, acme_admin, client_of):
    client = client_of(acme_admin)
    client.cookies["django_language"] = "el"
    form = input_values(client.get(URL).content.decode())
    assert (form["floor_customer_score"], form["target_customer_score"]) == ("3", "4,5")

    response = client.post(URL, form | {"floor_customer_score": "3,2"})

    assert response.status_code == 302
    assert scheme_current(rated.tenant_id).norms[CUSTOMER] == [3.2, 4.5]
