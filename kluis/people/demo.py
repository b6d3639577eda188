"""Realistic HR files for the demo companies (Faker, Belgian and Dutch locales), written
through the same services HR uses, so the demo has history and an audit trail too."""

from __future__ import annotations

import datetime as dt
import importlib
import random
import re
import unicodedata
from decimal import Decimal

from django.utils import timezone
from faker import Faker

from kluis.access.actor import Actor
from kluis.people import services
from kluis.people.models import CustomFieldDefinition, Department, Employee, Team
from kluis.people.services import organisation
from kluis.tenancy.models import Membership, Tenant

DEPARTMENTS = {
    "Engineering": ["Platform", "Product design", "Customer support"],
    "Sales": ["Sales", "Marketing"],
    "Finance": ["Accounting"],
    "People": ["HR"],
    "Operations": ["Facilities", "IT"],
}
JOBS = {
    "Platform": ["Backend developer", "Frontend developer", "DevOps engineer", "QA engineer"],
    "Product design": ["Product designer", "UX researcher"],
    "Customer support": ["Support engineer", "Support lead"],
    "Sales": ["Account executive", "Sales development representative"],
    "Marketing": ["Content marketer", "Marketing manager"],
    "Accounting": ["Accountant", "Controller"],
    "HR": ["HR business partner", "Payroll administrator"],
    "Facilities": ["Office manager", "Facility coordinator"],
    "IT": ["IT administrator", "Service desk agent"],
}
# Which team each demo login works in.
LOGIN_TEAMS = {
    "owner": ("People", None, "Managing director"),
    "hr": ("People", "HR", "HR manager"),
    "manager": ("Engineering", "Platform", "Team lead"),
    "member1": ("Engineering", "Platform", "Developer"),
    "member2": ("Engineering", "Platform", "Designer"),
    "member3": ("Engineering", "Platform", "Support engineer"),
    "employee": ("Finance", "Accounting", "Accountant"),
}


def _phone(rng: random.Random, country: str) -> str:
    if country == "NL":
        return f"+316{rng.randint(10, 58)}{rng.randint(100000, 999999)}"  # allocated ranges
    return f"+3247{rng.randint(0, 9)}{rng.randint(100000, 999999)}"


def mail_local(first: str, last: str) -> str:
    """jan.de.smet: accents dropped, only letters, digits and dots."""
    ascii_name = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
    local = re.sub(r"[^a-z0-9.]+", ".", ascii_name.lower()).strip(".")
    return re.sub(r"\.{2,}", ".", local)


def _work_email(first: str, last: str, domain: str) -> str:
    """jan.de.smet@demo-bv.test."""
    return f"{mail_local(first, last)}@{domain}.test"


def _names_by_gender() -> tuple[frozenset[str], frozenset[str]]:
    """(male, female) first names of Faker's Belgian and Dutch lists."""
    male: set[str] = set()
    female: set[str] = set()
    for locale in ("nl_BE", "nl_NL"):
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        male.update(provider.first_names_male)
        female.update(provider.first_names_female)
    return frozenset(male), frozenset(female)


MALE_NAMES, FEMALE_NAMES = _names_by_gender()


def gender_of(first_name: str) -> str:
    """The gender a first name is given to in the demo: male, female, or not stated when
    the name is either or unknown."""
    male, female = first_name in MALE_NAMES, first_name in FEMALE_NAMES
    if male and not female:
        return "male"
    if female and not male:
        return "female"
    return ""


def _first_name(fake: Faker, gender: str) -> str:
    if gender == "male":
        return str(fake.first_name_male())
    if gender == "female":
        return str(fake.first_name_female())
    return str(fake.first_name())


def _person(
    fake: Faker,
    rng: random.Random,
    country: str,
    *,
    first: str,
    last: str,
    gender: str,
    start: dt.date,
) -> dict[str, object]:
    """One person's private data, of a piece with their name and gender: born at least 18
    years before their contract starts, a private e-mail made of their own name."""
    years_employed = (timezone.localdate() - start).days // 365 + 1
    born = fake.date_of_birth(minimum_age=max(20, 18 + years_employed), maximum_age=63)
    postcode = fake.postcode()
    return {
        "private_email": f"{mail_local(first, last)}@example.net",  # never a real mailbox
        "private_phone": _phone(rng, country),
        "birth_date": born,
        "nationality": country
        if rng.random() < 0.85
        else rng.choice(["BE", "NL", "FR", "DE", "PL", "MA", "TR"]),
        "gender": gender,
        "address": {
            "street": fake.street_name(),
            "number": str(fake.building_number()),
            "postal_code": str(postcode).replace(" ", ""),
            "city": fake.city(),
            "country": country,
        },
        "national_id": fake.ssn(),
        "iban": fake.iban(),
    }


