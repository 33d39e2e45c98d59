"""The performers tab in Chromium: plotly.js draws the ratings under the page's
Content-Security-Policy with no console error; the department filter changes the figures; a
performer's link opens their row on the leaderboard."""

import re

from django.contrib.auth.models import User
from django.test import override_settings
from playwright.sync_api import expect

from ratings.selectors import today_of
from ratings.services import period_for
from tests.e2e.test_agent_journey import log_in
from tests.e2e.test_calibration import REPORT_VIOLATIONS
from tests.ratings.test_leaderboard import store


def this_months_ratings(acme, bob, pete, sara):
    """This month: Bob Adams 70, Pete Brown 70 (a tie), Sara Clark 55 (south)."""
    month = period_for(acme, "month", today_of(acme))
    for member, surname, value, answers in (
        (bob, "Adams", 70.0, 12),
        (pete, "Brown", 70.0, 8),
        (sara, "Clark", 55.0, 20),
    ):
        User.objects.filter(pk=member.user_id).update(last_name=surname)
        store(month, performer=member, value=value, answers=answers)
    return month


@override_settings(DEBUG=True)  # serve static files (plotly.js too) from the live server
def test_the_performers_tab_draws_filters_and_leads_to_the_leaderboard(
    live_server, page, acme, acme_analyst, acme_agent, acme_performer, acme_south_agent
):
    this_months_ratings(acme, acme_agent, acme_performer, acme_south_agent)
    problems = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, live_server, acme_analyst)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboards").click()

    page.get_by_role("navigation", name="Dashboards").get_by_role("link", name="Performers").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Performers")
    expect(page.locator("#chart-ratings svg.main-svg").first).to_be_visible()
    expect(page.locator("#chart-ratings .trace.bars .point path")).to_have_count(3)
    page.get_by_text("View as a table").first.click()
    rows = page.locator("#ratings-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Bob Adams")
    expect(rows.nth(2)).to_contain_text("55.0 %")

    page.get_by_label("Department", exact=True).select_option(label="\u00a0\u00a0South region")
    page.get_by_role("button", name="Show").click()

    expect(page).to_have_url(re.compile(r"department=\d+"))
    expect(page.locator("#chart-ratings .trace.bars .point path")).to_have_count(1)
    expect(page.locator("#ratings-table tbody tr")).to_have_count(1)
    expect(page.locator("#ratings-table tbody tr").first).to_contain_text("Sara Clark")

    page.get_by_text("View as a table").first.click()
    page.locator("#ratings-table").get_by_role("link", name="Sara Clark").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Leaderboard")
    expect(page).to_have_url(re.compile(rf"#performer-{acme_south_agent.pk}$"))
    expect(page.locator(f"#performer-{acme_south_agent.pk}")).to_contain_text("55.0 %")
    assert problems == []
