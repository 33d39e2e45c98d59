"""Customer emails go out through the outbox, a real worker and a real SMTP server."""

import re
import time

import pytest
from django.conf import settings

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
    assert message["Subject"] == f"We have received your complaint {complaint.reference}"
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

    _smtp_sink.wait_for(3, timeout=30)
    deliveries = Delivery.objects.for_tenant(complaint.tenant_id).order_by("pk")
    settled = wait_until(lambda: all(d.status == Delivery.Status.SENT for d in deliveries))

    # received, acknowledged, decision: one each, sent once (a second send would be a second
    # attempt on its row: every row is final by now).
    assert settled
    assert [(d.status, d.attempts) for d in deliveries] == [(Delivery.Status.SENT, 1)] * 3
    reference = complaint.reference
    # In Greek, copied by hand from locale/el.
    # (A folded, encoded Subject header reads back with a leading space.)
    assert sorted((m["To"], m["Subject"].strip()) for m in _smtp_sink.messages) == sorted(
        [
            ("giorgos@example.com", f"Λάβαμε το παράπονό σας {reference}"),
            ("giorgos@example.com", f"Το παράπονό σας {reference} βρίσκεται υπό εξέταση"),
            ("giorgos@example.com", f"Η απόφασή μας για το παράπονό σας {reference}"),
        ]
    )


def wait_until(condition, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
