"""Two demo companies with fixed logins, for trying Kluis and for end-to-end tests.

Refused in production: demo logins have a published password. The companies and their
logins are made here; each domain app adds its part of the demo (people: the HR files)
by registering a loader from its AppConfig.ready, so this module knows no domain app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from kluis.access.actor import Actor
from kluis.access.models import Role
from kluis.company.services import add_member, create_tenant
from kluis.identity import policy as signin_policy
from kluis.identity.models import SignInPolicy, User
from kluis.identity.operators import make_operator
from kluis.identity.policy_service import change_policy
from kluis.tenancy.models import Membership, Tenant

# A domain app's part of a demo company: (company, locale, country) -> None.
DemoPart = Callable[..., None]
_PARTS: dict[str, DemoPart] = {}
_UPGRADES: dict[str, DemoPart] = {}


def register(app_label: str, part: DemoPart, *, upgrade: DemoPart | None = None) -> None:
    """Add an app's part to every demo company, called as part(tenant, locale=, country=)
    inside the loader's transaction, in the order the apps are installed. `upgrade`, called
    the same way on every load of an existing demo, adds the part to a demo made before the
    app had one (it checks itself whether there is anything to add, cheaply)."""
    _PARTS[app_label] = part
    if upgrade is not None:
        _UPGRADES[app_label] = upgrade


# Demo BV is Belgian, Other NV Dutch: names, addresses, national numbers and IBANs follow.
PEOPLE_LOCALES = {"demo-bv": ("nl_BE", "BE"), "other-nv": ("nl_NL", "NL")}


@dataclass(frozen=True)
class DemoPerson:
    key: str
    first_name: str
    last_name: str
    job_title: str
    roles: tuple[str, ...]
    reports_to: str | None = None


def _people(domain: str, names: list[tuple[str, str]]) -> list[tuple[str, DemoPerson]]:
    specs = [
        ("owner", "Owner", ("owner",), None),
        ("hr", "HR manager", ("hr_admin", "employee"), "owner"),
        ("manager", "Team lead", ("manager", "employee"), "owner"),
        ("member1", "Developer", ("employee",), "manager"),
        ("member2", "Designer", ("employee",), "manager"),
        ("member3", "Support engineer", ("employee",), "manager"),
        ("employee", "Accountant", ("employee",), "hr"),
        ("auditor", "External auditor", ("auditor",), None),
    ]
    out = []
    for (key, title, roles, reports_to), (first, last) in zip(specs, names, strict=True):
        out.append((f"{key}@{domain}", DemoPerson(key, first, last, title, roles, reports_to)))
    return out


DEMO_COMPANIES = [
    (
        "demo-bv",
        "Demo BV",
        _people(
            "demo-bv.test",
            [
                ("Olivia", "Peeters"),
                ("Hanna", "Janssens"),
                ("Mark", "De Vries"),
                ("Lotte", "Maes"),
                ("Noah", "Willems"),
                ("Emma", "Claes"),
                ("Lucas", "Jacobs"),
                ("Anouk", "Mertens"),
            ],
        ),
    ),
    (
        "other-nv",
        "Other NV",
        _people(
            "other-nv.test",
            [
                ("Otto", "Bakker"),
                ("Hugo", "Visser"),
                ("Mila", "Smit"),
                ("Sem", "Meijer"),
                ("Julia", "De Boer"),
                ("Finn", "Mulder"),
                ("Sara", "De Groot"),
                ("Daan", "Bos"),
            ],
        ),
    ),
]
CONSULTANT_EMAIL = "consultant@kluis.test"
OPERATOR_EMAIL = "operator@kluis.test"  # a platform operator (no company): /operator/
# One demo login has an authenticator app already set up, so the two-factor sign-in can be
# tried at once: add this secret to any authenticator app (or `oathtool --totp -b SECRET`).
MFA_DEMO_EMAIL = "manager@other-nv.test"
MFA_DEMO_SECRET = "KLUISDEMOTOTPSECRETFORMFATRYOUT2"  # noqa: S105  (demo data, refused in production)


def mfa_demo_uri() -> str:
    """The otpauth:// URI of the demo TOTP secret (what the QR code of the set-up holds)."""
    return (
        f"otpauth://totp/Kluis:{MFA_DEMO_EMAIL.replace('@', '%40')}"
        f"?secret={MFA_DEMO_SECRET}&issuer=Kluis"
    )


