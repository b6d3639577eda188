"""People benchmark: 10,000 employees in one company; server time and SQL queries of the
HR list, a profile and the CSV export, and the export's peak memory.

    .venv/bin/python bench/people_bench.py [--employees 10000] [--runs 7]

Standalone: a throw-away data directory (SQLite, master key), KLUIS_ENV=test. Seeding
uses bulk_create with values sealed by the real vault (not hire_employee 10,000 times);
the rows are complete and valid: national numbers, IBANs and addresses sealed, a blind
index, a contract, a sealed wage, custom fields and a first version each.
Prints figures; it does not fail on them (see bench/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

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


def setup_django(data_dir: Path) -> None:
    os.environ["KLUIS_DATA_DIR"] = str(data_dir)
    os.environ["KLUIS_ENV"] = "test"
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


def seed(count: int) -> tuple[Any, Any]:
    """One company with `count` employees; returns (tenant, the HR admin's user)."""
    from django.db import transaction

    from kluis.access.actor import Actor
    from kluis.access.models import Role
    from kluis.crypto import vault
    from kluis.people import organisation, validation
    from kluis.people.fields import WAGE_PURPOSE
    from kluis.people.models import (
        CustomFieldDefinition,
        Employee,
        EmployeeVersion,
        Employment,
        Wage,
    )
    from kluis.people.records import plain_values, seal_snapshot, seal_value, sensitive_values
    from kluis.tenancy.services import add_member, create_tenant

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

    today = dt.date.today()
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
    return tenant, hr.user


# --- measuring ----------------------------------------------------------------------------


def client_for(user: Any, tenant: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.session
    session["kluis_tenant_id"] = tenant.pk
    session.save()
    return client


def consume(response: Any) -> int:
    if getattr(response, "streaming", False):
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def timed(fetch: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median wall time in ms of `runs` fetches (to the last byte), after one warm-up."""
    response = fetch()
    consume(response)
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        response = fetch()
        consume(response)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), response


def queries(fetch: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        consume(fetch())
    return len(captured)


def peak_memory(fetch: Callable[[], Any]) -> tuple[float, int]:
    """(peak MiB that Python allocated during the request, bytes sent)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        size = consume(fetch())
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / (1024 * 1024), size


def list_rows(response: Any) -> int:
    return len(set(re.findall(r'href="/people/(\d+)/"', response.content.decode())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="kluis-bench-"))
    try:
        setup_django(data_dir)
        run(args.employees, args.runs)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run(count: int, runs: int) -> None:
    from django.urls import NoReverseMatch, reverse

    from kluis.people.models import Employee, Team

    started = time.perf_counter()
    tenant, user = seed(count)
    seeding = time.perf_counter() - started
    client = client_for(user, tenant)
    print(f"Seeded {count:,} employees in {seeding:.1f} s ({os.cpu_count()} CPUs, SQLite).")
    print(f"Median of {runs} runs after a warm-up; server time = request to last byte.\n")
    table: list[tuple[str, str, str, str, str]] = []
    notes: list[str] = []

    def have(name: str, *args: Any) -> bool:
        try:
            reverse(name, args=args)
        except NoReverseMatch:
            return False
        return True

    if have("people:list"):
        pages = max(1, count // 50)
        for label, params in (
            ("HR list, page 1", {}),
            (f"HR list, page {int(pages * 0.75)}", {"page": int(pages * 0.75)}),
            ("HR list, sorted by department", {"sort": "department"}),
            ("HR list, search 'peeters'", {"q": "peeters"}),
        ):
            ms, response = timed(lambda p=params: client.get("/people/", p), runs)
            n = queries(lambda p=params: client.get("/people/", p))
            rows = list_rows(response)
            table.append((label, f"{ms:.0f}", "<= 150", str(n), str(rows)))
        sizes = []
        for name in ("per_page", "page_size"):
            for size in (25, 100, 200):
                response = client.get("/people/", {name: size})
                if list_rows(response) == min(size, count):
                    sizes.append((name, size))
        for name, size in sizes:
            ms, response = timed(lambda n=name, s=size: client.get("/people/", {n: s}), runs)
            n = queries(lambda n=name, s=size: client.get("/people/", {n: s}))
            table.append(
                (f"HR list, {size} a page", f"{ms:.0f}", "<= 150", str(n), str(list_rows(response)))
            )
        if not sizes:
            notes.append("The HR list has one page size (50): no page-size rows.")
    else:
        notes.append("No HR list yet (people:list): list rows skipped.")

    someone = Employee.objects.filter(tenant=tenant, manager__isnull=False).order_by("pk")[
        count // 2
    ]
    if have("people:detail", someone.pk):
        url = reverse("people:detail", args=[someone.pk])
        ms, response = timed(lambda: client.get(url), runs)
        assert response.status_code == 200, response.status_code
        table.append(
            ("Profile page", f"{ms:.0f}", "<= 100", str(queries(lambda: client.get(url))), "1")
        )
    else:
        notes.append("No profile page yet (people:detail): profile row skipped.")

    team = Team.objects.filter(tenant=tenant).order_by("pk").first()
    assert team is not None
    small = {"team": team.pk}
    small_rows = Employee.objects.filter(tenant=tenant, team=team).count()
    for label, params, rows in (
        (f"CSV export, all {count:,}", {}, count),
        (f"CSV export, {small_rows:,} (one team)", small, small_rows),
    ):
        ms, _response = timed(
            lambda p=params: client.get("/people/export.csv", p), max(3, runs // 2)
        )
        n = queries(lambda p=params: client.get("/people/export.csv", p))
        target = "<= 3000" if rows == count else ""
        table.append((label, f"{ms:.0f}", target, str(n), f"{rows:,}"))
    ms, _response = timed(lambda: client.get("/people/export.xlsx"), 3)
    table.append(
        (
            f"XLSX export, all {count:,}",
            f"{ms:.0f}",
            "",
            str(queries(lambda: client.get("/people/export.xlsx"))),
            f"{count:,}",
        )
    )

    width = max(len(row[0]) for row in table)
    print(f"{'':{width}}  {'ms':>6}  {'target':>8}  {'queries':>7}  {'rows':>7}")
    for label, ms_text, target, n, rows in table:
        print(f"{label:{width}}  {ms_text:>6}  {target:>8}  {n:>7}  {rows:>7}")

    big_peak, big_bytes = peak_memory(lambda: client.get("/people/export.csv"))
    small_peak, small_bytes = peak_memory(lambda: client.get("/people/export.csv", small))
    print("\nCSV export peak memory (tracemalloc, Python allocations during the request):")
    print(f"  {count:>7,} rows: {big_peak:6.2f} MiB peak for {big_bytes / 1e6:6.2f} MB sent")
    print(
        f"  {small_rows:>7,} rows: {small_peak:6.2f} MiB peak for {small_bytes / 1e6:6.2f} MB sent"
    )
    ratio = big_peak / small_peak if small_peak else float("nan")
    print(
        f"  {count / small_rows:.0f}x the rows -> {ratio:.2f}x the memory "
        "(flat = streaming, does not grow with rows)"
    )
    print("\nTargets: list <= 150 ms, profile <= 100 ms, export of 10,000 <= 3 s; query counts")
    print("should not grow with the page size or the number of exported rows.")
    for note in notes:
        print(f"Note: {note}")


if __name__ == "__main__":
    main()
