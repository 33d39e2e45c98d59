"""The interactions page: CSV import of service events, and the list that explains coverage.

Mario (manager) imports Acme's files; Alice (admin) may too, but not Mario's upload. Bob
(agent) and Ana (analyst) read the list and may not import; Pete (performer) sees no surveys.
Gina manages Globex and must see nothing of Acme.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from config import test_settings
from customers.models import Customer
from surveys.interactions.checking import AlreadyImported, RowError, import_check
from surveys.interactions.filters import InteractionFilterSet
from surveys.interactions.importing import interactions_import, run_lock
from surveys.interactions.reading import decode
from surveys.interactions.selectors import PAGE_SIZE, interactions_page, visible_interactions
from surveys.models import Interaction, Invitation
from tenants.errors import ApplicationError
from tenants.models import AuditEntry, Role
from tests.factories import BrandFactory, make_member
from tests.filtering import as_member
from tests.surveys.survey_fixtures import add_rule, make_customer, publish_survey, record

ATHENS = ZoneInfo("Europe/Athens")
HEADER = [
    "external_reference",
    "occurred_at",
    "brand",
    "touchpoint",
    "customer_email",
    "customer_phone",
    "customer_name",
    "customer_language",
    "performer",
]
LIST = "/acme/surveys/interactions/"
CHECK = LIST + "check/"
START = LIST + "import/"


def csv_bytes(rows, *, delimiter=",", bom=False, newline="\n") -> bytes:
    text = newline.join(delimiter.join(row) for row in rows) + newline
    return (("\ufeff" if bom else "") + text).encode()


def simple_file(*rows) -> bytes:
    """A file of (reference, occurred at, customer email) rows."""
    return csv_bytes([["external_reference", "occurred_at", "customer_email"], *rows])


def upload(content: bytes, name="interactions.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def athens(moment: datetime) -> str:
    """``moment`` as a spreadsheet writes it: local time of the tenant, no offset."""
    return moment.astimezone(ATHENS).strftime("%Y-%m-%d %H:%M")


def token_of(page) -> str:
    return re.search(r'name="upload" value="([^"]+)"', page.content.decode()).group(1)


def interactions(tenant) -> list[tuple]:
    return list(
        Interaction.objects.for_tenant(tenant)
        .order_by("external_reference")
        .values_list(
            "external_reference",
            "source",
            "brand__reference_prefix",
            "touchpoint__name",
            "customer__email",
            "customer__phone",
            "performer__user__username",
            "decision",
        )
    )


def import_entries(tenant) -> list[dict]:
    return list(
        AuditEntry.objects.for_tenant(tenant)
        .filter(action="interaction.imported")
        .order_by("created_at", "id")
        .values_list("changes", flat=True)
    )


def changes(*, rows, created, already=0, skipped=0, decisions=None, skipped_rows=(), file=None):
    return {
        "file": [None, file or "interactions.csv"],
        "rows": [None, rows],
        "created": [None, created],
        "already_imported": [None, already],
        "skipped": [None, skipped],
        "decisions": [None, decisions or {}],
        "skipped_rows": [None, [list(row) for row in skipped_rows]],
    }


@pytest.fixture(autouse=True)
def _own_cache(settings, tmp_path):
    """The embedded default's file cache, of this test alone: uploads wait in the cache
    between requests, as they do on a machine without Redis. The Redis test below puts back
    the run's own Redis cache."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }


@pytest.fixture
def survey(acme):
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=0)
    return version


@pytest.fixture
def acme_home(acme):
    return BrandFactory(tenant=acme, slug="acme-home", name="Acme Home", reference_prefix="AHO")


@pytest.fixture
def globex_manager(globex):
    return make_member(globex, "gina", Role.MANAGER, "hq")


# --- the happy path ---------------------------------------------------------------------------