def load_people(
    tenant: Tenant, *, locale: str, country: str, extra: int = 40, seed: int = 7
) -> None:
    """Departments, teams, custom fields and employees (the demo logins plus `extra`)."""
    actor = Actor.system("demo-loader", tenant)
    fake = Faker(locale)
    fake.seed_instance(seed)
    rng = random.Random(seed)  # noqa: S311  (demo data, repeatable on purpose)
    departments: dict[str, Department] = {}
    teams: dict[str, Team] = {}
    for name, team_names in DEPARTMENTS.items():
        departments[name] = organisation.create_department(
            actor, tenant, name=name, code=name[:3].upper()
        )
        for team_name in team_names:
            teams[team_name] = organisation.create_team(
                actor, tenant, name=team_name, department=departments[name]
            )
    organisation.define_custom_field(
        actor,
        tenant,
        key="tshirt_size",
        label="T-shirt size",
        field_type=CustomFieldDefinition.FieldType.CHOICE,
        choices=["XS", "S", "M", "L", "XL", "XXL"],
    )
    organisation.define_custom_field(
        actor,
        tenant,
        key="company_car",
        label="Company car",
        field_type=CustomFieldDefinition.FieldType.BOOLEAN,
    )
    organisation.define_custom_field(
        actor,
        tenant,
        key="badge_number",
        label="Badge number",
        field_type=CustomFieldDefinition.FieldType.TEXT,
    )

    today = timezone.localdate()
    made: dict[str, Employee] = {}
    members = {
        m.user.email.split("@")[0]: m
        for m in Membership.objects.for_tenant(tenant).select_related("user")
    }
    order = ["owner", "hr", "manager", "member1", "member2", "member3", "employee"]
    reports_to = {
        "hr": "owner",
        "manager": "owner",
        "member1": "manager",
        "member2": "manager",
        "member3": "manager",
        "employee": "hr",
    }
    for key in order:
        membership: Membership | None = members.get(key)
        if membership is None:
            continue
        department, team, title = LOGIN_TEAMS[key]
        start = today - dt.timedelta(days=rng.randint(200, 3000))
        made[key] = services.hire_employee(
            actor,
            tenant,
            {
                "first_name": membership.user.first_name,
                "last_name": membership.user.last_name,
                "work_email": membership.user.email,
                "work_phone": _phone(rng, country),
                "membership": membership,
                **_person(
                    fake,
                    rng,
                    country,
                    first=membership.user.first_name,
                    last=membership.user.last_name,
                    gender=gender_of(membership.user.first_name),
                    start=start,
                ),
                "custom_fields": {
                    "tshirt_size": rng.choice(["S", "M", "L", "XL"]),
                    "company_car": key in {"owner", "manager"},
                },
                "employment": {
                    "contract_type": "permanent",
                    "start_date": start,
                    "job_title": title,
                    "department": departments[department],
                    "team": teams.get(team) if team else None,
                    "manager": made.get(reports_to.get(key, "")),
                    "hours_per_week": "38",
                    "weekly_schedule": [7.6, 7.6, 7.6, 7.6, 7.6, 0, 0],
                },
                "wage": {
                    "amount": Decimal(rng.randrange(3200, 7800, 50)),
                    "currency": "EUR",
                    "period": "month",
                },
            },
        )
    # The demo manager keeps exactly the team of three demo logins.
    leads = [made[k] for k in ("owner", "hr") if k in made]
    for _index in range(extra):
        team_name = rng.choice(list(JOBS))
        department = next(d for d, ts in DEPARTMENTS.items() if team_name in ts)
        contract_type = rng.choice(
            ["permanent"] * 6 + ["fixed_term", "student", "interim", "freelance"]
        )
        start = today - dt.timedelta(days=rng.randint(30, 4000))
        end = (
            start + dt.timedelta(days=rng.randint(180, 720))
            if contract_type in {"fixed_term", "student", "interim"}
            else None
        )
        gender = rng.choice(["female", "male", "female", "male", "", "non_binary"])
        first, last = _first_name(fake, gender), fake.last_name()
        services.hire_employee(
            actor,
            tenant,
            {
                "first_name": first,
                "last_name": last,
                "work_email": _work_email(first, last, tenant.slug),
                "work_phone": _phone(rng, country),
                "status": "left"
                if end and end < today
                else rng.choice(["active"] * 12 + ["onboarding"]),
                **_person(fake, rng, country, first=first, last=last, gender=gender, start=start),
                "custom_fields": {
                    "tshirt_size": rng.choice(["S", "M", "L", "XL"]),
                    "badge_number": f"B{rng.randint(1000, 9999)}",
                },
                "employment": {
                    "contract_type": contract_type,
                    "start_date": start,
                    "end_date": end,
                    "job_title": rng.choice(JOBS[team_name]),
                    "department": departments[department],
                    "team": teams[team_name],
                    "manager": rng.choice(leads) if leads else None,
                    "hours_per_week": rng.choice(["38", "38", "32", "30.4", "19"]),
                },
                "wage": {
                    "amount": Decimal(rng.randrange(2400, 6500, 25)),
                    "currency": "EUR",
                    "period": "month",
                },
            },
        )
