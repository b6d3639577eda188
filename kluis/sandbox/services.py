"""Making and removing sandboxes: test companies shaped like a real one, with synthetic
people, that delete themselves after their lifetime (decision record 0028).

Only an owner of the source company (or the platform: CLI, worker) makes or deletes one;
each is recorded in the source company's audit log and outbox (`sandbox.created`,
`sandbox.deleted`) and in the platform's operator log."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.models import RoleAssignment
from kluis.audit.platform import record_operator
from kluis.audit.services import record
from kluis.company.services import create_tenant
from kluis.crypto import vault
from kluis.flags import enabled
from kluis.integrations.events import emit
from kluis.sandbox import selectors
from kluis.sandbox.models import Sandbox
from kluis.sandbox.purge import purge_company
from kluis.sandbox.shape import read_shape
from kluis.sandbox.synthesis import Synthesiser
from kluis.tenancy import rls
from kluis.tenancy.models import Membership, Tenant


def sandbox_allowed(tenant: Tenant) -> bool:
    """Whether this company may have sandboxes (the one check the owner page, the menu and
    create_sandbox make): the installation allows them (KLUIS_SANDBOXES_ENABLED) and the
    experimental `sandboxes` feature flag is on for the company (kluis flags on sandboxes
    --company SLUG)."""
    return bool(settings.SANDBOXES_ENABLED) and enabled("sandboxes", tenant=tenant)


def is_owner(actor: Actor) -> bool:
    """Whether the acting member holds the company's Owner role."""
    if actor.membership is None or actor.tenant is None:
        return False
    return (
        RoleAssignment.objects.for_actor(actor)
        .filter(membership=actor.membership, role__builtin_key="owner")
        .exists()
    )


def _authorise(actor: Actor, source: Tenant) -> None:
    if actor.is_system:
        return
    if actor.tenant is None or actor.tenant.pk != source.pk or not is_owner(actor):
        raise PermissionDenied(_("Only an owner of the company manages its sandboxes."))


def clean_lifetime(days: Any) -> int:
    if days in (None, ""):
        return int(settings.SANDBOX_DEFAULT_DAYS)
    try:
        value = int(days)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= settings.SANDBOX_MAX_DAYS:
        raise ValidationError(
            {
                "lifetime_days": [
                    _("Choose a lifetime of 1 to %(most)d days.")
                    % {"most": settings.SANDBOX_MAX_DAYS}
                ]
            }
        )
    return value


def _owner_user_id(actor: Actor, source: Tenant, owner_email: str | None) -> tuple[int, str]:
    """The login who will own the sandbox: the acting owner, or (platform) the given
    address or the source's first owner."""
    members = Membership.objects.for_tenant(source).filter(is_active=True).select_related("user")
    if not actor.is_system:
        assert actor.membership is not None
        return actor.membership.user_id, actor.membership.user.email
    if owner_email:
        found = members.filter(user__email__iexact=owner_email.strip()).first()
        if found is None:
            raise ValidationError(
                {
                    "owner": [
                        _("%(email)s is not a member of this company.") % {"email": owner_email}
                    ]
                }
            )
        return found.user_id, found.user.email
    owners = members.filter(
        pk__in=RoleAssignment.objects.for_tenant(source)
        .filter(role__builtin_key="owner")
        .values("membership_id")
    ).order_by("pk")
    first = owners.first()
    if first is None:
        raise ValidationError({"owner": [_("The company has no owner to give the sandbox to.")]})
    return first.user_id, first.user.email


def _platform_record(actor: Actor, action: str, sandbox: Sandbox, changes: dict[str, Any]) -> None:
    """The platform's operator log: a company was made or removed."""
    record_operator(
        actor,
        action,
        object_type="sandbox.sandbox",
        object_id=str(sandbox.company_id),
        object_repr=f"sandbox {sandbox.company_id} of company {sandbox.source_id}",
        changes=changes,
    )


