"""Shared by the benchmarks: a throw-away Kluis data directory, Django set up in it, and
one company seeded with N complete, valid employees (see bench/README.md).

Not a benchmark itself: `make bench` skips bench/_*.py.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

ROOT = Path(__file__).resolve().parent.parent
FIRST_NAMES = [
    "Emma",
    "Noah",
    "Olivia",
    "Liam",
    "Louise",
    "Arthur",
    "Mila",
    "Jules",
    "Elena",
    "Lucas",
    "Nora",
    "Adam",
    "Alice",
    "Victor",
    "Lina",
    "Finn",
    "Marie",
    "Louis",
    "Julia",
    "Matteo",
    "Anna",
    "Mats",
    "Lotte",
    "Wout",
    "Fien",
    "Jan",
    "Sara",
    "Bram",
    "Hanne",
    "Kobe",
]
LAST_NAMES = [
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smet",
    "Dubois",
    "Lambert",
    "Dupont",
    "Hermans",
    "Aerts",
    "Vermeulen",
    "Van Damme",
    "Michiels",
    "Desmet",
    "Lemmens",
    "De Clercq",
    "Leclercq",
    "Martens",
    "Pauwels",
    "Smets",
    "Verstraeten",
    "Bogaert",
    "Cools",
    "Van Dyck",
    "Segers",
]
CITIES = [("2000", "Antwerpen"), ("9000", "Gent"), ("1000", "Brussel"), ("3000", "Leuven")]
STREETS = ["Meir", "Veldstraat", "Rue de la Loi", "Bondgenotenlaan", "Kerkstraat", "Stationsstraat"]
DEPARTMENTS = {
    "Engineering": ["Platform", "Product design", "Customer support"],
    "Sales": ["Sales", "Marketing"],
    "Finance": ["Accounting"],
    "People": ["HR"],
    "Operations": ["Facilities", "IT", "Logistics"],
}
JOBS = ["Developer", "Designer", "Support engineer", "Account executive", "Accountant"]
HR_EMAIL = "hr@bench.test"


def setup_django(data_dir: Path, env: str = "test") -> None:
    """Django configured for `data_dir` (SQLite there), migrated. The other KLUIS_*
    variables a caller set (e.g. for production) are left as they are."""
    os.environ["KLUIS_DATA_DIR"] = str(data_dir)
    os.environ["KLUIS_ENV"] = env
    os.environ.pop("KLUIS_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kluis.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


# --- valid Belgian identifiers ------------------------------------------------------------


def national_number(rng: random.Random) -> str:
    """A rijksregisternummer (born 1960-1999) with its mod-97 check digits."""
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(40 * 365))
    base = int(f"{born:%y%m%d}{rng.randrange(1, 998):03d}")
    return f"{base:09d}{97 - base % 97:02d}"


def belgian_iban(rng: random.Random) -> str:
    bank, account = f"{rng.randrange(1, 999):03d}", f"{rng.randrange(10**7):07d}"
    national = int(bank + account) % 97 or 97
    bban = f"{bank}{account}{national:02d}"
    check = 98 - int(bban + "111400") % 97  # "BE00" moved to the end, letters as numbers
    return f"BE{check:02d}{bban}"


# --- seeding ------------------------------------------------------------------------------


def people_services() -> Any:
    """create_department, create_team and define_custom_field, wherever they live: in the
    package kluis.people.services, or (before it) in the module kluis.people.organisation."""
    try:
        from kluis.people.services import create_department, create_team, define_custom_field
    except ImportError:
        from kluis.people.organisation import (  # type: ignore[no-redef]
            create_department,
            create_team,
            define_custom_field,
        )
    return SimpleNamespace(
        create_department=create_department,
        create_team=create_team,
        define_custom_field=define_custom_field,
    )


def seed(count: int, *, api: bool = False) -> tuple[Any, Any]:
    """One company with `count` employees; returns (tenant, the HR admin's user).

    With `api` (bench/api_bench.py) the company also gets what its API lists would hold at
    that size: about one team per 50 employees (a team lead each) spread over sub-
    departments, employees spread over those teams, meal vouchers for everyone and a
    company car for about one in five (wage components), an `employee.hired` audit event
    per employee (a valid hash chain), and `updated_at` spread over the past year (as if
    employees changed at different times). Without it the data is as people_bench.py has
    always measured it (eleven teams in five departments)."""
    from django.db import transaction

    from kluis.access.actor import Actor
    from kluis.access.models import Role
    from kluis.company.services import add_member, create_tenant
    from kluis.crypto import vault
    from kluis.people import validation
    from kluis.people.fields import WAGE_PURPOSE
    from kluis.people.models import (
        CustomFieldDefinition,
        Employee,
        EmployeeVersion,
        Employment,
        Wage,
    )
    from kluis.people.records import plain_values, seal_snapshot, seal_value, sensitive_values

    organisation = people_services()
    rng = random.Random(20260101)  # noqa: S311  (benchmark data, repeatable)
    system = Actor.system("bench")
    tenant = create_tenant(system, name="Bench NV", slug="bench-nv")
    system.tenant = tenant
    roles = {r.builtin_key: r for r in Role.objects.filter(tenant=tenant)}
    hr = add_member(
        system,
        tenant,
        email=HR_EMAIL,
        first_name="Hanna",
        last_name="HR",
        roles=[roles["hr_admin"]],
    )
    departments, teams = {}, []
    for name, team_names in DEPARTMENTS.items():
        departments[name] = organisation.create_department(system, tenant, name=name)
        for team_name in team_names:
            teams.append(
                organisation.create_team(
                    system, tenant, name=team_name, department=departments[name]
                )
            )
    if api:
        teams += extra_teams(system, tenant, departments, max(0, count // 50 - len(teams)))
    organisation.define_custom_field(
        system,
        tenant,
        key="tshirt_size",
        label="T-shirt size",
        field_type="choice",
        choices=["S", "M", "L", "XL"],
    )
    organisation.define_custom_field(
        system, tenant, key="company_car", label="Company car", field_type="boolean"
    )
    organisation.define_custom_field(
        system, tenant, key="badge_number", label="Badge number", field_type="text"
    )
    assert CustomFieldDefinition.objects.filter(tenant=tenant).count() == 3
    # The same helpers the services use, so the bench data reads like hired data.
    checked_national = national_number(rng)
    assert validation.national_id(checked_national) == checked_national
    checked_iban = belgian_iban(rng)
    assert validation.iban(checked_iban) == checked_iban

    today = timezone.localdate()
    leads_count = max(1, count // 50)
    batch = 1000

    def employee_row(n: int, manager: Any) -> Employee:
        team = teams[n % len(teams)]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        postal, city = rng.choice(CITIES)
        employee = Employee(
            tenant=tenant,
            employee_number=f"{n:05d}",
            status=rng.choice(["active"] * 18 + ["onboarding", "left"]),
            first_name=first,
            last_name=last,
            work_email=f"{first}.{last}.{n}@bench.test".lower().replace(" ", ""),
            work_phone=f"+3247{rng.randrange(10**7):07d}",
            private_phone=f"+3247{rng.randrange(10**7):07d}",
            birth_date=today - dt.timedelta(days=rng.randrange(20 * 365, 60 * 365)),
            nationality="BE",
            gender=rng.choice(["female", "male", ""]),
            custom_fields={
                "tshirt_size": rng.choice(["S", "M", "L", "XL"]),
                "company_car": rng.random() < 0.2,
                "badge_number": f"B{n:06d}",
            },
            job_title=rng.choice(JOBS),
            department=team.department,
            team=team,
            manager=manager,
            updated_by="bench",
        )
        national = national_number(rng)
        seal_value(employee, "national_id", national)
        employee.national_id_index = vault.blind_index(tenant.pk, "people.national_id", national)
        seal_value(employee, "iban", belgian_iban(rng))
        seal_value(
            employee,
            "address",
            {
                "street": rng.choice(STREETS),
                "number": str(rng.randrange(1, 200)),
                "postal_code": postal,
                "city": city,
                "country": "BE",
            },
        )
        return employee

    def save(rows: list[Employee]) -> list[Employee]:
        made = Employee.objects.bulk_create(rows, batch_size=batch)
        contracts, wages, versions = [], [], []
        for employee in made:
            start = today - dt.timedelta(days=rng.randrange(30, 4000))
            contracts.append(
                Employment(
                    tenant=tenant,
                    employee=employee,
                    contract_type="permanent",
                    start_date=start,
                    hours_per_week=Decimal("38"),
                    weekly_schedule=[7.6] * 5 + [0, 0],
                    job_title=employee.job_title,
                    department=employee.department,
                    team=employee.team,
                    manager=employee.manager,
                )
            )
            wages.append(
                Wage(
                    tenant=tenant,
                    employee=employee,
                    effective_from=start,
                    amount_sealed=vault.seal(
                        tenant.pk, WAGE_PURPOSE, str(Decimal(rng.randrange(2400, 7800, 25)))
                    ),
                    currency="EUR",
                    period="month",
                )
            )
            versions.append(
                EmployeeVersion(
                    tenant=tenant,
                    employee=employee,
                    version=1,
                    section="employee",
                    changed_at=employee.created_at,
                    actor_label="bench",
                    changed_fields=["employment"],
                    snapshot=plain_values(employee),
                    sealed_snapshot=seal_snapshot(employee, sensitive_values(employee)),
                )
            )
        Employment.objects.bulk_create(contracts, batch_size=batch)
        Wage.objects.bulk_create(wages, batch_size=batch)
        EmployeeVersion.objects.bulk_create(versions, batch_size=batch)
        return made

    # Make (and commit) the data key first: a key made inside the seeding transaction is
    # never cached (see vault), and every seal would read it again.
    vault.ensure_tenant_key(tenant.pk)
    with transaction.atomic():
        leads = save([employee_row(n, None) for n in range(1, leads_count + 1)])
        for start in range(leads_count + 1, count + 1, batch):
            stop = min(start + batch, count + 1)
            save([employee_row(n, rng.choice(leads)) for n in range(start, stop)])
    assert Employee.objects.filter(tenant=tenant).count() == count
    if api:
        seed_api_history(tenant, hr.user, rng)
    return tenant, hr.user


def extra_teams(system: Any, tenant: Any, departments: dict[str, Any], count: int) -> list[Any]:
    """`count` more teams, in about one sub-department per ten teams, through the same
    services an HR admin uses."""
    organisation = people_services()
    tops = list(departments.values())
    made: list[Any] = []
    subs: list[Any] = []
    for n in range(count):
        if n % 10 == 0:
            parent = tops[len(subs) % len(tops)]
            subs.append(
                organisation.create_department(
                    system,
                    tenant,
                    name=f"{parent.name} {len(subs) // len(tops) + 1}",
                    code=f"{parent.name[:3].upper()}{len(subs) + 1:02d}",
                    parent=parent,
                )
            )
        made.append(
            organisation.create_team(system, tenant, name=f"Team {n + 12:03d}", department=subs[-1])
        )
    return made


def seed_api_history(tenant: Any, user: Any, rng: random.Random) -> None:
    """Wage components, the hiring audit events and spread `updated_at` (see seed())."""
    from django.db import connection, transaction

    from kluis.audit.chain import content_of, event_hash
    from kluis.audit.models import AuditChainHead, AuditEvent
    from kluis.audit.services import MASK
    from kluis.crypto import vault
    from kluis.people.fields import WAGE_COMPONENT_PURPOSE
    from kluis.people.models import Employee, Employment, WageComponent

    starts = dict(Employment.objects.filter(tenant=tenant).values_list("employee_id", "start_date"))
    employees = list(
        Employee.objects.filter(tenant=tenant)
        .order_by("pk")
        .values_list("pk", "first_name", "last_name", "work_email", "job_title")
    )
    components = []
    for pk, *_rest in employees:
        start = starts[pk]
        components.append(
            WageComponent(
                tenant=tenant,
                employee_id=pk,
                kind="meal_vouchers",
                label="Meal vouchers",
                amount_sealed=vault.seal(tenant.pk, WAGE_COMPONENT_PURPOSE, "8.00"),
                start_date=start,
            )
        )
        if rng.random() < 0.2:
            amount = str(Decimal(rng.randrange(350, 900, 25)))
            components.append(
                WageComponent(
                    tenant=tenant,
                    employee_id=pk,
                    kind="car",
                    label="Company car",
                    amount_sealed=vault.seal(tenant.pk, WAGE_COMPONENT_PURPOSE, amount),
                    start_date=start,
                )
            )
    with transaction.atomic():
        WageComponent.objects.bulk_create(components, batch_size=1000)
        # One `employee.hired` event per employee, chained like audit.record() chains them.
        head = AuditChainHead.objects.select_for_update().get(tenant=tenant)
        sequence, digest = head.sequence, head.hash
        moment = timezone.now()
        events = []
        for pk, first, last, email, job in employees:
            sequence += 1
            moment += dt.timedelta(milliseconds=3)
            fields: dict[str, Any] = {
                "actor_kind": "user",
                "actor_user_id": user.pk,
                "actor_label": HR_EMAIL,
                "action": "employee.hired",
                "object_type": "people.employee",
                "object_id": str(pk),
                "object_repr": f"{first} {last}",
                "changes": {
                    "first_name": {"old": None, "new": first},
                    "last_name": {"old": None, "new": last},
                    "work_email": {"old": None, "new": email},
                    "job_title": {"old": None, "new": job},
                    "national_id": {"old": MASK, "new": MASK},
                    "iban": {"old": MASK, "new": MASK},
                    "start_date": {"old": None, "new": starts[pk].isoformat()},
                },
                "ip": "192.0.2.10",
                "request_id": f"bench-{sequence:08d}",
            }
            content = content_of(
                tenant_id=tenant.pk, sequence=sequence, occurred_at=moment, **fields
            )
            previous, digest = digest, event_hash(digest, content)
            events.append(
                AuditEvent(
                    tenant=tenant,
                    sequence=sequence,
                    occurred_at=moment,
                    prev_hash=previous,
                    hash=digest,
                    **fields,
                )
            )
        AuditEvent.objects.bulk_create(events, batch_size=1000)
        AuditChainHead.objects.filter(pk=head.pk).update(sequence=sequence, hash=digest)
        # auto_now set every updated_at to now; spread them over the past year.
        spread = (
            "updated_at - ((id * 37) %% 365) * interval '1 day'"
            if connection.vendor == "postgresql"
            else "datetime(updated_at, '-' || ((id * 37) % 365) || ' days')"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE people_employee SET updated_at = {spread} WHERE tenant_id = %s",  # noqa: S608
                [tenant.pk],
            )
