"""The norms' calibration page in Chromium: plotly.js (served from our origin) draws every chart
under the page's Content-Security-Policy, with no refused style or script and no console error;
the table beside each chart says the same; and the page passes axe on a phone and a laptop."""

from django.test import override_settings
from playwright.sync_api import expect

from ratings import formula
from ratings.selectors import today_of
from ratings.services import period_for
from tenants.models import Role
from tests.e2e.test_accessibility import check, contexts
from tests.e2e.test_agent_journey import log_in
from tests.factories import make_member
from tests.ratings.test_calibration import HOURS_VALUES, SLA_VALUES, URL, stored

CUSTOMER, SLA, HOURS, REOPEN, _FOLLOW_UPS = (kind.key for kind in formula.COMPONENTS)
# Every refused inline style or script, whoever caused it, lands in the console as an error.
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (event) =>
  console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));"""


def rate_this_month(tenant):
    """Six performers this month: SLA and resolution hours for all, a customer score for three,
    nobody reopened, no follow-ups (the figures of tests/ratings/test_calibration.py)."""
    period = period_for(tenant, "month", today_of(tenant))
    for n, (sla, hours) in enumerate(zip(SLA_VALUES, HOURS_VALUES, strict=True)):
        performer = make_member(tenant, f"performer{n}", Role.PERFORMER, "north-branch")
        components = {SLA: (float(sla), 5), HOURS: (float(hours), 5), REOPEN: (0.0, 5)}
        if n < 3:
            components[CUSTOMER] = (3.5 + n / 2, 10)
        stored(period, components, performer=performer)


@override_settings(DEBUG=True)  # serve static files (plotly.js too) from the live server
def test_the_charts_draw_under_the_policy_with_a_table_beside_each(
    live_server, page, acme, acme_manager
):
    rate_this_month(acme)
    problems = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, live_server, acme_manager)

    page.goto(f"{live_server.url}{URL}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Calibrate the norms")
    # Four components have values (nobody had follow-ups): four charts, each drawn.
    charts = page.locator(".chart")
    expect(charts).to_have_count(4)
    for index in range(4):
        expect(charts.nth(index).locator("svg.main-svg").first).to_be_visible()
    sla = page.locator("section").filter(
        has=page.get_by_role("heading", name="Resolved within target")
    )
    # 50 … 100 % in bins of 5 from 50 to 105: six bars with a rating, the legend names the lines.
    bars = sla.locator(".chart .trace.bars .point path")
    expect(bars).to_have_count(11)
    drawn = [box["height"] > 0 for box in (bar.bounding_box() for bar in bars.all())]
    assert drawn == [True, False] * 5 + [True]
    legend = sla.locator(".chart .legend")
    for name in ("Floor now", "Target now", "Proposed floor", "Proposed target", "Median"):
        expect(legend).to_contain_text(name)
    expect(sla.locator("dl.facts dd").nth(1)).to_have_text("55 % → 95 %")
    # Hovering a bar (plotly.js's drag layer above it takes the pointer) shows its label,
    # which plotly.js styles as it draws it.
    bars.first.hover(force=True)
    expect(sla.locator(".chart .hoverlayer .hovertext")).to_contain_text("1")

    # The same, as a table.
    sla.get_by_text("View as a table").click()
    rows = sla.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(11)
    expect(rows.first.get_by_role("cell")).to_have_text(["50 %", "55 %", "1"])
    expect(rows.last.get_by_role("cell")).to_have_text(["100 %", "105 %", "1"])
    assert problems == []


@override_settings(DEBUG=True)
def test_the_calibration_page_has_no_serious_violation_and_fits_a_phone(
    live_server, browser, acme, acme_admin
):
    rate_this_month(acme)
    problems = []
    for width, _context, page in contexts(browser, live_server):
        log_in(page, live_server, acme_admin)
        page.goto(f"{live_server.url}{URL}")
        expect(page.locator(".chart svg.main-svg").first).to_be_visible()
        check(page, f"{live_server.url}{URL}", width=width, language="en", problems=problems)

    assert problems == []
