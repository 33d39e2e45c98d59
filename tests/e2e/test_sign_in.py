from io import StringIO

from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import expect

from demo.tenant import DEMO_PASSWORD


@override_settings(DEBUG=True)  # serve static files from the live server
def test_the_demo_admin_logs_in_switches_language_and_logs_out(live_server, page, settings):
    call_command("seed_demo", "--force", "--complaints=20", "--interactions=300", stdout=StringIO())

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("Email").fill("admin@aegean.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_server.url}/aegean/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aegean Mutual Group")
    expect(page.get_by_text("Aegean Road Assist")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    expect(page.get_by_role("cell", name="olga.petrova@aegean.example")).to_be_visible()

    page.get_by_label("Language").select_option("el")
    expect(page.locator("html")).to_have_attribute("lang", "el")
    expect(page.get_by_role("link", name="Αρχική")).to_be_visible()
    page.screenshot(path=str(settings.VAR_DIR / "e2e-team-el.png"), full_page=True)

    page.locator("details.account summary").click()
    page.get_by_role("button", name="Αποσύνδεση").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Σύνδεση")
