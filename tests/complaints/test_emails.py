"""Customer emails go out through the outbox, a real worker and a real SMTP server."""

import re

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from complaints.lifecycle import State
from notifications.models import Delivery
from tests.complaint_fixtures import file_complaint

pytestmark = pytest.mark.worker


def test_the_acknowledgement_email_arrives_with_the_reference_and_a_working_status_link(
    celery_worker, _smtp_sink, acme_setup, acme_brand, client
):
    complaint = file_complaint(acme_brand, email="eleni@example.com", language="en")

    [message] = _smtp_sink.wait_for(1, timeout=30)

    assert message["To"] == "eleni@example.com"
    assert message["From"] == "Acme Motor <care@acme-motor.example>"
    assert complaint.reference in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f"border-top:6px solid {acme_brand.colour}" in html
    assert complaint.reference in html
    link = re.search(rf"{re.escape(settings.SITE_URL)}(/c/acme/status/\S+)", body).group(1)
    page = client.get(link, follow=True)
    assert page.status_code == 200
    assert complaint.reference in page.content.decode()
    delivery = Delivery.objects.for_tenant(acme_setup).get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 1)


def test_each_customer_visible_step_sends_one_email_in_the_customers_language(
    celery_worker, _smtp_sink, complaint_in
):
    complaint = complaint_in(State.RESPONSE_SENT, email="giorgos@example.com", language="el")

    messages = _smtp_sink.wait_for(3, timeout=30)

    # received, acknowledged, decision: one each, never twice.
    assert len(messages) == 3
    with translation.override("el"):
        greek = gettext("We have received your complaint %(reference)s") % {
            "reference": complaint.reference
        }
    assert greek != f"We have received your complaint {complaint.reference}"
    assert greek in {m["Subject"].strip() for m in messages}
    assert len({m["Subject"] for m in messages}) == 3
    assert all(complaint.reference in m["Subject"] for m in messages)
    assert all(m["To"] == "giorgos@example.com" for m in messages)
