"""The request body cap (``tenants.limits``) and the headers every response carries
(``Permissions-Policy``, ``Referrer-Policy``)."""

import json

import pytest
from django.conf import settings as live_settings
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.urls import reverse

from complaints.attachments import MAX_ATTACHMENTS
from complaints.models import Complaint

pytestmark = pytest.mark.django_db

OVER = str(live_settings.LOOPDESK_MAX_REQUEST_BYTES + 1)


@pytest.fixture(autouse=True)
def _own_cache_and_media(own_cache, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def form_url(brand):
    return reverse(
        "public-complaint-form",
        kwargs={"tenant_slug": brand.tenant.slug, "brand_slug": brand.slug},
    )


def complaint_form(**overrides):
    return {
        "name": "Maria Rossi",
        "email": "maria.rossi@example.com",
        "language": "en",
        "subject": "Windscreen claim not paid",
        "description": "I claimed for a broken windscreen on 3 March; nobody has paid.",
        "website": "",
        **overrides,
    }


# --- the body cap -------------------------------------------------------------------------------


def test_an_over_limit_body_is_refused_with_413_before_it_is_read(client, acme_setup, acme_brand):
    # The client announces more bytes than it sends: reading the body would fail the test
    # (the test client's payload refuses to be read past its end), so a 413 proves it is unread.
    response = client.post(
        form_url(acme_brand),
        complaint_form(files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")]),
        CONTENT_LENGTH=OVER,
    )

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "larger than" in response.content.decode()
    assert response["Connection"] == "close"
    assert not Complaint.objects.for_tenant(acme_setup).exists()


def test_the_api_and_scripts_get_the_413_as_json(client, acme_setup, acme_brand):
    api = client.post("/api/complaints/", b"{}", "application/json", CONTENT_LENGTH=OVER)
    script = client.post(
        form_url(acme_brand), complaint_form(), HTTP_ACCEPT="application/json", CONTENT_LENGTH=OVER
    )

    assert [api.status_code, script.status_code] == [413, 413]
    assert json.loads(api.content) == json.loads(script.content) == {"error": "too_large"}


def test_a_body_within_the_limit_goes_through(client, acme_setup, acme_brand):
    response = client.post(form_url(acme_brand), complaint_form())

    assert response.status_code == 302
    assert Complaint.objects.for_tenant(acme_setup).count() == 1


def test_a_chunked_body_without_a_length_is_refused(client, acme_setup, acme_brand):
    response = client.generic(
        "POST", form_url(acme_brand), b"", CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked"
    )

    assert response.status_code == 411
    assert not Complaint.objects.for_tenant(acme_setup).exists()


def test_a_length_that_is_not_a_number_is_a_bad_request(client, acme_setup, acme_brand):
    response = client.post(form_url(acme_brand), complaint_form(), CONTENT_LENGTH="lots")

    assert response.status_code == 400


def test_a_rate_limited_address_cannot_make_the_server_store_its_upload(
    client, settings, monkeypatch, acme_setup, acme_brand
):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # any file over 1 KB would go to a temp file
    written = []
    original_init = TemporaryUploadedFile.__init__

    def recording_init(self, name, *args, **kwargs):
        written.append(name)
        original_init(self, name, *args, **kwargs)

    monkeypatch.setattr(TemporaryUploadedFile, "__init__", recording_init)

    def with_scan(subject, **extra):
        scan = SimpleUploadedFile(
            "claim.pdf", b"%PDF-1.4\n" + b"0" * 50_000, content_type="application/pdf"
        )
        return client.post(
            form_url(acme_brand), complaint_form(subject=subject, files=scan), **extra
        )

    for number in range(5):
        assert (
            client.post(form_url(acme_brand), complaint_form(subject=f"n{number}")).status_code
            == 302
        )

    response = with_scan("The sixth one")

    assert response.status_code == 429
    assert written == []
    text = response.content.decode()
    assert 'value="The sixth one"' in text
    assert "Please attach your files again" in text
    assert Complaint.objects.for_tenant(acme_setup).count() == 5
    # From an address within its limit the same file is taken (and spooled to disk as usual).
    assert with_scan("From next door", REMOTE_ADDR="10.0.0.9").status_code == 302
    assert written == ["claim.pdf"]


def test_the_limit_fits_the_largest_default_complaint_and_djangos_limits_agree(settings):
    largest_default_files = MAX_ATTACHMENTS * 10 * 1024 * 1024

    assert largest_default_files < live_settings.LOOPDESK_MAX_REQUEST_BYTES
    assert live_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= live_settings.LOOPDESK_MAX_REQUEST_BYTES
    assert live_settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= live_settings.LOOPDESK_MAX_REQUEST_BYTES
    middleware = live_settings.MIDDLEWARE
    assert middleware.index("tenants.limits.RequestSizeMiddleware") < min(
        middleware.index("config.health.HealthCheckMiddleware"),
        middleware.index("django.middleware.csrf.CsrfViewMiddleware"),
    )


def test_the_limit_is_a_setting(client, settings, acme_setup, acme_brand):
    settings.LOOPDESK_MAX_REQUEST_BYTES = 100

    response = client.post(form_url(acme_brand), complaint_form())

    assert response.status_code == 413
    assert not Complaint.objects.for_tenant(acme_setup).exists()


# --- headers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/accounts/login/", "/c/nobody/status/", "/healthz"])
def test_every_response_turns_off_browser_features_and_keeps_the_referrer_home(client, path):
    response = client.get(path)

    policy = response.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy
    assert response["Referrer-Policy"] == "same-origin"