def test_a_file_is_checked_then_imported_with_each_rows_survey_decision(
    client_of, acme, acme_setup, acme_brand, acme_manager, acme_agent, survey
):
    now = timezone.now()
    file = csv_bytes(
        [
            HEADER,
            # Local time of the workspace (Athens), an hour ago: surveyed.
            ["V-1", athens(now - timedelta(hours=1)), "AMO", "Claims desk",
             "maria@example.com", "", "Maria Rossi", "it", "bob@acme.example"],
            # With its offset; a phone but no email: no survey can go out.
            ["V-2", (now - timedelta(hours=2)).isoformat(), "Acme Motor", "",
             "", "+30 210 000 1000", "Nikos", "", ""],
            # Three days old: the 24-hour rule says it is too late to ask.
            ["V-3", athens(now - timedelta(days=3)), "amo", "claims-desk",
             "luca@example.com", "", "", "", "EMP-1"],
        ]
    )  # fmt: skip
    client = client_of(acme_manager)

    checked = client.post(CHECK, {"file": upload(file)})

    assert checked.status_code == 200
    html = checked.content.decode()
    assert "Import 3 rows" in html and "Nothing is imported yet." in html
    assert interactions(acme) == []
    assert not Customer.objects.for_tenant(acme).exists()

    done = client.post(START, {"upload": token_of(checked)})

    entry = AuditEntry.objects.for_tenant(acme).get(action="interaction.imported")
    assert done.status_code == 302
    assert done.url == f"/acme/surveys/interactions/imports/{entry.pk}/"
    assert interactions(acme) == [
        ("V-1", "import", "AMO", "Claims desk", "maria@example.com", "", "bob@acme.example",
         "invited"),
        ("V-2", "import", "AMO", None, "", "+30 210 000 1000", None, "no_email"),
        ("V-3", "import", "AMO", "Claims desk", "luca@example.com", "", "bob@acme.example",
         "too_old"),
    ]  # fmt: skip
    first = Interaction.objects.for_tenant(acme).get(external_reference="V-1")
    assert first.occurred_at == (now - timedelta(hours=1)).replace(second=0, microsecond=0)
    assert Customer.objects.for_tenant(acme).get(email="maria@example.com").language == "it"
    assert Invitation.objects.for_tenant(acme).get().interaction == first
    assert (entry.actor, entry.target_type, entry.target_id) == (
        acme_manager.user,
        "tenants.tenant",
        str(acme.pk),
    )
    assert entry.changes == changes(
        rows=3, created=3, decisions={"invited": 1, "no_email": 1, "too_old": 1}
    )

    summary = client.get(done.url).content.decode()
    assert "Import done." in summary
    for label in ("Invited", "No email address", "Event older than the maximum age"):
        assert label in summary


def test_an_existing_customer_is_matched_and_left_as_they_are(
    client_of, acme, acme_brand, acme_manager
):
    maria = make_customer(acme, "Maria Rossi", "maria@example.com", language="el")
    file = csv_bytes(
        [
            ["external_reference", "occurred_at", "customer_email", "customer_phone",
             "customer_name", "customer_language"],
            ["V-1", athens(timezone.now()), "MARIA@example.com", "+39 06 1234 5678", "M.", "it"],
        ]
    )  # fmt: skip

    interactions_import(actor=acme_manager, text=file.decode(), file_name="a.csv")

    interaction = Interaction.objects.for_tenant(acme).get()
    assert interaction.customer_id == maria.pk
    maria.refresh_from_db()
    assert (maria.name, maria.phone, maria.language) == ("Maria Rossi", "", "el")


# --- problems, row by row ---------------------------------------------------------------------


