"""The brands settings pages: admins add and change brands (audited), managers read, other
roles see nothing, another tenant's brand is a missing one; the colour must read, the logo
must be a PNG or JPEG by its bytes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from notifications.models import Delivery
from tenants.branding import colour_is_readable, contrast_ratio, ink_on
from tenants.models import AuditEntry, Brand, BrandText
from tests.complaint_fixtures import file_complaint
from tests.factories import BrandFactory

LIST = "/acme/settings/brands/"
NEW = "/acme/settings/brands/new/"
# The smallest PNG and JPEG heads the check reads (signature, first chunk / marker).
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _form(**overrides) -> dict:
    data = {
        "name": "Acme Home",
        "slug": "acme-home",
        "reference_prefix": "ahm",
        "colour": "#1F5FA8",
        "sender_name": "Acme Home Care",
        "sender_email": "care@acme-home.example",
        "reply_to_email": "desk@acme-home.example",
        "phone": "+30 210 555 0100",
        "contact_email": "complaints@acme-home.example",
        "postal_address": "1 Harbour Street\nPiraeus",
        "is_active": "on",
        "how_to_complain_el": "Γράψτε μας: απαντάμε σε δύο εργάσιμες.",
        "how_to_complain_en": "",
    }
    data.update(overrides)
    return data


def _audits(tenant, action):
    return AuditEntry.objects.for_tenant(tenant).filter(action=action)


def test_an_admin_adds_a_brand_with_a_logo_and_it_is_audited(acme_admin, client_of, client):
    logo = SimpleUploadedFile("home.png", PNG, "image/png")

    response = client_of(acme_admin).post(NEW, _form(logo=logo))

    assert response.status_code == 302
    brand = Brand.objects.for_tenant(acme_admin.tenant).get(slug="acme-home")
    assert (brand.reference_prefix, brand.colour, brand.reply_to_email, brand.contact_email) == (
        "AHM",
        "#1f5fa8",
        "desk@acme-home.example",
        "complaints@acme-home.example",
    )
    assert brand.logo.name.startswith(f"brands/{acme_admin.tenant_id}-")
    assert brand.logo.name.endswith(".png") and "home" not in brand.logo.name
    texts = BrandText.objects.for_tenant(acme_admin.tenant).filter(brand=brand)
    assert list(texts.values_list("language", "how_to_complain")) == [
        ("el", "Γράψτε μας: απαντάμε σε δύο εργάσιμες.")
    ]
    entry = _audits(acme_admin.tenant, "brand.created").get()
    assert entry.actor == acme_admin.user
    assert entry.changes["reference_prefix"] == [None, "AHM"]
    assert entry.changes["how_to_complain_el"] == [None, "Γράψτε μας: απαντάμε σε δύο εργάσιμες."]
    # The public pages show the logo, served as the PNG its bytes are.
    served = client.get("/c/acme/acme-home/logo/")
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == PNG


def test_the_how_to_complain_page_speaks_the_brands_words_in_the_readers_language(
    acme_admin, client_of, client
):
    client_of(acme_admin).post(NEW, _form())

    greek = client.get("/c/acme/acme-home/how-to-complain/", HTTP_ACCEPT_LANGUAGE="el")
    english = client.get("/c/acme/acme-home/how-to-complain/", HTTP_ACCEPT_LANGUAGE="en")

    assert "Γράψτε μας: απαντάμε σε δύο εργάσιμες." in greek.content.decode()
    page = english.content.decode()
    assert "Γράψτε μας" not in page
    assert "complaints help us put things right" in page  # our own words where it wrote none
    assert 'href="mailto:complaints@acme-home.example"' in page
    assert "1 Harbour Street<br>Piraeus" in page


def test_an_admin_changes_a_brand_and_its_emails_reply_to_its_new_address(
    acme_admin, acme_setup, acme_brand, client_of
):
    url = f"/acme/settings/brands/{acme_brand.pk}/"

    response = client_of(acme_admin).post(
        url,
        _form(
            name="Acme Motor",
            slug="acme-motor",
            reference_prefix="AMO",
            colour="#d9731a",
            reply_to_email="motor-desk@acme.example",
            how_to_complain_el="",
        ),
    )
    acme_brand.refresh_from_db()
    complaint = file_complaint(acme_brand, email="eleni@example.com")

    assert response.status_code == 302
    entry = _audits(acme_admin.tenant, "brand.changed").get()
    assert entry.changes["colour"] == ["#1f5fa8", "#d9731a"]
    assert entry.changes["reply_to_email"] == ["", "motor-desk@acme.example"]
    receipt = Delivery.objects.for_tenant(acme_admin.tenant).get(recipient="eleni@example.com")
    assert receipt.headers == {"Reply-To": "motor-desk@acme.example"}
    assert complaint.reference.startswith("AMO-")


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"slug": "acme-motor"}, "Another brand already has this slug."),
        ({"reference_prefix": "AMO"}, "Another brand already has this prefix."),
        ({"reference_prefix": "A1"}, "Two to six capital letters."),
        ({"slug": "status"}, "“status” is reserved."),
        # Aegean Direct's old green: 4.25:1 with white, 3.68:1 with the dark ink.
        ({"colour": "#0f8b6f"}, "Text on #0f8b6f reaches at most 4.25:1"),
        ({"colour": "blue"}, "Enter a colour as #RRGGBB."),
        ({"sender_name": 'Acme, "Home"'}, "A sender name cannot hold"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    acme_admin, acme_brand, client_of, overrides, field_message
):
    response = client_of(acme_admin).post(NEW, _form(**overrides))

    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert list(Brand.objects.for_tenant(acme_admin.tenant).values_list("slug", flat=True)) == [
        "acme-motor"
    ]
    assert not BrandText.objects.for_tenant(acme_admin.tenant).exists()
    assert not _audits(acme_admin.tenant, "brand.created").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "logo.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "“logo.png” is not a PNG or JPEG image.",
        ),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "is not a PNG or JPEG image."),
        ("logo.png", JPEG, "“logo.png” is not a PNG or JPEG image."),  # the name must agree
        ("logo.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", "is not a PNG or JPEG image."),
        ("logo.jpg", JPEG + b"\x00" * 600_000, "“logo.jpg” is larger than 512 KB."),
    ],
)
def test_a_logo_that_is_not_a_png_or_jpeg_by_its_bytes_is_refused(
    acme_admin, acme_brand, client_of, name, content, message
):
    url = f"/acme/settings/brands/{acme_brand.pk}/"
    form = _form(name="Acme Motor", slug="acme-motor", reference_prefix="AMO")

    response = client_of(acme_admin).post(url, {**form, "logo": SimpleUploadedFile(name, content)})

    assert response.status_code == 400
    assert message in response.content.decode()
    acme_brand.refresh_from_db()
    assert (acme_brand.name, acme_brand.logo.name) == ("Acme Motor", "")
    assert not _audits(acme_admin.tenant, "brand.changed").exists()


def test_a_jpeg_logo_replaces_the_png_and_the_old_file_goes(
    acme_admin, acme_brand, client_of, django_capture_on_commit_callbacks
):
    url = f"/acme/settings/brands/{acme_brand.pk}/"
    form = _form(name="Acme Motor", slug="acme-motor", reference_prefix="AMO")
    client = client_of(acme_admin)
    client.post(url, {**form, "logo": SimpleUploadedFile("a.png", PNG)})
    acme_brand.refresh_from_db()
    first = acme_brand.logo.name

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**form, "logo": SimpleUploadedFile("b.jpeg", JPEG)})

    acme_brand.refresh_from_db()
    assert acme_brand.logo.name.endswith(".jpeg")
    assert not acme_brand.logo.storage.exists(first)
    assert client.get("/c/acme/acme-motor/logo/")["Content-Type"] == "image/jpeg"


def test_a_prefix_other_brands_references_start_with_is_refused(
    acme_admin, acme_setup, acme_brand, client_of
):
    file_complaint(acme_brand)  # AMO-2026-000001
    client = client_of(acme_admin)
    client.post(
        f"/acme/settings/brands/{acme_brand.pk}/",
        _form(name="Acme Motor", slug="acme-motor", reference_prefix="AMT"),
    )

    response = client.post(NEW, _form(reference_prefix="AMO"))

    assert response.status_code == 400
    assert "Complaints of another brand have references starting with AMO" in (
        response.content.decode()
    )
    assert not Brand.objects.for_tenant(acme_admin.tenant).filter(slug="acme-home").exists()


def test_a_manager_reads_the_brands_but_cannot_change_them(acme_manager, acme_brand, client_of):
    client = client_of(acme_manager)
    url = f"/acme/settings/brands/{acme_brand.pk}/"

    listed = client.get(LIST)
    page = client.get(url)
    refused = client.post(url, _form(name="Renamed", slug="acme-motor", reference_prefix="AMO"))
    refused_new = client.post(NEW, _form())

    assert listed.status_code == page.status_code == 200
    assert "Acme Motor" in listed.content.decode()
    assert "Add a brand" not in listed.content.decode()
    assert "<fieldset disabled>" in page.content.decode()
    assert refused.status_code == refused_new.status_code == 403
    assert list(Brand.objects.for_tenant(acme_manager.tenant).values_list("name", flat=True)) == [
        "Acme Motor"
    ]
    assert not AuditEntry.objects.for_tenant(acme_manager.tenant).filter(
        action__startswith="brand."
    )


@pytest.mark.parametrize("persona", ["acme_agent", "acme_performer", "acme_analyst"])
def test_other_roles_do_not_see_the_brands(persona, request, acme_brand, client_of):
    client = client_of(request.getfixturevalue(persona))

    assert client.get(LIST).status_code == 403
    assert client.get(f"/acme/settings/brands/{acme_brand.pk}/").status_code == 403
    assert client.post(NEW, _form()).status_code == 403
    assert not Brand.objects.for_tenant(acme_brand.tenant).filter(slug="acme-home").exists()


def test_another_tenants_brand_is_a_missing_one(acme_admin, globex_brand, client_of):
    client = client_of(acme_admin)
    form = _form(name="Hijacked", slug="globex-road", reference_prefix="GRO")

    foreign = client.post(f"/acme/settings/brands/{globex_brand.pk}/", form)
    missing = client.post("/acme/settings/brands/987654321/", form)

    assert foreign.status_code == missing.status_code == 404
    assert "Globex" not in foreign.content.decode()  # the matrix compares the whole answers
    globex_brand.refresh_from_db()
    assert globex_brand.name == "Globex Road"


def test_the_brand_list_runs_a_fixed_number_of_queries(
    acme, acme_admin, client_of, django_assert_num_queries
):
    BrandFactory(tenant=acme, slug="brand-00", name="Brand 00")
    client = client_of(acme_admin)
    client.get(LIST)

    with django_assert_num_queries(5):  # the workspace's 4, the brands
        client.get(LIST)
    for number in range(1, 20):
        BrandFactory(tenant=acme, slug=f"brand-{number:02}", name=f"Brand {number:02}")
    with django_assert_num_queries(5):
        response = client.get(LIST)

    assert response.content.decode().count("/acme/settings/brands/") >= 20


# --- the ink a brand's colour is drawn with ------------------------------------------------------


@pytest.mark.parametrize(
    ("colour", "ink", "ratio"),
    [
        # Orange: against pure black it looked fine; drawn in the dark ink it still reads.
        ("#d9731a", "#1c2430", 4.77),
        ("#1f5fa8", "#ffffff", 6.44),
        # The green whose buttons had 3.67:1: dark ink was picked against pure black.
        ("#0f8b6f", "#ffffff", 4.25),
        ("#f5d90a", "#1c2430", 11.02),
    ],
)
def test_the_ink_is_chosen_against_the_inks_as_drawn(colour, ink, ratio):
    assert ink_on(colour) == ink
    assert round(contrast_ratio(colour, ink), 2) == ratio
    assert colour_is_readable(colour) is (ratio >= 4.5)


def test_the_demo_brands_read_at_wcag_aa():
    from demo.tenant import BRANDS

    colours = {row[1]: row[-1] for row in BRANDS}  # name → colour
    assert {name: colour_is_readable(colour) for name, colour in colours.items()} == {
        "Aegean Insurance": True,
        "Aegean Direct": True,
        "Aegean Road Assist": True,
    }
