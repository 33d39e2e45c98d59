"""Customer emails, complaint and survey alike, are rendered by one helper in one layout."""

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from notifications.emails import customer_email_enqueue, customer_email_render
from notifications.models import Delivery
from surveys.sender import invitations_run
from tenants.models import Brand, Tenant
from tests.complaint_fixtures import file_complaint
from tests.surveys.survey_fixtures import add_rule, make_customer, publish_survey, record

NOW = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
HEADER = re.compile(r"<body.*?</p>", re.S)  # the frame down to the brand's name
FOOTER = '<tr><td style="padding:12px 24px;font-size:12px;color:#5b6675;border-top:1px solid'


def test_complaint_and_survey_emails_share_the_layout_and_only_surveys_can_be_unsubscribed(
    acme_setup, acme_brand
):
    Brand.objects.for_tenant(acme_setup).filter(pk=acme_brand.pk).update(colour="#0f8b6f")
    acme_brand.refresh_from_db()
    complaint = file_complaint(acme_brand, email="eleni@example.com", language="en")
    version = publish_survey(acme_setup)
    add_rule(acme_setup, version.survey, delay_minutes=0)
    maria = make_customer(acme_setup, "Maria Rossi", "maria@example.com", language="en")
    record(acme_brand, maria, occurred_at=NOW - timedelta(hours=1), now=NOW, reference="ev-1")
    invitations_run(now=NOW)

    deliveries = Delivery.objects.for_tenant(acme_setup)
    complaint_email = deliveries.get(recipient="eleni@example.com")
    survey_email = deliveries.get(recipient="maria@example.com")

    brand_header = (
        '<p style="margin:0 0 16px;font-size:18px;font-weight:bold;color:#0f8b6f;">Acme Motor</p>'
    )
    complaint_header = HEADER.search(complaint_email.html_body).group()
    assert complaint_header == HEADER.search(survey_email.html_body).group()
    assert complaint_header.endswith(brand_header)
    assert "border-top:6px solid #0f8b6f;" in complaint_header
    for email in (complaint_email, survey_email):
        assert f"<title>{email.subject}</title>" in email.html_body
        assert email.html_body.rstrip().endswith("</td></tr></table>\n</body>\n</html>")
        assert email.sender == "Acme Motor <care@acme-motor.example>"
    # The complaint's button to its status page; the survey's score buttons and footer.
    assert ">Open your complaint</a>" in complaint_email.html_body
    assert complaint.reference in complaint_email.subject
    assert complaint_email.headers == {}
    assert FOOTER not in complaint_email.html_body
    unsubscribe_url = re.search(r"<(.*)>", survey_email.headers["List-Unsubscribe"]).group(1)
    assert unsubscribe_url.startswith(f"{settings.SITE_URL}/s/unsubscribe/")
    assert survey_email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        f'{FOOTER} #d9dee5;"><a href="{unsubscribe_url}" style="color:#5b6675;">'
        "No more survey emails</a></td></tr>"
    ) in survey_email.html_body
    assert survey_email.html_body.count("?score=") == 11


def acknowledgement(*, language="en", colour="#1f5fa8", resolve_due_at):
    """The acknowledgement of a complaint, rendered for Athens without touching the database."""
    return customer_email_render(
        tenant=Tenant(slug="acme", time_zone="Europe/Athens"),
        brand=Brand(name="Acme Motor", sender_name="Acme Motor", colour=colour),
        language=language,
        template="complaints/email/acknowledged",
        html_template="complaints/email/_html.html",
        context={
            "complaint": SimpleNamespace(
                reference="AMO-2026-000001", resolve_due_at=resolve_due_at
            ),
            "contact_name": "Maria Rossi",
            "status_url": "https://loopdesk.example/c/acme/status/AMO-2026-000001/?key=k",
        },
    )


def test_dates_in_a_customer_email_are_the_tenants_local_dates():
    # 23:30 in UTC is already the next day in Athens.
    email = acknowledgement(resolve_due_at=datetime(2026, 11, 3, 23, 30, tzinfo=UTC))

    assert "Our target for a decision: 4 Nov 2026." in email.body
    assert "Our target for a decision: 4 Nov 2026." in email.html


def test_a_customer_email_is_in_the_customers_language():
    email = acknowledgement(language="el", resolve_due_at=datetime(2026, 11, 3, 9, tzinfo=UTC))

    with translation.override("el"):
        subject = gettext("Your complaint %(reference)s is being handled") % {
            "reference": "AMO-2026-000001"
        }
        button = gettext("Open your complaint")
    assert subject != "Your complaint AMO-2026-000001 is being handled"
    assert email.subject == subject
    assert email.body.startswith("Αγαπητέ/ή Maria Rossi,\n")
    assert '<html lang="el">' in email.html
    assert f">{button}</a>" in email.html


@pytest.mark.parametrize(
    ("colour", "ink"), [("#f5d90a", "#1c2430"), ("#0f3d6e", "#ffffff"), ("not a colour", None)]
)
def test_the_button_is_in_the_brands_colour_with_ink_that_reads_on_it(colour, ink):
    email = acknowledgement(colour=colour, resolve_due_at=datetime(2026, 11, 3, 9, tzinfo=UTC))

    accent = colour if ink else "#1f5fa8"  # a broken colour falls back to the default
    assert f"background:{accent};color:{ink or '#ffffff'};" in email.html
    assert f"border-top:6px solid {accent};" in email.html


def test_the_same_key_queues_one_email_and_returns_it(acme, acme_brand):
    def enqueue(name):
        return customer_email_enqueue(
            tenant=acme,
            brand=acme_brand,
            recipient="maria@example.com",
            language="en",
            template="complaints/email/withdrawn",
            html_template="complaints/email/_html.html",
            context={
                "complaint": SimpleNamespace(reference="AMO-2026-000001"),
                "contact_name": name,
                "status_url": "https://loopdesk.example/c/acme/status/AMO-2026-000001/",
            },
            dedupe_key="complaint-1-withdrawn-v3",
        )

    first = enqueue("Maria Rossi")
    again = enqueue("Someone Else")

    assert again.pk == first.pk
    stored = Delivery.objects.for_tenant(acme).get()
    assert stored.subject == "Your complaint AMO-2026-000001 is withdrawn"
    assert stored.body.startswith("Dear Maria Rossi,\n")
    assert (stored.recipient, stored.status) == ("maria@example.com", Delivery.Status.PENDING)
