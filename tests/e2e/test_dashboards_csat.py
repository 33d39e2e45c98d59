"""The CSAT and CES dashboard in Chromium: plotly.js draws every chart under the page's
Content-Security-Policy with no console error; a filter changes the figures; a chart's link
opens the response browser on the same responses; a survey's questions are broken down."""

import re
from datetime import timedelta

from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from tests.dashboards.csat_fixtures import answered, roadside, service_desk
from tests.e2e.test_accessibility import check, contexts
from tests.e2e.test_agent_journey import log_in
from tests.e2e.test_calibration import REPORT_VIOLATIONS
from tests.factories import BrandFactory, TouchpointFactory


def answers_of_three_brands(acme, motor):
    """Acme Motor CSAT 5, 4, 2 (2 of 3 satisfied); Acme Rent 5, 1, 2 (1 of 3): together 3 of
    6, 50 % ± 40. Acme Road's Roadside survey: CES 6 and 3, mean 4.5."""
    desk = service_desk(acme)
    rent = BrandFactory(tenant=acme, name="Acme Rent", reference_prefix="ARE")
    road = BrandFactory(tenant=acme, name="Acme Road", reference_prefix="ARO")
    road_survey = roadside(acme, road)
    phone = TouchpointFactory(tenant=acme, name="Phone line")
    now = timezone.now()
    rows = [
        (motor, 5, 1, "speed", "Quick and kind."),
        (motor, 4, 3, "outcome", ""),
        (motor, 2, 12, "speed", "Nobody called back."),
        (rent, 5, 2, "speed", ""),
        (rent, 1, 8, "outcome", "Car was dirty."),
        (rent, 2, 30, "speed", ""),
    ]
    for brand, score, days, choice, comment in rows:
        answered(
            brand,
            desk,
            when=now - timedelta(days=days),
            csat=score,
            ces=score,
            nps=2 * score,
            choice=choice,
            comment=comment,
            touchpoint=phone,
        )
    for score, days in ((6, 4), (3, 9)):
        answered(road, road_survey, when=now - timedelta(days=days), ces=score)
    return rent


@override_settings(DEBUG=True)  # serve static files (plotly.js too) from the live server
def test_the_csat_dashboard_draws_filters_and_leads_to_the_responses(
    live_server, page, acme, acme_brand, acme_manager
):
    answers_of_three_brands(acme, acme_brand)
    problems = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, live_server, acme_manager)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboards").click()
    page.get_by_role("navigation", name="Dashboards").get_by_role(
        "link", name="CSAT and CES"
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("CSAT and CES dashboard")
    charts = page.locator(".chart")
    expect(charts).to_have_count(6)  # CSAT by week, brand, touchpoint, 1–5; CES by week, 1–7
    for index in range(6):
        expect(charts.nth(index).locator("svg.main-svg").first).to_be_visible()
    expect(page.locator("#csat-score")).to_have_text("50 % ± 40")
    expect(page.locator("#csat-answers")).to_have_text("6")
    expect(page.locator("#ces-mean")).to_have_text("4.50 2 answers")
    expect(page.locator("#brands .chart .trace.bars .point path")).to_have_count(2)
    expect(page.locator("#chart-distribution .trace.bars")).to_have_count(2)

    # The Service desk's secondary questions: CES, NPS and the choice.
    page.get_by_label("Survey").select_option(label="Service desk")
    page.get_by_role("button", name="Show the questions").click()
    rows = page.locator("#question-figures tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.last).to_contain_text("Speed: 4")

    page.get_by_label("Brand", exact=True).select_option(label="Acme Rent")
    page.get_by_role("button", name="Show", exact=True).click()

    expect(page).to_have_url(re.compile(r"brand=\d+"))
    expect(page.locator("#csat-score")).to_have_text("33 % ± 53")
    expect(page.locator("#csat-answers")).to_have_text("3")
    expect(page.locator("#brands .chart .trace.bars .point path")).to_have_count(1)
    expect(page.locator(".chart")).to_have_count(4)  # no CES answer of Acme Rent
    for index in range(4):
        expect(page.locator(".chart").nth(index).locator("svg.main-svg").first).to_be_visible()
    page.locator("#comments").get_by_role("link", name="Dissatisfied (1–3)").click()
    comments = page.locator("#comments li")
    expect(comments).to_have_count(1)
    expect(comments.first).to_contain_text("Car was dirty.")

    page.locator("#brands").get_by_role("link", name="The responses behind this chart").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Responses")
    expect(page.get_by_label("Brand").locator("option:checked")).to_have_text("Acme Rent")
    expect(page.locator("table.responses tbody tr")).to_have_count(3)
    assert problems == []


@override_settings(DEBUG=True)
def test_the_csat_dashboard_has_no_serious_violation_and_fits_a_phone(
    live_server, browser, acme, acme_brand, acme_analyst
):
    answers_of_three_brands(acme, acme_brand)
    url = f"{live_server.url}/acme/dashboards/csat/"
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
