"""Filling a sandbox company with synthetic people in the shape of its source, through the
same services HR uses (so the sandbox has versions, an audit trail and events like any
company). Names, addresses, birth dates, national numbers and IBANs come from Faker (the
demo's generator, kluis.people.demo), wages from a plausible range: nothing is read from a
source person but the kind of thing they are (kluis.sandbox.shape)."""

from __future__ import annotations

import datetime as dt
import random
import re
import secrets
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from faker import Faker

from kluis.access.actor import Actor
from kluis.access.models import Role
from kluis.company.services import add_member, create_role
from kluis.crypto import vault
from kluis.identity import policy as signin_policy
from kluis.identity.policy_service import change_policy
from kluis.people import services as people
from kluis.people.demo import _person, _phone, gender_of
from kluis.people.fields import WAGE_PURPOSE
from kluis.people.models import Department, Employee, Team, Wage
from kluis.people.services import organisation
from kluis.sandbox.selectors import MAIL_DOMAIN
from kluis.sandbox.shape import EmployeeShape, MemberShape, Shape
from kluis.tenancy.models import Membership, Tenant
from kluis.timeoff.models import LeaveType
from kluis.timeoff.services import create_leave_type, delete_leave_type, update_leave_type

# Faker's locale per country whose national numbers and IBANs the HR file validates.
LOCALES = {"BE": "nl_BE", "NL": "nl_NL"}
# (lowest, highest) of a synthetic gross wage per period, drawn to the cent.
WAGE_RANGES = {"month": (2100, 7500), "hour": (14, 55), "year": (28000, 95000)}
BATCH = 200  # people per transaction (and per progress report)

Progress = Callable[[int], None]