def demo_logins() -> list[tuple[str, str]]:
    """(e-mail, what they are) for README and the `up` banner."""
    logins = []
    for _slug, company, people in DEMO_COMPANIES:
        for email, person in people:
            what = f"{company}: {person.job_title} ({', '.join(person.roles)})"
            if email == MFA_DEMO_EMAIL:
                what += f"; two-factor: TOTP secret {MFA_DEMO_SECRET}, {mfa_demo_uri()}"
            logins.append((email, what))
    logins.append((CONSULTANT_EMAIL, "HR consultant in both companies (hr_admin)"))
    logins.append((OPERATOR_EMAIL, "platform operator, no company (/operator/)"))
    return logins


def load_demo() -> bool:
    """Create the demo companies once; returns False when they already exist."""
    if settings.PRODUCTION:
        raise ImproperlyConfigured("Demo data is refused in a production configuration.")
    if Tenant.objects.filter(slug="demo-bv").exists():
        _upgrade_demo()
        return False
    password = settings.DEMO_PASSWORD
    with transaction.atomic():
        for slug, company, people in DEMO_COMPANIES:
            actor = Actor.system("demo-loader")
            tenant = create_tenant(actor, name=company, slug=slug, country=PEOPLE_LOCALES[slug][1])
            actor.tenant = tenant
            roles = {r.builtin_key: r for r in Role.objects.for_tenant(tenant)}
            made: dict[str, Membership] = {}
            for email, person in people:
                made[person.key] = add_member(
                    actor,
                    tenant,
                    email=email,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    password=password,
                    job_title=person.job_title,
                    roles=[roles[key] for key in person.roles],
                    manager=made.get(person.reports_to) if person.reports_to else None,
                )
            add_member(
                actor,
                tenant,
                email=CONSULTANT_EMAIL,
                first_name="Chris",
                last_name="Consultant",
                password=password,
                job_title="HR consultant",
                roles=[roles["hr_admin"]],
            )
            _demo_sign_in_policy(actor, tenant)
            if slug == "other-nv":
                _enrol_demo_totp(made["manager"])
            locale, country = PEOPLE_LOCALES[slug]
            for part in _PARTS.values():
                part(tenant, locale=locale, country=country)
        make_operator(Actor.system("demo-loader"), OPERATOR_EMAIL, password=password)
    return True


def _enrol_demo_totp(membership: Membership) -> None:
    """The demo login with an authenticator app (and recovery codes) already set up."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(membership.user, MFA_DEMO_SECRET)
    RecoveryCodes.activate(membership.user)


def _upgrade_demo() -> None:
    """A demo loaded before companies had sign-in policies gets the demo's policy, so its
    logins keep working with a password alone (the default would ask owners, HR admins and
    auditors to enrol a second factor)."""
    for tenant in Tenant.objects.filter(slug__in=[slug for slug, _c, _p in DEMO_COMPANIES]):
        if not SignInPolicy.objects.for_tenant(tenant).exists():
            with transaction.atomic():
                _demo_sign_in_policy(Actor.system("demo-loader", tenant), tenant)
        locale, country = PEOPLE_LOCALES[tenant.slug]
        for upgrade in _UPGRADES.values():
            with transaction.atomic():
                upgrade(tenant, locale=locale, country=country)
    if not User.objects.filter(email=OPERATOR_EMAIL).exists():
        make_operator(Actor.system("demo-loader"), OPERATOR_EMAIL, password=settings.DEMO_PASSWORD)


def _demo_sign_in_policy(actor: Actor, tenant: Tenant) -> None:
    """The demo companies require a second factor of nobody, so every demo login works
    with its password alone; a new company has the default (Owner, HR admin and Auditor
    must enrol one). To try the requirement, an owner (owner@demo-bv.test) chooses who
    must use a second factor on Settings > Sign-in settings (/settings/sign-in/)."""
    change_policy(
        actor,
        tenant,
        mfa_required_for=SignInPolicy.Mfa.OFF,
        mfa_roles=signin_policy.default_policy(tenant).mfa_role_ids,
        idle_timeout_seconds=signin_policy.default_idle_seconds(),
        absolute_lifetime_seconds=signin_policy.default_absolute_seconds(),
    )