@pytest.fixture
def file_with_problems(acme, acme_setup, acme_brand, acme_home, acme_agent):
    recent = athens(timezone.now() - timedelta(hours=1))
    return csv_bytes(
        [
            HEADER,
            ["V-1", recent, "AMO", "Claims desk", "good@example.com", "", "Good", "",
             "bob@acme.example"],
            ["V-2", "01/03/2025 14:30", "AMO", "", "a@example.com", "", "", "", ""],
            ["V-3", recent, "XYZ", "", "b@example.com", "", "", "", ""],
            ["V-4", recent, "AMO", "", "", "", "No Contact", "", ""],
            ["V-5", recent, "AMO", "", "not-an-email", "", "", "", ""],
            ["V-1", recent, "AHO", "", "c@example.com", "", "", "", ""],
            ["V-6", recent, "AMO", "", "d@example.com", "", "", "", "nobody@acme.example"],
            ["V-7", recent, "", "", "e@example.com", "", "", "", ""],
            [],
            ["V-8", recent, "Acme Home", "", "", "+30 210 000 1000", "", "", ""],
        ]
    )  # fmt: skip


PROBLEMS = [
    (3, "occurred_at",
     "Not a date and time in ISO 8601, e.g. 2025-03-01 14:30 or 2025-03-01T14:30:00+02:00."),
    (4, "brand", "No active brand has this reference prefix or name."),
    (5, "customer_email", "An email address or a phone number is needed."),
    (6, "customer_email", "Not an email address."),
    (7, "external_reference", "Also on row 2: each reference is imported once."),
    (8, "performer", "No active member has this email address or external code."),
    (9, "brand", "Needed: this workspace has several brands."),
]  # fmt: skip


def test_every_bad_row_is_reported_with_its_row_and_column(acme, acme_manager, file_with_problems):
    check = import_check(actor=acme_manager, text=file_with_problems.decode())

    assert [(e.row, e.column, e.message) for e in check.errors] == PROBLEMS
    assert [row.row for row in check.rows] == [2, 11]
    assert (check.row_count, check.error_row_count, check.already_imported) == (9, 7, [])


def test_the_check_page_lists_every_problem_and_offers_the_valid_rows(
    client_of, acme, acme_manager, file_with_problems
):
    page = client_of(acme_manager).post(CHECK, {"file": upload(file_with_problems)})

    assert page.status_code == 200
    html = page.content.decode().replace("&#x27;", "'")
    assert "Import the 2 valid rows, skip 7" in html
    assert "7 rows with problems" in html
    for row, column, message in PROBLEMS:
        assert re.search(rf"<td>{row}</td>\s*<td><code>{column}</code></td>", html)
        assert message in html
    assert interactions(acme) == []


def test_importing_the_valid_rows_keeps_them_and_reports_the_skipped(
    client_of, acme, acme_manager, file_with_problems
):
    client = client_of(acme_manager)
    token = token_of(client.post(CHECK, {"file": upload(file_with_problems)}))

    summary = client.post(START, {"upload": token}, follow=True)

    assert [row[0] for row in interactions(acme)] == ["V-1", "V-8"]
    skipped = [
        RowError(3, "occurred_at", PROBLEMS[0][2], "01/03/2025 14:30"),
        RowError(4, "brand", PROBLEMS[1][2], "XYZ"),
        RowError(5, "customer_email", PROBLEMS[2][2], ""),
        RowError(6, "customer_email", PROBLEMS[3][2], "not-an-email"),
        RowError(7, "external_reference", PROBLEMS[4][2], "V-1"),
        RowError(8, "performer", PROBLEMS[5][2], "nobody@acme.example"),
        RowError(9, "brand", PROBLEMS[6][2], ""),
    ]
    assert import_entries(acme) == [
        changes(
            rows=9,
            created=2,
            skipped=7,
            decisions={"no_rule": 2},
            skipped_rows=skipped,
        )
    ]
    html = summary.content.decode()
    assert "Skipped rows" in html and "nobody@acme.example" in html
    assert "No survey rule matches" in html


def test_a_file_with_no_valid_row_offers_nothing_to_import(
    client_of, acme, acme_brand, acme_manager
):
    file = simple_file(["X", "", "x"])

    page = client_of(acme_manager).post(CHECK, {"file": upload(file)})

    assert page.status_code == 200
    assert "No row can be imported" in page.content.decode()
    assert 'name="upload"' not in page.content.decode()