class Synthesiser:
    def __init__(self, sandbox: Tenant, source: Tenant, shape: Shape, owner_user_id: int) -> None:
        self.sandbox, self.shape, self.owner_user_id = sandbox, shape, owner_user_id
        self.actor = Actor.system("sandbox", sandbox)
        country = shape.country if shape.country in LOCALES else "BE"
        self.country = country
        self.fake = Faker(LOCALES[country])
        seed = secrets.randbits(64)
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)  # noqa: S311  (synthetic data, not a secret)
        self.taken_first, self.taken_last = _source_names(source)
        self.taken_wages = _source_wages(source)
        self.departments: dict[int, Department] = {}
        self.teams: dict[int, Team] = {}
        self.roles: dict[int, Role] = {}
        self.members: dict[int, Membership] = {}
        self.employees: dict[int, Employee] = {}
        self.serial = 0

    # --- structure --------------------------------------------------------------------
    def structure(self) -> None:
        """Departments, teams, custom fields, roles, leave types, sign-in policy."""
        actor, tenant = self.actor, self.sandbox
        for pk, name, code, _parent in self.shape.departments:
            self.departments[pk] = organisation.create_department(
                actor, tenant, name=name, code=code
            )
        for pk, _name, _code, parent in self.shape.departments:
            if parent in self.departments:
                organisation.update_department(
                    actor, self.departments[pk], {"parent": self.departments[parent].pk}
                )
        for pk, name, department in self.shape.teams:
            self.teams[pk] = organisation.create_team(
                actor, tenant, name=name, department=self.departments.get(department or 0)
            )
        for definition in self.shape.custom_fields:
            organisation.define_custom_field(actor, tenant, **definition)
        builtin = {r.builtin_key: r for r in Role.objects.for_tenant(tenant) if r.builtin_key}
        for pk, (key, name, description, grants) in self.shape.roles.items():
            self.roles[pk] = (
                builtin[key]
                if key in builtin
                else create_role(actor, tenant, name=name, description=description, grants=grants)
            )
        self._leave_types()

    def _leave_types(self) -> None:
        wanted = {kind["code"]: kind for kind in self.shape.leave_types}
        for kind in list(LeaveType.objects.for_tenant(self.sandbox)):
            if kind.code not in wanted:
                delete_leave_type(self.actor, kind)
                continue
            changes = {k: v for k, v in wanted.pop(kind.code).items() if getattr(kind, k) != v}
            if changes:
                update_leave_type(self.actor, kind, changes)
        for values in wanted.values():
            create_leave_type(self.actor, self.sandbox, values)

    def sign_in_policy(self, source: Tenant) -> None:
        """The source's sign-in rules (who must use a second factor, session lifetimes):
        configuration, not a secret; single sign-on is not copied."""
        policy = signin_policy.load_policy(source)
        if not policy.stored:
            return
        change_policy(
            self.actor,
            self.sandbox,
            mfa_required_for=policy.mfa_required_for,
            mfa_roles=[self.roles[pk] for pk in policy.mfa_role_ids if pk in self.roles],
            idle_timeout_seconds=policy.idle_timeout_seconds,
            absolute_lifetime_seconds=policy.absolute_lifetime_seconds,
            allowed_networks=policy.allowed_networks,
            password_sign_in_allowed=policy.password_sign_in_allowed,
        )

    # --- people -----------------------------------------------------------------------
    def members_and_people(self, owner_email: str, progress: Progress | None = None) -> None:
        """The members (the owner's own login among them) and the HR files, in batches."""
        owner_source = self._owner_member()
        owner_roles = owner_source.role_ids if owner_source else []
        owner = self.roles_of(owner_roles)
        owner_role = Role.objects.for_tenant(self.sandbox).get(builtin_key="owner")
        if owner_role not in owner:
            owner.append(owner_role)
        with transaction.atomic():
            self.members[owner_source.source_id if owner_source else 0] = add_member(
                self.actor,
                self.sandbox,
                email=owner_email,
                job_title=owner_source.job_title if owner_source else "",
                roles=owner,
            )
        work: list[tuple[str, Any]] = [
            ("member", m) for m in _members_first(self.shape.members) if m is not owner_source
        ]
        work += [("employee", e) for e in self.shape.employees]
        done = 0
        for start in range(0, len(work), BATCH):
            with transaction.atomic():
                for kind, item in work[start : start + BATCH]:
                    if kind == "member":
                        self._member(item)
                    else:
                        self._employee(item)
                        done += 1
            if progress is not None:
                progress(done)

    def _owner_member(self) -> MemberShape | None:
        users = dict(
            Membership.objects.filter(pk__in=[m.source_id for m in self.shape.members]).values_list(
                "pk", "user_id"
            )
        )
        return next(
            (m for m in self.shape.members if users.get(m.source_id) == self.owner_user_id), None
        )

    def roles_of(self, role_ids: list[int]) -> list[Role]:
        return [self.roles[pk] for pk in role_ids if pk in self.roles]

    def _name(self) -> tuple[str, str]:
        """A made-up name sharing neither first nor last name with anyone in the source."""
        first, last = self.fake.first_name(), self.fake.last_name()
        for _try in range(20):
            if first.lower() not in self.taken_first:
                break
            first = self.fake.first_name()
        for _try in range(20):
            if last.lower() not in self.taken_last:
                break
            last = self.fake.last_name()
        if first.lower() in self.taken_first:
            first = f"{first}-{self.rng.choice('ABCDEFGHJKLMNPRSTUVWZ')}"
        if last.lower() in self.taken_last:
            last = f"{last}-{self.rng.choice('ABCDEFGHJKLMNPRSTUVWZ')}"
        return first, last

    def _address(self, first: str, last: str) -> str:
        self.serial += 1
        name = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
        local = re.sub(r"\.{2,}", ".", re.sub(r"[^a-z0-9.]+", ".", name.lower())).strip(".")
        # Cut to 40 characters without a dot at either end (".." before the serial, or a
        # leading dot, is no valid address).
        local = local[:40].strip(".") or "person"
        return f"{local}.{self.serial}@{self.sandbox.slug}.{MAIL_DOMAIN}"

    def _member(self, shape: MemberShape) -> None:
        first, last = self._name()
        self.members[shape.source_id] = add_member(
            self.actor,
            self.sandbox,
            email=self._address(first, last),
            first_name=first,
            last_name=last,
            job_title=shape.job_title,
            roles=self.roles_of(shape.role_ids),
            manager=self.members.get(shape.manager_id or 0),
        )

    def _employee(self, shape: EmployeeShape) -> None:
        linked = self.members.get(shape.membership_id or 0)
        if linked is not None and linked.user_id == self.owner_user_id:
            linked = None  # the owner's own login keeps its own name: no HR file of theirs
        if linked is not None:
            first, last = linked.user.first_name, linked.user.last_name
            email = linked.user.email
        else:
            first, last = self._name()
            email = self._address(first, last)
        today = timezone.localdate()
        start = today - dt.timedelta(days=self.rng.randint(30, 4000))
        end = None
        if shape.term_days is not None:
            if shape.ended:
                end = today - dt.timedelta(days=self.rng.randint(1, 365))
                start = end - dt.timedelta(days=shape.term_days)
            else:
                end = max(start + dt.timedelta(days=shape.term_days), today)
        person = _person(
            self.fake,
            self.rng,
            self.country,
            first=first,
            last=last,
            gender=gender_of(first),
            start=start,
        )
        data: dict[str, Any] = {
            "first_name": first,
            "last_name": last,
            "work_email": email,
            "work_phone": _phone(self.rng, self.country),
            "status": shape.status,
            **person,
            "private_email": f"{email.split('@')[0]}@example.net",
            "custom_fields": self._custom_values(shape.custom_keys),
            "employment": {
                "contract_type": shape.contract_type,
                "start_date": start,
                "end_date": end,
                "job_title": shape.job_title,
                "department": self.departments.get(shape.department_id or 0),
                "team": self.teams.get(shape.team_id or 0),
                "manager": self.employees.get(shape.manager_id or 0),
                "hours_per_week": shape.hours_per_week,
                **({"weekly_schedule": shape.weekly_schedule} if shape.weekly_schedule else {}),
            },
        }
        if linked is not None:
            data["membership"] = linked
        if shape.wage is not None:
            currency, period = shape.wage
            low, high = WAGE_RANGES.get(period, WAGE_RANGES["month"])
            amount = Decimal(self.rng.randrange(low * 100, high * 100)) / 100
            while amount in self.taken_wages:
                amount = Decimal(self.rng.randrange(low * 100, high * 100)) / 100
            data["wage"] = {"amount": amount, "currency": currency, "period": period}
        self.employees[shape.source_id] = people.hire_employee(self.actor, self.sandbox, data)

    def _custom_values(self, keys: list[str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for definition in self.shape.custom_fields:
            key = definition["key"]
            if key not in keys and not definition["required"]:
                continue
            kind = definition["field_type"]
            if kind == "number":
                values[key] = self.rng.randint(1, 500)
            elif kind == "date":
                values[key] = (
                    timezone.localdate() - dt.timedelta(days=self.rng.randint(0, 2000))
                ).isoformat()
            elif kind == "choice" and definition["choices"]:
                values[key] = self.rng.choice(definition["choices"])
            elif kind == "boolean":
                values[key] = self.rng.random() < 0.5
            elif kind == "text":
                values[key] = f"{self.fake.word().capitalize()} {self.rng.randint(100, 999)}"
        return values


def _source_names(source: Tenant) -> tuple[set[str], set[str]]:
    """The first and last names in use at the source, only to avoid them (kept in memory
    for the run, never written)."""
    firsts: set[str] = set()
    lasts: set[str] = set()
    for first, preferred, last in Employee.objects.for_tenant(source).values_list(
        "first_name", "preferred_name", "last_name"
    ):
        firsts.update(n.lower() for n in (first, preferred) if n)
        lasts.add(last.lower())
    for first, last in Membership.objects.for_tenant(source).values_list(
        "user__first_name", "user__last_name"
    ):
        if first:
            firsts.add(first.lower())
        if last:
            lasts.add(last.lower())
    return firsts, lasts


def _source_wages(source: Tenant) -> set[Decimal]:
    """The wage amounts in use at the source, only so that no synthetic wage equals one
    by chance (kept in memory for the run, never written)."""
    return {
        Decimal(vault.unseal(source.pk, WAGE_PURPOSE, token) or "0")
        for token in Wage.objects.for_tenant(source).values_list("amount_sealed", flat=True)
    }


def _members_first(members: list[MemberShape]) -> list[MemberShape]:
    """Each member after their manager (add_member takes the manager)."""
    by_id = {m.source_id: m for m in members}

    def depth(member: MemberShape) -> int:
        seen: set[int] = set()
        level = 0
        while member.manager_id in by_id and member.manager_id not in seen:
            seen.add(member.manager_id)
            member = by_id[member.manager_id]
            level += 1
        return level

    return sorted(members, key=lambda m: (depth(m), m.source_id))
