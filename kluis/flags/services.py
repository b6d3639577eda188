"""Every change to a flag's rules: validated, written in one transaction, audited.

Operators change rules (the operator page and `kluis flags`). Each change is one event in
the platform operator log and, for a rule naming a company, one in that company's audit
log too (action `flag.changed`). Rules are django-flags' FlagState rows (rules.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from flags.models import FlagState

from kluis.access.permissions import BUILTIN_ROLES
from kluis.audit.platform import record_operator
from kluis.audit.services import record
from kluis.flags.registry import UnknownFlag, get
from kluis.flags.rules import Rule, Target, conditions_of, decode, encode
from kluis.tenancy.models import Tenant
from kluis.tenancy.rls import unnarrowed

if TYPE_CHECKING:
    from kluis.access.actor import Actor

ACTION = "flag.changed"


class FlagRuleError(ValueError):
    """Input an operator can fix: an unknown flag, company, user or role, a bad percent."""


def target_for(
    *,
    company: str | None = None,
    user: str | None = None,
    role: str | None = None,
    percent: int | str | None = None,
    everyone: bool = False,
) -> Target:
    """The one target named (a company slug, a user e-mail, a built-in role key, a percent
    0-100, or everyone), checked to exist. Any company may be named: row-level security
    does not narrow an operator's look-up to the company their session has open."""
    with unnarrowed():
        return _target_for(
            company=company, user=user, role=role, percent=percent, everyone=everyone
        )


def _target_for(
    *,
    company: str | None = None,
    user: str | None = None,
    role: str | None = None,
    percent: int | str | None = None,
    everyone: bool = False,
) -> Target:
    given = [
        k
        for k, v in (
            ("company", company),
            ("user", user),
            ("role", role),
            ("percent", percent),
        )
        if v not in (None, "")
    ]
    if everyone:
        given.append("everyone")
    if len(given) != 1:
        raise FlagRuleError(_("Name exactly one of: company, user, role, percentage, everyone."))
    kind = given[0]
    if kind == "company":
        tenant = Tenant.objects.filter(slug=str(company).strip()).first()
        if tenant is None:
            raise FlagRuleError(_("No company with slug %(slug)s.") % {"slug": company})
        return Target("company", str(tenant.pk))
    if kind == "user":
        found = get_user_model().objects.filter(email__iexact=str(user).strip()).first()
        if found is None:
            raise FlagRuleError(_("No user with e-mail address %(email)s.") % {"email": user})
        return Target("user", str(found.pk))
    if kind == "role":
        if role not in BUILTIN_ROLES:
            raise FlagRuleError(
                _("No built-in role %(role)s (one of: %(roles)s).")
                % {"role": role, "roles": ", ".join(sorted(BUILTIN_ROLES))}
            )
        return Target("role", str(role))
    if kind == "percent":
        text = str(percent).strip()
        if not text.isdigit() or not 0 <= int(text) <= 100:
            raise FlagRuleError(_("A percentage is a whole number from 0 to 100."))
        return Target("percent", str(int(text)))
    return Target("everyone")


def describe(target: Target) -> str:
    """A target as an operator names it (company slug, user e-mail, role key, N%)."""
    with unnarrowed():
        return _describe(target)


def _describe(target: Target) -> str:
    if target.kind == "company":
        tenant = Tenant.objects.filter(pk=int(target.value)).first()
        return f"company {tenant.slug if tenant else '#' + target.value}"
    if target.kind == "user":
        found = get_user_model().objects.filter(pk=int(target.value)).first()
        return f"user {found.email if found else '#' + target.value}"
    if target.kind == "role":
        return f"role {target.value}"
    if target.kind == "percent":
        return f"{target.value}% of companies"
    return "everyone"


def _rows(name: str, target: Target) -> Any:
    rows = FlagState.objects.filter(name=name, condition__in=conditions_of(target.kind))
    return rows if target.single else rows.filter(value=target.value)


def _state(rows: Any) -> str:
    """What a target's rules say now: "on", "off", "on 20%", or "" when it has none."""
    rules = [r for r in (decode(s.condition, s.value, s.required) for s in rows) if r]
    if not rules:
        return ""
    rule = rules[0]
    suffix = f" {rule.target.value}%" if rule.target.kind == "percent" else ""
    return ("on" if rule.on else "off") + suffix


def _audit(actor: Actor, name: str, target: Target, before: str, after: str) -> None:
    changes = {"rule": {"old": before or None, "new": after or None}}
    what = describe(target)
    record_operator(
        actor,
        ACTION,
        object_type="feature_flag",
        object_id=name,
        object_repr=f"{name}: {what}",
        changes=changes,
    )
    if target.kind == "company":
        tenant = Tenant.objects.get(pk=int(target.value))
        record(
            actor,
            ACTION,
            tenant=tenant,
            object_type="feature_flag",
            object_id=name,
            object_repr=f"{name}: {what}",
            changes=changes,
        )


def _declared(name: str) -> None:
    try:
        get(name)
    except UnknownFlag as exc:
        raise FlagRuleError(_("No feature flag named %(name)s.") % {"name": name}) from exc


def set_rule(actor: Actor, name: str, target: Target, *, on: bool) -> bool:
    """Turn flag `name` on or off for `target`, replacing the target's earlier rule.
    Returns False when the rule was already so (nothing written, nothing audited)."""
    _declared(name)
    condition, value, required = encode(Rule(target, on))
    with unnarrowed(), transaction.atomic():
        rows = _rows(name, target).select_for_update()
        before = _state(list(rows))
        after = _state([FlagState(condition=condition, value=value, required=required)])
        if before == after:
            return False
        rows.delete()
        FlagState.objects.create(name=name, condition=condition, value=value, required=required)
        _audit(actor, name, target, before, after)
    return True


def clear_rules(actor: Actor, name: str, target: Target | None = None) -> int:
    """Remove the rule of `target` (every rule of the flag when None); the flag falls back
    to its other rules and its declared default. Returns how many rules went."""
    _declared(name)
    with unnarrowed(), transaction.atomic():
        rows = FlagState.objects.filter(name=name)
        if target is not None:
            rows = _rows(name, target)
        removed = [
            (rule, state)
            for state in rows.select_for_update()
            if (rule := decode(state.condition, state.value, state.required)) is not None
        ]
        for rule, state in removed:
            state.delete()
            _audit(actor, name, rule.target, _state([state]), "")
    return len(removed)
