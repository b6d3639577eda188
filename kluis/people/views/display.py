"""How the self-service pages show a value: national numbers, phone numbers, IBANs and
addresses formatted as a person reads them, and the link to an HR profile."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django.urls import NoReverseMatch, reverse
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.be import nn as be_nn
from stdnum.nl import bsn as nl_bsn

from kluis.people.fields import ADDRESS_PARTS, EMPLOYEE_FIELDS
from kluis.people.models import EmployeeStatus, Gender
from kluis.people.validation import COUNTRIES


def detail_url(pk: int) -> str | None:
    """The HR profile page of an employee, when that page is installed."""
    try:
        return reverse("people:detail", args=[pk])
    except NoReverseMatch:
        return None


def format_national_id(value: str) -> str:
    if len(value) == 11:
        return str(be_nn.format(value))
    if len(value) == 9:
        return str(nl_bsn.format(value))
    return value


def format_phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


def format_iban(value: str) -> str:
    try:
        return str(IBAN(value).formatted)
    except SchwiftyException:
        return value


def format_address(address: dict[str, str]) -> list[str]:
    """The address as the lines of an envelope."""
    if not address:
        return []
    parts = {part: address.get(part, "") for part in ADDRESS_PARTS}
    lines = [
        f"{parts['street']} {parts['number']}".strip(),
        f"{parts['postal_code']} {parts['city']}".strip(),
        str(COUNTRIES.get(parts["country"], parts["country"])),
    ]
    return [line for line in lines if line]


def shown(name: str, value: Any) -> Any:
    """A field's value as a person reads it."""
    if value in (None, "", {}):
        return ""
    if name == "status":
        return EmployeeStatus(value).label if value in EmployeeStatus.values else value
    if name == "gender":
        return Gender(value).label if value in Gender.values else value
    if name in ("department", "team", "manager"):
        return str(value)
    if EMPLOYEE_FIELDS.get(name) is not None and EMPLOYEE_FIELDS[name].kind == "phone":
        return format_phone(str(value))
    if name == "nationality":
        return COUNTRIES.get(value, value)
    if name == "national_id":
        return format_national_id(str(value))
    if name == "iban":
        return format_iban(str(value))
    return value
