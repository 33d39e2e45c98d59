"""The Complaints dashboard in Chromium: plotly.js draws every chart under the page's
Content-Security-Policy with no console error; a filter changes the figures; a chart's link
opens the complaint queue on the same complaints."""

import re
from datetime import timedelta

from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from complaints import workflow
from complaints.lifecycle import State
from complaints.models import Category, Channel, RootCause
from tests.complaint_fixtures import bring_to, file_complaint
from tests.e2e.test_agent_journey import log_in
from tests.e2e.test_calibration import REPORT_VIOLATIONS


def complaints_of_acme(acme, brand, handler):
    """Five claims of the last days, three by phone (one resolved), two by the web form."""
    claims = Category.objects.for_tenant(acme).get(code="claims")
    cause = RootCause.objects.for_tenant(acme).get(code="slow-handling")
    now = timezone.now()
    made = []
    for days, channel in ((1, Channel.PHONE), (2, Channel.PHONE), (3, Channel.PHONE),
                          (4, Channel.WEB_FORM), (5, Channel.WEB_FORM)):  # fmt: skip
        made.append(
            file_complaint(
                brand,
                category=claims,
                channel=channel,
                received_at=now - timedelta(days=days),
                name=f"Customer {days}",
                email=f"customer{days}@example.com",
            )
        )
    resolving = bring_to(made[2], State.INVESTIGATING, handler)
    workflow.complaint_resolve(
        complaint=resolving, actor=handler, root_cause=cause, resolution="Paid."
    )
    return made


@override_settings(DEBUG=True)  # serve static files (plotly.js too) from the live server
def test_the_complaints_dashboard_draws_filters_and_leads_to_the_queue(
    live_server, page, acme, acme_setup, acme_brand, acme_admin, acme_agent, acme_manager
):
    complaints_of_acme(acme, acme_brand, acme_admin)
    problems = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, live_server, acme_manager)

    page.goto(f"{live_server.url}/acme/dashboards/nps/")
    page.get_by_label("Dashboards").get_by_role("link", name="Complaints").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Complaints dashboard")
    charts = page.locator(".chart")
    # by category, by channel, root causes, SLA by brand and by department, backlog, resolution
    expect(charts).to_have_count(7)
    for index in range(7):
        expect(charts.nth(index).locator("svg.main-svg").first).to_be_visible()
    expect(page.locator("#complaints-received")).to_have_text("5")
    expect(page.locator("#chart-channels .trace.bars")).to_have_count(2)

    page.get_by_label("Channel", exact=True).select_option(label="Phone")
    page.get_by_role("button", name="Show").click()

    expect(page).to_have_url(re.compile(r"channel=phone"))
    expect(page.locator("#complaints-received")).to_have_text("3")
    expect(page.locator("#chart-channels .trace.bars")).to_have_count(1)
    expect(page.locator("#chart-pareto svg.main-svg").first).to_be_visible()

    page.get_by_label("Channel", exact=True).select_option(label="—")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#complaints-received")).to_have_text("5")
    page.locator("#categories").get_by_role("link", name="The complaints behind this chart").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Complaints")
    expect(page.locator("table.queue tbody tr")).to_have_count(5)
    assert problems == []
