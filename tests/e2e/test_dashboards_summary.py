"""The programme summary and the survey funnel in Chromium: plotly.js draws every chart under
the pages' Content-Security-Policy with no console error; a filter changes the figures; a
chart's link opens the interactions page on the events of that decision."""

import re
from datetime import UTC, datetime, timedelta

from django.test import override_settings
from playwright.sync_api import expect

from tests.dashboards.summary_fixtures import event, programme, surveyed
from tests.e2e.test_accessibility import check, contexts
from tests.e2e.test_agent_journey import log_in
from tests.e2e.test_calibration import REPORT_VIOLATIONS


def a_month_of_surveys(acme, motor, admin):
    """Acme Motor: NPS 10 and 3 answered (NPS 0 ± 139), one email accepted and not answered;
    Acme Rent: CSAT 5 answered; Acme Road: one event outside its rule's sample. 4 invited of
    5 relevant, 3 answered of 4 accepted (75 %).

    The emails this process sends go to Django's test outbox: the pages are under test here,
    and an SMTP server in this process, beside the live server and Chromium, can time out on a
    busy machine (the page tests send through a real one)."""
    prog = programme(acme, motor, admin, clock=lambda moment: moment)  # the real clock
    now = datetime.now(UTC)
    surveyed(motor, 10, 2, programme=prog, today=now)
    surveyed(motor, 3, 5, programme=prog, today=now)
    surveyed(motor, None, 8, programme=prog, today=now)
    surveyed(prog.rent, 5, 3, programme=prog, today=now)
    event(prog.road, when=now - timedelta(days=4))
    return prog


@override_settings(DEBUG=True)  # serve static files (plotly.js too) from the live server
def test_the_summary_and_the_funnel_draw_filter_and_lead_to_the_interactions(
    live_server, page, acme, acme_brand, acme_admin, acme_manager
):
    prog = a_month_of_surveys(acme, acme_brand, acme_admin)
    problems = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, live_server, acme_manager)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboards").click()

    page.get_by_role("navigation", name="Dashboards").get_by_role(
        "link", name="Programme summary"
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Programme summary")
    charts = page.locator(".chart")
    expect(charts).to_have_count(2)  # the response rate against the norm, the sample
    for index in range(2):
        expect(charts.nth(index).locator("svg.main-svg").first).to_be_visible()
    expect(page.locator("#summary-invited")).to_have_text("4")
    expect(page.locator("#summary-response-rate")).to_have_text("75.0 %")
    expect(page.locator("#summary-response-rate-norm")).to_have_text("above the norm 5–15 %")
    expect(page.locator("#summary-nps")).to_have_text("0 ± 139")
    expect(page.locator("#summary-csat")).to_have_text("100 %")

    page.get_by_label("Brand", exact=True).select_option(label="Acme Rent")
    page.get_by_role("button", name="Show").click()

    expect(page).to_have_url(re.compile(r"brand=\d+"))
    expect(page.locator("#summary-invited")).to_have_text("1")
    expect(page.locator("#summary-response-rate")).to_have_text("100.0 %")
    expect(page.locator("#summary-nps")).to_have_text("—")
    for index in range(2):
        expect(page.locator(".chart").nth(index).locator("svg.main-svg").first).to_be_visible()

    # The funnel keeps the filters; back to every brand.
    page.get_by_role("navigation", name="Dashboards").get_by_role(
        "link", name="Survey funnel"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Survey funnel")
    expect(page).to_have_url(re.compile(rf"brand={prog.rent.pk}"))
    page.get_by_label("Brand", exact=True).select_option(label="—")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".chart")).to_have_count(2)  # the funnel, the reasons
    expect(page.locator("#chart-funnel svg.main-svg").first).to_be_visible()
    expect(page.locator("#chart-funnel .trace.bars .point path")).to_have_count(5)
    expect(page.locator("#chart-reasons svg.main-svg").first).to_be_visible()
    rows = page.locator("#stages tbody tr")
    expect(rows).to_have_count(5)
    expect(page.locator("#funnel-coverage")).to_have_text("80.0 %")

    page.locator("#reasons-table tr").filter(has_text="Not in the sample").get_by_role(
        "link", name="See them"
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Interactions")
    expect(page).to_have_url(re.compile(r"decision=not_sampled"))
    expect(page.locator("table.interactions tbody tr")).to_have_count(1)
    assert problems == []


@override_settings(DEBUG=True)
def test_the_summary_and_the_funnel_have_no_serious_violation_and_fit_a_phone(
    live_server, browser, acme, acme_brand, acme_admin, acme_analyst
):
    a_month_of_surveys(acme, acme_brand, acme_admin)
    problems = []
    for width, _context, page in contexts(browser, live_server):
        page.goto(f"{live_server.url}/")
        page.get_by_label("Email").fill(acme_analyst.user.email)
        page.get_by_label("Password").fill("correct horse battery staple")
        page.get_by_role("button", name="Log in").click()
        for name in ("summary", "funnel"):
            url = f"{live_server.url}/acme/dashboards/{name}/"
            page.goto(url)
            expect(page.locator(".chart svg.main-svg").first).to_be_visible()
            check(page, url, width=width, language="en", problems=problems)

    assert problems == []