# --- the same file again ----------------------------------------------------------------------


def test_the_same_file_again_is_reported_as_already_imported(
    client_of, acme, acme_brand, acme_manager
):
    old = simple_file(
        ["V-1", athens(timezone.now()), "maria@example.com"],
        ["V-2", athens(timezone.now()), "luca@example.com"],
    )
    client = client_of(acme_manager)
    client.post(START, {"upload": token_of(client.post(CHECK, {"file": upload(old)}))})
    before = interactions(acme)

    again = client.post(CHECK, {"file": upload(old + b"V-3,2025-03-01 10:00,nina@example.com\n")})

    html = again.content.decode()
    assert "2 rows imported before" in html and "Import 1 row" in html
    check = import_check(actor=acme_manager, text=old.decode())
    assert check.rows == [] and check.errors == []
    assert check.already_imported == [
        AlreadyImported(2, "V-1", "no_rule"),
        AlreadyImported(3, "V-2", "no_rule"),
    ]

    client.post(START, {"upload": token_of(again)})

    assert interactions(acme)[:2] == before
    assert [row[0] for row in interactions(acme)] == ["V-1", "V-2", "V-3"]
    assert import_entries(acme)[-1]["already_imported"] == [None, 2]


def test_two_clicks_on_import_import_once(client_of, acme, acme_brand, acme_manager):
    file = simple_file(["V-1", athens(timezone.now()), "maria@example.com"])
    client = client_of(acme_manager)
    _two_clicks_import_once(client, acme, file)


@pytest.mark.redis
def test_an_upload_waits_in_redis_for_the_import(
    client_of, acme, acme_brand, acme_manager, settings
):
    # The run's own cache: the suite's Redis database, under this run's key prefix
    # (config/test_settings.py), which only this run reads, writes and clears.
    settings.CACHES = test_settings.CACHES
    run_cache = caches["default"]
    assert isinstance(run_cache, RedisCache)
    assert run_cache.key_prefix.startswith("loopdesk-test-cache-")
    file = simple_file(["V-1", athens(timezone.now()), "maria@example.com"])
    client = client_of(acme_manager)

    token = token_of(client.post(CHECK, {"file": upload(file)}))

    redis = run_cache._cache.get_client(None)
    pattern = f"{run_cache.key_prefix}:*{token}*"
    waiting = [key.decode() for key in redis.scan_iter(match=pattern)]
    assert len(waiting) == 1
    _two_clicks_import_once(client, acme, file, token=token)
    assert list(redis.scan_iter(match=pattern)) == []


def _two_clicks_import_once(client, acme, file, *, token=None):
    token = token or token_of(client.post(CHECK, {"file": upload(file)}))

    assert client.post(START, {"upload": token}).status_code == 302
    second = client.post(START, {"upload": token})

    assert second.status_code == 404
    assert "This upload is no longer here" in second.content.decode()
    assert len(interactions(acme)) == 1
    assert len(import_entries(acme)) == 1


# --- files as spreadsheets write them ---------------------------------------------------------


def test_excel_semicolons_quotes_and_a_byte_order_mark(client_of, acme, acme_brand, acme_manager):
    now = timezone.now()
    file = csv_bytes(
        [
            ["External Reference", "Occurred At", "Customer-Email", "CUSTOMER_NAME", "Notes", ""],
            ['"V;1"', athens(now), "maria@example.com", '"Rossi; Μαρία"', '"She said ""thanks"""'],
            ["V-2", athens(now), "nikos@example.com", '"Νίκος\r\nΠαπαδόπουλος"', "", "x"],
        ],
        delimiter=";",
        bom=True,
        newline="\r\n",
    )
    client = client_of(acme_manager)

    checked = client.post(CHECK, {"file": upload(file)})

    check = import_check(actor=acme_manager, text=decode(file))
    assert (check.delimiter, check.errors) == (";", [])
    assert check.ignored_columns == ["Notes", "column 6 (no name)"]
    assert [(row.row, row.external_reference, row.name) for row in check.rows] == [
        (2, "V;1", "Rossi; Μαρία"),
        (3, "V-2", "Νίκος\r\nΠαπαδόπουλος"),
    ]
    assert "Ignored columns: Notes, column 6 (no name)" in checked.content.decode()
    client.post(START, {"upload": token_of(checked)})
    assert [row[0] for row in interactions(acme)] == ["V-2", "V;1"]
    assert Customer.objects.for_tenant(acme).get(email="maria@example.com").name == "Rossi; Μαρία"