def create_sandbox(
    actor: Actor,
    source: Tenant,
    *,
    lifetime_days: Any = None,
    owner_email: str | None = None,
    background: bool | None = None,
    progress: Callable[[int], None] | None = None,
) -> Sandbox:
    """A sandbox of `source`. Its structure is made at once; its people now, or by the
    worker when `background` (None: by the source's size) and the page says "being
    prepared"."""
    _authorise(actor, source)
    if not sandbox_allowed(source):
        raise PermissionDenied(_("Sandboxes are not available for this company."))
    if selectors.is_sandbox(source):
        raise ValidationError(_("A sandbox cannot have sandboxes of its own."))
    days = clean_lifetime(lifetime_days)
    owner_id, owner_address = _owner_user_id(actor, source, owner_email)
    shape = read_shape(source)
    if background is None:
        background = shape.headcount > settings.SANDBOX_FOREGROUND_PEOPLE
    with transaction.atomic():
        # One at a time per company: the limit holds when two owners press the button.
        Tenant.objects.select_for_update().filter(pk=source.pk).first()
        with rls.unnarrowed():
            if selectors.sandboxes_of(source).count() >= settings.SANDBOX_MAX_PER_COMPANY:
                raise ValidationError(
                    _("A company has at most %(most)d sandboxes: delete one first.")
                    % {"most": settings.SANDBOX_MAX_PER_COMPANY}
                )
            system = Actor.system("sandbox")
            company = create_tenant(
                system,
                name=(_("%(company)s (sandbox)") % {"company": source.name})[:200],
                slug=f"sandbox-{source.slug[:40]}-{secrets.token_hex(3)}",
                country=shape.country,
            )
            sandbox = Sandbox.objects.create(
                company=company,
                source=source,
                created_by_user_id=actor.user_id,
                created_by_label=actor.label[:254],
                expires_at=timezone.now() + dt.timedelta(days=days),
                people_planned=shape.headcount,
            )
            # Made (and committed) before the people, so the worker and this process
            # keep it cached rather than reading it for every sealed value.
            vault.ensure_tenant_key(company.pk)
            maker = Synthesiser(company, source, shape, owner_id)
            maker.structure()
            maker.sign_in_policy(source)
        changes = {
            "sandbox": {"old": None, "new": company.slug},
            "expires_at": {"old": None, "new": sandbox.expires_at.isoformat()},
            "people": {"old": None, "new": shape.headcount},
        }
        record(actor, "sandbox.created", tenant=source, target=sandbox, changes=changes)
        emit("sandbox.created", tenant=source, target=sandbox)
        _platform_record(actor, "sandbox.created", sandbox, changes)
        if background:
            from kluis.sandbox.tasks import prepare_sandbox

            transaction.on_commit(lambda: prepare_sandbox.enqueue(company.pk, owner_address))
    if not background:
        fill(sandbox, owner_address, progress=progress, shape=shape)
    return sandbox


def fill(
    sandbox: Sandbox,
    owner_email: str,
    *,
    progress: Callable[[int], None] | None = None,
    shape: Any = None,
) -> Sandbox:
    """Make the sandbox's members and people (the worker's part of a large one)."""
    with rls.unnarrowed():
        source = sandbox.source
        shape = shape or read_shape(source)
        owner = (
            Membership.objects.for_tenant(source).filter(user__email__iexact=owner_email).first()
        )
        owner_id = owner.user_id if owner else 0
        maker = Synthesiser(sandbox.company, source, shape, owner_id)
        maker.roles = _roles_by_source(sandbox, shape)
        maker.departments, maker.teams = _structure_by_source(sandbox, shape)

        def report(done: int) -> None:
            Sandbox.objects.filter(pk=sandbox.pk).update(people_made=done)
            if progress is not None:
                progress(done)

        try:
            maker.members_and_people(owner_email, progress=report)
        except Exception:
            Sandbox.objects.filter(pk=sandbox.pk).update(status=Sandbox.Status.FAILED)
            raise
        Sandbox.objects.filter(pk=sandbox.pk).update(
            status=Sandbox.Status.READY, people_made=shape.headcount
        )
    sandbox.refresh_from_db()
    return sandbox


def _roles_by_source(sandbox: Sandbox, shape: Any) -> dict[int, Any]:
    from kluis.access.models import Role

    made = {(r.builtin_key, r.name): r for r in Role.objects.for_tenant(sandbox.company)}
    by_key = {r.builtin_key: r for r in made.values() if r.builtin_key}
    return {
        pk: by_key[key] if key else made[("", name)]
        for pk, (key, name, _d, _g) in shape.roles.items()
        if (key and key in by_key) or ("", name) in made
    }


def _structure_by_source(sandbox: Sandbox, shape: Any) -> tuple[dict[int, Any], dict[int, Any]]:
    from kluis.people.models import Department, Team

    departments = {d.name: d for d in Department.objects.for_tenant(sandbox.company)}
    teams = {t.name: t for t in Team.objects.for_tenant(sandbox.company)}
    return (
        {pk: departments[name] for pk, name, _c, _p in shape.departments if name in departments},
        {pk: teams[name] for pk, name, _d in shape.teams if name in teams},
    )


def delete_sandbox(actor: Actor, sandbox: Sandbox, *, reason: str = "deleted") -> int:
    """Remove the sandbox company and every row of it; rows removed. Refuses anything that
    is not a sandbox."""
    with rls.unnarrowed():
        record_ = Sandbox.objects.select_related("company", "source").filter(pk=sandbox.pk).first()
        if record_ is None or not selectors.is_sandbox_id(record_.company_id):
            raise ValidationError(_("That is not a sandbox."))
        source, company = record_.source, record_.company
        _authorise(actor, source)
        with transaction.atomic():
            users = list(
                Membership.objects.for_tenant(company)
                .filter(user__email__iendswith="." + selectors.MAIL_DOMAIN)
                .values_list("user_id", flat=True)
            )
            changes = {"sandbox": {"old": company.slug, "new": None}, "reason": reason}
            record(actor, "sandbox.deleted", tenant=source, target=record_, changes=changes)
            emit("sandbox.deleted", tenant=source, target=record_)
            _platform_record(actor, "sandbox.deleted", record_, changes)
            removed = purge_company(company, users_of=users)
    return removed


def expire_sandboxes(now: dt.datetime | None = None) -> int:
    """Delete every sandbox past its lifetime (the worker's job); how many."""
    now = now or timezone.now()
    with rls.unnarrowed():
        due = list(Sandbox.objects.filter(expires_at__lte=now).order_by("pk"))
    for sandbox in due:
        delete_sandbox(Actor.system("sandbox-expiry"), sandbox, reason="expired")
    return len(due)
