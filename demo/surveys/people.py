"""The demo's customers: names in their own languages, and the contacts they left."""

import random

from customers.models import Customer
from customers.services import contact_keys
from demo.surveys import story
from tenants.models import Tenant

REFERENCE_PREFIX = "demo-"  # the demo's events (and customers)


def new_customers(tenant: Tenant, rng: random.Random, count: int) -> list[Customer]:
    """``count`` new demo customers in the story's languages (not saved), some without an
    email address, some who opted out or gave no consent to email."""
    languages = list(story.PEOPLE)
    weights = [story.PEOPLE[language][0] for language in languages]
    customers = []
    for number in range(1, count + 1):
        language = rng.choices(languages, weights=weights)[0]
        _share, firsts, lasts = story.PEOPLE[language]
        index = rng.randrange(len(firsts))
        # Pair by gender (same parity) where the last name has one.
        last_index = rng.randrange(index % 2, len(lasts), 2)
        (first, first_latin), (last, last_latin) = firsts[index], lasts[last_index]
        email = f"{first_latin}.{last_latin}.{number}@example.net"
        phone = f"+30 694 {number:07d}"  # not a number the complaints demo gives out
        kind = rng.choices(["ok", "no email", "opted out", "no consent"], weights=story.CONTACT)[0]
        if kind == "no email":
            email = ""
        elif rng.random() < 0.5:
            phone = ""
        customers.append(
            Customer(
                tenant=tenant,
                name=f"{first} {last}",
                email=email,
                phone=phone,
                **contact_keys(tenant=tenant, email=email, phone=phone),
                language=language,
                external_id=f"{REFERENCE_PREFIX}{number:05d}",
                survey_opt_out=kind == "opted out",
                consent_email=kind != "no consent",
            )
        )
    return customers
