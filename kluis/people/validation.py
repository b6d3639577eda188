"""Normalising and validating HR values: phone numbers, national numbers, IBANs, addresses.

Each function returns the normalised value or raises ValidationError with a message a
person can act on. Libraries do the hard parts (phonenumbers, python-stdnum, schwifty).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.be import nn as be_nn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import bsn as nl_bsn

from kluis.formats import day_text
from kluis.people.fields import ADDRESS_PARTS

COUNTRIES = {
    "BE": gettext_lazy("Belgium"),
    "NL": gettext_lazy("Netherlands"),
    "FR": gettext_lazy("France"),
    "DE": gettext_lazy("Germany"),
    "LU": gettext_lazy("Luxembourg"),
    "GB": gettext_lazy("United Kingdom"),
    "ES": gettext_lazy("Spain"),
    "IT": gettext_lazy("Italy"),
    "PL": gettext_lazy("Poland"),
    "PT": gettext_lazy("Portugal"),
    "RO": gettext_lazy("Romania"),
    "TR": gettext_lazy("Türkiye"),
    "MA": gettext_lazy("Morocco"),
    "US": gettext_lazy("United States"),
}
CURRENCIES = {"EUR", "USD", "GBP", "CHF", "PLN"}


def text(value: Any, *, max_length: int = 150, required: bool = False) -> str:
    value = "" if value is None else str(value).strip()
    if "\x00" in value:
        raise ValidationError(_("Remove the NUL character (\\x00) from this text."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(_("This text holds a character that is not valid Unicode.")) from None
    if required and not value:
        raise ValidationError(_("This field is required."))
    if len(value) > max_length:
        raise ValidationError(_("Use at most %(n)d characters.") % {"n": max_length})
    return value


def email(value: Any) -> str:
    value = text(value, max_length=254).lower()
    if value:
        validate_email(value)
    return value


def phone(value: Any, *, region: str = "BE") -> str:
    """E.164, e.g. +32470123456; a local number is read in the company's country."""
    raw = text(value, max_length=40)
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a valid phone number, e.g. +32 470 12 34 56.")) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number, e.g. +32 470 12 34 56."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None


# A person's dates: the bounds every form, the API and the import share.
EARLIEST_DAY = dt.date(1900, 1, 1)
WORKING_AGE = 14  # years: the youngest age at which anyone can be born and employed here
FUTURE_START_DAYS = 2 * 366  # a contract is agreed at most about two years ahead


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def start_date_bounds() -> tuple[dt.date, dt.date]:
    """The first and last start day allowed today (also the days a leave request or a sick
    period may name: kluis/timeoff/dates.py)."""
    return EARLIEST_DAY, timezone.localdate() + dt.timedelta(days=FUTURE_START_DAYS)


def birth_date_bounds() -> tuple[dt.date, dt.date]:
    """The first and last birth date allowed today."""
    return EARLIEST_DAY, _years_after(timezone.localdate(), -WORKING_AGE)


def birth_date(value: Any) -> dt.date | None:
    """Between 1 January 1900 and the day someone turned 14 (a person HR can employ)."""
    born = date(value)
    if born is None:
        return None
    latest = birth_date_bounds()[1]
    if born < EARLIEST_DAY or born > latest:
        raise ValidationError(
            _("Enter a birth date between %(first)s and %(last)s.")
            % {"first": day_text(EARLIEST_DAY), "last": day_text(latest)}
        )
    return born


def start_date(value: Any, *, born: dt.date | None = None) -> dt.date | None:
    """A hire or contract start: from 1900 up to about two years ahead, and (when the birth
    date is known) not before the person's 14th birthday."""
    day = date(value)
    if day is None:
        return None
    latest = start_date_bounds()[1]
    if day < EARLIEST_DAY or day > latest:
        raise ValidationError(
            _("Enter a start date between %(first)s and %(last)s.")
            % {"first": day_text(EARLIEST_DAY), "last": day_text(latest)}
        )
    if born is not None and day < _years_after(born, WORKING_AGE):
        raise ValidationError(
            _("This start date is before the person turned 14 (born %(born)s).")
            % {"born": day_text(born)}
        )
    return day


