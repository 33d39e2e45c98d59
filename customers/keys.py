"""Contact keys: what two contacts must share to be the same email address or phone number.

An email address is compared lower-cased. A phone number is compared in E.164, parsed with the
tenant's country as the region a number without a country code belongs to, so that in Greece
"+30 210 0001000", "210 0001000" and "0030 210-000 1000" are one key ("+302100001000"). A number
``phonenumbers`` cannot read as a possible one keeps its digits (and a leading +), so nothing a
customer typed is thrown away.
"""

import re

import phonenumbers


def email_key(email: str) -> str:
    return (email or "").strip().lower()


def phone_key(phone: str, *, region: str) -> str:
    """The E.164 form of ``phone`` read in ``region`` (an ISO 3166 code, the tenant's country)."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    try:
        number = phonenumbers.parse(phone, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = re.sub(r"\D", "", phone)
    return f"+{digits}" if phone.startswith("+") and digits else digits
