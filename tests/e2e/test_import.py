"""A manager imports a spreadsheet of service events, fixes nothing, imports the valid rows."""

import uuid
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from surveys.models import Interaction
from tests.e2e.test_agent_journey import log_in


@pytest.fixture
def own_cache(settings, tmp_path):
    # The upload waits in the cache between the check and the import (the live server runs in
    # this process, so this cache is the one it uses).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / f"cache-{uuid.uuid4().hex}"),
        }
    }


@override_settings(DEBUG=True)  # serve static files (htmx) from the live server
def test_a_manager_imports_the_valid_rows_in_batches_that_follow_one_another(
    live_server, page, tmp_path, monkeypatch, own_cache, acme, acme_brand, acme_manager
):
    monkeypatch.setattr("surveys.interactions.importing.BATCH_ROWS", 2)  # five rows: three batches
    yesterday = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    rows = [f"visit-{n},{yesterday},customer{n}@example.com" for n in range(1, 6)]
    rows.insert(2, f"visit-bad,{yesterday},not-an-email")
    csv = tmp_path / "tow-trucks.csv"
    csv.write_text("external_reference,occurred_at,customer_email\n" + "\n".join(rows) + "\n")
    log_in(page, live_server, acme_manager)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Interactions").click()
    page.get_by_label("CSV file", exact=True).set_input_files(str(csv))
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check of tow-trucks.csv")
    problems = page.get_by_role("region", name="1 row with problems")
    # its row in the spreadsheet (after the header), the column, the value, the problem
    expect(problems.locator("tbody tr")).to_have_count(1)
    expect(problems.locator("tbody tr td")).to_have_text(
        ["4", "customer_email", "not-an-email", "Not an email address."]
    )
    assert Interaction.objects.for_tenant(acme).count() == 0  # checking imports nothing
    page.get_by_role("button", name="Import the 5 valid rows, skip 1").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Import of tow-trucks.csv")
    counts = page.get_by_role("region", name="Rows", exact=True).locator("dd")
    expect(counts).to_have_text(["6", "5", "0", "1"])  # in the file, created, there, skipped
    assert Interaction.objects.for_tenant(acme).filter(source="import").count() == 5
    expect(page.get_by_role("region", name="Skipped rows")).to_contain_text("Not an email address.")
