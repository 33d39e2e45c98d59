"""The OpenAPI schema and its Swagger page answer staff only.

The schema maps every endpoint and field of the API: Alice (Acme's admin) reads it, an
anonymous visitor and a user with no active workspace do not.
"""

import base64

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.postgres


def test_anonymous_gets_no_schema_and_the_docs_page_sends_to_login(client):
    schema = client.get(reverse("api-schema"))
    assert schema.status_code in {401, 403}
    assert b"openapi" not in schema.content

    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 302
    assert docs["Location"].startswith(reverse("login"))
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 302


def test_a_user_with_no_workspace_gets_no_schema(client, acme_agent):
    acme_agent.is_active = False
    acme_agent.save()
    client.force_login(acme_agent.user)
    assert client.get(reverse("api-schema")).status_code == 403
    assert client.get(reverse("api-docs")).status_code == 403

    client.force_login(UserFactory())
    assert client.get(reverse("api-schema")).status_code == 403


def test_staff_read_the_schema_and_the_docs(client, acme_admin):
    client.force_login(acme_admin.user)
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Loopdesk API"

    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200
    assert "Loopdesk API" in docs.content.decode()
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert reverse("api-schema") in script.content.decode()


def test_basic_authentication_reads_the_schema(client, acme_admin):
    # The API's own authentication (no session): an integration's credentials read it too.
    user = acme_admin.user
    user.set_password("correct horse battery")
    user.save()
    token = base64.b64encode(f"{user.get_username()}:correct horse battery".encode()).decode()
    response = client.get(reverse("api-schema"), HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code == 200