def probation_end(
    value: Any, *, start: dt.date | None, end: dt.date | None = None
) -> dt.date | None:
    """The last day of a contract's probation period (empty: none): on or after the
    contract's start and, for a contract with an end, not after that end."""
    day = date(value)
    if day is None:
        return None
    if start is not None and day < start:
        raise ValidationError(
            _("The end of probation comes before the contract's start (%(start)s).")
            % {"start": day_text(start)}
        )
    if end is not None and day > end:
        raise ValidationError(
            _("The end of probation comes after the contract's end (%(end)s).")
            % {"end": day_text(end)}
        )
    return day


def person_name(value: Any, *, required: bool = False, max_length: int = 100) -> str:
    """A first, last or preferred name: any script, but at least one letter."""
    name = text(value, max_length=max_length, required=required)
    if name and not any(ch.isalpha() for ch in name):
        raise ValidationError(_("A name must contain at least one letter."))
    return name


def country(value: Any) -> str:
    value = text(value, max_length=2).upper()
    if value and value not in COUNTRIES:
        raise ValidationError(_("Choose a country from the list."))
    return value


def choice(value: Any, allowed: list[str] | set[str]) -> str:
    value = text(value, max_length=30)
    if value not in allowed:
        raise ValidationError(
            _("Choose one of: %(options)s.")
            % {"options": ", ".join(sorted(a for a in allowed if a))}
        )
    return value


def national_id(value: Any, country_code: str = "BE") -> str:
    """Belgian rijksregisternummer or Dutch BSN, compact digits; checked by python-stdnum."""
    raw = text(value, max_length=30)
    if not raw:
        return ""
    module = nl_bsn if country_code == "NL" else be_nn
    try:
        return str(module.validate(raw))
    except StdnumError:
        if country_code == "NL":
            raise ValidationError(_("This is not a valid Dutch BSN.")) from None
        raise ValidationError(_("This is not a valid Belgian national number.")) from None


def detect_national_id(value: Any) -> tuple[str, str]:
    """(country, compact) for a Belgian (11 digits) or Dutch (9 digits) number."""
    raw = text(value, max_length=30)
    if not raw:
        return "", ""
    digits = "".join(ch for ch in raw if ch.isdigit())
    if len(digits) in (8, 9):
        return "NL", national_id(raw, "NL")
    return "BE", national_id(raw, "BE")


def iban(value: Any) -> str:
    raw = text(value, max_length=50)
    if not raw:
        return ""
    try:
        return str(IBAN(raw).compact)
    except SchwiftyException:
        raise ValidationError(_("This is not a valid IBAN.")) from None


def address(value: Any) -> dict[str, str]:
    """A home address as parts; empty parts are allowed, an unknown country is not."""
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(
            _("Give the address as street, number, postal code, city and country.")
        )
    clean = {part: text(value.get(part), max_length=120) for part in ADDRESS_PARTS}
    clean["country"] = country(clean["country"])
    if not any(clean.values()):
        return {}
    if not clean["street"] or not clean["city"]:
        raise ValidationError(_("An address needs at least a street and a city."))
    return clean


def money(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, AttributeError):
        raise ValidationError(_("Enter an amount such as 3250.00.")) from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("100000000"):
        raise ValidationError(_("Enter an amount between 0 and 100,000,000."))
    return amount.quantize(Decimal("0.01"))


def currency(value: Any) -> str:
    code = text(value or "EUR", max_length=3).upper()
    if code not in CURRENCIES:
        raise ValidationError(
            _("Choose a currency: %(codes)s.") % {"codes": ", ".join(sorted(CURRENCIES))}
        )
    return code


def hours(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, AttributeError):
        raise ValidationError(_("Enter hours such as 38 or 19.5.")) from None
    if not amount.is_finite() or amount < 0 or amount > 80:
        raise ValidationError(_("Hours per week are between 0 and 80."))
    return amount.quantize(Decimal("0.01"))


def weekly_schedule(value: Any) -> list[float]:
    if not value:
        return []
    if isinstance(value, str):
        value = [part for part in value.replace(";", ",").split(",") if part.strip()]
    if not isinstance(value, list | tuple) or len(value) != 7:
        raise ValidationError(_("Give the hours of each day, Monday to Sunday: 8,8,8,8,8,0,0."))
    days = []
    for item in value:
        day = float(hours(item))
        if day > 24:
            raise ValidationError(_("A day has at most 24 hours."))
        days.append(day)
    return days