def test_the_template_is_a_file_the_import_takes(client_of, acme, acme_brand, acme_manager):
    client = client_of(acme_manager)

    template = client.get(LIST + "template.csv")

    assert template["Content-Type"] == "text/csv; charset=utf-8"
    assert template.content.startswith("\ufeffexternal_reference,occurred_at,brand".encode())
    check = import_check(actor=acme_manager, text=decode(template.content))
    assert check.errors == []
    assert [(row.external_reference, row.brand, row.performer) for row in check.rows] == [
        ("EXAMPLE-0001", acme_brand, acme_manager),
        ("EXAMPLE-0002", acme_brand, None),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"x" * (5 * 1024 * 1024 + 1),
         "The file is larger than 5 MB: split it into smaller files."),
        (
            csv_bytes([["external_reference", "occurred_at", "customer_email"]]
                      + [[f"V-{n}", "2025-03-01 10:00", "a@example.com"] for n in range(10_001)]),
            "The file has more than 10,000 rows: split it into smaller files.",
        ),
        (b"PK\x03\x04workbook", "This is a workbook, not a CSV file."),
        ("external_reference,occurred_at,customer_email\nV-1,2025-03-01 10:00,jos\xe9@example.com\n"
         .encode("latin-1"), "The file is not UTF-8 text."),
        (b"external_reference,customer_email\nV-1,a@example.com\n",
         "The file has no “occurred_at” column."),
        (b"external_reference,occurred_at,customer_name\nV-1,2025-03-01 10:00,Al\n",
         "The file needs a “customer_email” or a “customer_phone” column, or both."),
        (b"external_reference,occurred_at,customer_email\n",
         "The file has no rows to import under its column names."),
        (b'external_reference,occurred_at,customer_email\nV-1,"2025-03-01 10:00,a@example.com\n',
         "Row 2 cannot be read: a quote"),
    ],
)  # fmt: skip
def test_a_file_that_cannot_be_imported_says_why(
    client_of, acme, acme_brand, acme_manager, content, message
):
    page = client_of(acme_manager).post(CHECK, {"file": upload(content)})

    assert page.status_code == 400
    assert message in page.content.decode().replace("&quot;", '"')
    assert 'name="upload"' not in page.content.decode()
    assert interactions(acme) == []


def test_several_brands_need_a_brand_column(acme, acme_brand, acme_home, acme_manager):
    file = simple_file(["V-1", "2025-03-01 10:00", "a@example.com"])

    with pytest.raises(ApplicationError, match="the file needs a “brand” column"):
        import_check(actor=acme_manager, text=file.decode())


# --- a big file goes in batches ---------------------------------------------------------------


