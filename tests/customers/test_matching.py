"""Who counts as the same person: the email decides; a phone alone only when no email is given."""

import pytest

from customers.models import Customer
from customers.services import customer_match_or_create
from notifications.models import Delivery
from tests.complaint_fixtures import file_complaint


def customers(tenant):
    return list(
        Customer.objects.for_tenant(tenant)
        .order_by("pk")
        .values_list("name", "email_key", "phone_key")
    )


def test_a_new_email_with_a_known_phone_is_a_new_customer(acme_setup, acme_brand):
    # given Maria, known by her email and the household's phone
    maria = file_complaint(
        acme_brand, name="Maria Rossi", email="maria@example.com", phone="+30 210 0001000"
    )

    # when her husband files with his own email and the same phone
    nikos = file_complaint(
        acme_brand, name="Nikos Rossi", email="nikos@example.com", phone="210 0001000"
    )

    # then he is a customer of his own, and his receipt goes to him, not to Maria
    assert nikos.customer_id != maria.customer_id
    assert customers(acme_setup) == [
        ("Maria Rossi", "maria@example.com", "+302100001000"),
        ("Nikos Rossi", "nikos@example.com", "+302100001000"),
    ]
    receipts = Delivery.objects.for_tenant(acme_setup).order_by("pk")
    assert list(receipts.values_list("recipient", flat=True)) == [
        "maria@example.com",
        "nikos@example.com",
    ]


def test_staff_filing_a_new_email_with_a_known_phone_make_a_new_customer(
    acme_setup, acme_brand, acme_admin
):
    by_phone = file_complaint(acme_brand, name="Phone Person", email="", phone="+302100001000")

    filed = file_complaint(
        acme_brand, name="Maria", email="maria@example.com", phone="+302100001000", actor=acme_admin
    )

    assert filed.customer_id != by_phone.customer_id
    # and the phone-only customer learned nobody's email
    assert customers(acme_setup) == [
        ("Phone Person", "", "+302100001000"),
        ("Maria", "maria@example.com", "+302100001000"),
    ]


@pytest.mark.parametrize("email", ["", "   "])
def test_a_phone_alone_finds_the_earliest_customer_with_it(acme, email):
    first = customer_match_or_create(tenant=acme, name="First", phone="+302100001000")
    customer_match_or_create(tenant=acme, name="Second", email="b@example.com", phone="2100001000")

    found = customer_match_or_create(tenant=acme, name="Caller", email=email, phone="210 0001000")

    assert found.pk == first.pk
    assert [name for name, *_keys in customers(acme)] == ["First", "Second"]


def test_an_email_finds_its_customer_whatever_phone_comes_with_it(acme):
    maria = customer_match_or_create(
        tenant=acme, name="Maria", email="maria@example.com", phone="+302100001000"
    )

    found = customer_match_or_create(
        tenant=acme, name="M.", email="MARIA@example.com", phone="+30 699 999 9999"
    )

    assert found.pk == maria.pk
    assert customers(acme) == [("Maria", "maria@example.com", "+302100001000")]
