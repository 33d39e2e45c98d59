"""The NPS dashboard in Chromium: plotly.js (served from our origin) draws every chart under the
page's Content-Security-Policy with no console error; a filter changes the figures; a chart's
link opens the response browser on the same responses."""

import re
from datetime import timedelta

from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from tests.dashboards.nps_fixtures import answered, nps_survey
from tests.e2e.test_accessibility import check, contexts
from tests.e2e.test_agent_journey import log_in
from tests.e2e.test_calibration import REPORT_VIOLATIONS
from tests.factories import BrandFactory, TouchpointFactory


def answers_of_two_brands(acme, motor):
    """Acme Motor: 10, 9, 9, 3 (+50); Acme Rent: 10, 6, 2 (−33); together 4 promoters and
    3 detractors of 7: +14."""
    version = nps_survey(acme)
    rent = BrandFactory(tenant=acme, name="Acme Rent", reference_prefix="ARE")
    phone = TouchpointFactory(tenant=acme, name="Phone line")
    now = timezone.now()
    rows = [
        (motor, 10, 1, "Quick and kind."),
        (motor, 9, 3, ""),
        (motor, 9, 12, ""),
        (motor, 3, 20, "Nobody called back."),
        (rent, 10, 2, ""),
        (rent, 6, 8, "Car was dirty."),
        (rent, 2, 30, "Waited two hours."),
    ]
    for brand, score, days, comment in rows:
        answered(
            brand,
            version,
            score,
            when=now - timedelta(days=days),
            comment=comment,
            touchpoint=phone,
        )
    return rent


@override_settings(DEBUG=True)  # serve static files (plotly.js too) from the live server
def test_the_nps_dashboard_draws_filters_and_leads_to_the_responses(
    live_server, page, acme, acme_brand, acme_manager
):
    answers_of_two_brands(acme, acme_brand)
    problems = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, live_server, acme_manager)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboards").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("NPS dashboard")
    charts = page.locator(".chart")
    expect(charts).to_have_count(4)  # by week, by brand, by touchpoint, scores 0–10
    for index in range(4):
        expect(charts.nth(index).locator("svg.main-svg").first).to_be_visible()
    expect(page.locator("#nps-score")).to_have_text("14 ± 73")
    expect(page.locator("#nps-answers")).to_have_text("7")
    # The brands, highest first, as bars drawn; the same in the table.
    brands = page.locator("#brands")
    expect(brands.locator(".chart .trace.bars .point path")).to_have_count(2)
    brands.get_by_text("View as a table").click()
    rows = brands.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first.get_by_role("rowheader")).to_have_text("Acme Motor")
    expect(rows.last.get_by_role("rowheader")).to_have_text("Acme Rent")
    # Eleven scores, coloured by band, in three traces.
    expect(page.locator("#chart-distribution .trace.bars")).to_have_count(3)

    page.get_by_label("Brand", exact=True).select_option(label="Acme Rent")
    page.get_by_role("button", name="Show").click()

    expect(page).to_have_url(re.compile(r"brand=\d+"))
    expect(page.locator("#nps-score")).to_have_text("-33 ± 107")
    expect(page.locator("#nps-answers")).to_have_text("3")
    expect(page.locator("#brands .chart .trace.bars .point path")).to_have_count(1)
    for index in range(4):
        expect(page.locator(".chart").nth(index).locator("svg.main-svg").first).to_be_visible()
    # The detractors' comments of Acme Rent, each with its follow-up.
    page.locator("#comments").get_by_role("link", name="Detractors (0–6)").click()
    comments = page.locator("#comments li")
    expect(comments).to_have_count(2)
    expect(comments.first).to_contain_text("Car was dirty.")
    expect(comments.first.get_by_role("link", name="Follow-up: Open")).to_be_visible()

    page.locator("#brands").get_by_role("link", name="The responses behind this chart").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Responses")
    expect(page.get_by_label("Brand")).to_have_value(re.compile(r"\d+"))
    expect(page.get_by_label("Brand").locator("option:checked")).to_have_text("Acme Rent")
    expect(page.locator("table.responses tbody tr")).to_have_count(3)
    expect(page.get_by_label("Figures of these responses").locator("dd").first).to_contain_text(
        "-33"
    )
    assert problems == []


@override_settings(DEBUG=True)
def test_the_nps_dashboard_has_no_serious_violation_and_fits_a_phone(
    live_server, browser, acme, acme_brand, acme_analyst
):
    answers_of_two_brands(acme, acme_brand)
    url = f"{live_server.url}/acme/dashboards/nps/"
    problems = []
    for width, _context, page in contexts(browser, live_server):
        page.goto(f"{live_server.url}/")
        page.get_by_label("Email").fill(acme_analyst.user.email)
        page.get_by_label("Password").fill("correct horse battery staple")
        page.get_by_role("button", name="Log in").click()
        page.goto(url)
        expect(page.locator(".chart svg.main-svg").first).to_be_visible()
        check(page, url, width=width, language="en", problems=problems)

    assert problems == []