def test_a_big_file_goes_in_batches_the_page_asks_for(
    client_of, acme, acme_brand, acme_manager, monkeypatch
):
    monkeypatch.setattr("surveys.interactions.importing.BATCH_ROWS", 2)
    file = csv_bytes(
        [["external_reference", "occurred_at", "customer_email"]]
        + [[f"V-{n}", athens(timezone.now()), f"c{n}@example.com"] for n in range(5)]
    )
    client = client_of(acme_manager)
    token = token_of(client.post(CHECK, {"file": upload(file)}))

    started = client.post(START, {"upload": token})

    assert started.url == f"/acme/surveys/interactions/import/{token}/"
    progress = client.get(started.url).content.decode()
    assert "2 of 5 rows" in progress and 'hx-trigger="load"' in progress
    assert "is not finished: 2 of 5 rows" in client.get(LIST).content.decode()
    assert len(interactions(acme)) == 2 and import_entries(acme) == []

    second = client.post(started.url + "continue/", headers={"HX-Request": "true"})
    assert second.status_code == 200 and "4 of 5 rows" in second.content.decode()

    last = client.post(started.url + "continue/", headers={"HX-Request": "true"})
    entry = AuditEntry.objects.for_tenant(acme).get(action="interaction.imported")
    assert last["HX-Redirect"] == f"/acme/surveys/interactions/imports/{entry.pk}/"
    assert entry.changes == changes(rows=5, created=5, decisions={"no_rule": 5})
    assert len(interactions(acme)) == 5
    assert "is not finished" not in client.get(LIST).content.decode()
    assert client.post(started.url + "continue/").status_code == 404


def test_a_batch_asked_from_two_windows_runs_once(
    client_of, acme, acme_brand, acme_manager, monkeypatch
):
    monkeypatch.setattr("surveys.interactions.importing.BATCH_ROWS", 1)
    file = simple_file(
        ["V-1", athens(timezone.now()), "a@example.com"],
        ["V-2", athens(timezone.now()), "b@example.com"],
    )
    client = client_of(acme_manager)
    token = token_of(client.post(CHECK, {"file": upload(file)}))
    client.post(START, {"upload": token})

    with run_lock(actor=acme_manager, token=token):
        busy = client.post(f"{START}{token}/continue/")

    assert busy.status_code == 409
    html = busy.content.decode()
    assert "This import is going on in another window." in html
    assert 'hx-trigger="load"' not in html
    assert len(interactions(acme)) == 1


# --- who may ----------------------------------------------------------------------------------


@pytest.fixture
def imported(acme, acme_brand, acme_manager):
    """One import of Acme's (a customer, an interaction and the audit entry)."""
    file = csv_bytes(
        [
            ["external_reference", "occurred_at", "customer_email", "customer_name"],
            ["V-1", athens(timezone.now()), "maria@example.com", "Maria Rossi"],
        ]
    )
    return interactions_import(actor=acme_manager, text=file.decode(), file_name="a.csv")


@pytest.mark.parametrize(
    ("persona", "list_status", "import_status"),
    [
        ("acme_admin", 200, 200),
        ("acme_manager", 200, 200),
        ("acme_agent", 200, 403),
        ("acme_analyst", 200, 403),
        ("acme_performer", 403, 403),
    ],
)
def test_who_may_read_and_who_may_import(
    request, client_of, acme, imported, persona, list_status, import_status
):
    member = request.getfixturevalue(persona)
    client = client_of(member)
    file = simple_file(["V-2", athens(timezone.now()), "luca@example.com"])

    listed = client.get(LIST)
    checked = client.post(CHECK, {"file": upload(file)})

    assert listed.status_code == list_status
    if list_status == 200:
        # Maria's visit has no performer: an agent, who sees their department's, sees it not.
        assert ("Maria Rossi" in listed.content.decode()) is (persona != "acme_agent")
        assert ("Check the file" in listed.content.decode()) is (import_status == 200)
    assert checked.status_code == import_status
    assert client.get(LIST + "template.csv").status_code == import_status
    assert client.get(f"{LIST}imports/{imported.pk}/").status_code == import_status
    if import_status == 403:
        assert client.post(START, {"upload": "x" * 24}).status_code == 403
    assert [row[0] for row in interactions(acme)] == ["V-1"]
    assert len(import_entries(acme)) == 1


def test_another_members_upload_is_not_theirs_to_import(
    client_of, acme, acme_brand, acme_manager, acme_admin
):
    file = simple_file(["V-1", athens(timezone.now()), "a@example.com"])
    token = token_of(client_of(acme_manager).post(CHECK, {"file": upload(file)}))

    refused = client_of(acme_admin).post(START, {"upload": token})

    assert refused.status_code == 404
    assert interactions(acme) == []
    # Still there for Mario.
    assert client_of(acme_manager).post(START, {"upload": token}).status_code == 302


def test_another_tenant_sees_and_imports_nothing_of_acme(
    client_of, acme, globex, globex_brand, imported, acme_manager, globex_manager
):
    file = simple_file(["V-2", athens(timezone.now()), "luca@example.com"])
    acme_token = token_of(client_of(acme_manager).post(CHECK, {"file": upload(file)}))
    client = client_of(globex_manager)

    assert client.get(LIST).status_code == 404
    assert client.post(CHECK, {"file": upload(file)}).status_code == 404
    assert client.post(START, {"upload": acme_token}).status_code == 404
    assert client.get(f"{LIST}imports/{imported.pk}/").status_code == 404
    assert client.get(LIST + "template.csv").status_code == 404
    # Acme's upload and import through Globex's own pages: as if they did not exist.
    assert (
        client.post("/globex/surveys/interactions/import/", {"upload": acme_token}).status_code
        == 404
    )
    assert client.get(f"/globex/surveys/interactions/imports/{imported.pk}/").status_code == 404
    own = client.get("/globex/surveys/interactions/").content.decode()
    assert "Maria Rossi" not in own and "a.csv" not in own
    assert [row[0] for row in interactions(acme)] == ["V-1"]
    assert interactions(globex) == [] and import_entries(globex) == []


# --- the list -----------------------------------------------------------------------------------


def test_the_list_is_newest_first_and_filters_by_decision(
    client_of, acme, acme_setup, acme_brand, acme_agent, survey
):
    now = timezone.now()
    maria = make_customer(acme, "Maria Rossi", "maria@example.com")
    luca = make_customer(acme, "Luca Bianchi", "luca@example.com")
    record(
        acme_brand,
        maria,
        occurred_at=now - timedelta(hours=1),
        now=now,
        reference="R-1",
        source="import",
        performer=acme_agent,
    )
    record(
        acme_brand,
        luca,
        occurred_at=now - timedelta(days=2),
        now=now,
        reference="R-2",
        performer=acme_agent,
    )

    page = client_of(acme_agent).get(LIST).content.decode()
    too_old = client_of(acme_agent).get(LIST + "?decision=too_old").content.decode()

    assert page.index("Maria Rossi") < page.index("Luca Bianchi")
    assert "Invited" in page and "Event older than the maximum age" in page and "Bob" in page
    assert "Luca Bianchi" in too_old and "Maria Rossi" not in too_old
    too_old_only = InteractionFilterSet(
        {"decision": "too_old"},
        queryset=visible_interactions(acme_agent),
        request=as_member(acme_agent),
    )
    assert interactions_page(acme_agent, too_old_only.qs).rows == [
        Interaction.objects.for_tenant(acme).get(external_reference="R-2")
    ]


def test_the_list_pages_without_counting(client_of, acme, acme_brand, acme_manager):
    now = timezone.now()
    maria = make_customer(acme, "Maria Rossi", "maria@example.com")
    for n in range(PAGE_SIZE + 1):
        record(
            acme_brand, maria, occurred_at=now - timedelta(minutes=n), now=now, reference=f"R-{n}"
        )

    first = interactions_page(acme_manager)
    second = interactions_page(acme_manager, number=2)

    assert (len(first.rows), first.has_next) == (PAGE_SIZE, True)
    assert [i.external_reference for i in second.rows] == [f"R-{PAGE_SIZE}"]
    assert (second.has_next, second.has_previous) == (False, True)
    assert 'rel="next"' in client_of(acme_manager).get(LIST).content.decode()
