"""`kluis flags list|show|on|off|clear`: the command line of the operator page."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kluis.access.actor import Actor
from kluis.flags import services
from kluis.flags.registry import UnknownFlag
from kluis.flags.rules import Target
from kluis.flags.selectors import FlagOverview, overview


def add_target_arguments(parser: Any, *, required: bool) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--company", metavar="SLUG", help="one company")
    group.add_argument("--user", metavar="EMAIL", help="one user, in every company")
    group.add_argument("--role", metavar="ROLE", help="members holding a built-in role")
    group.add_argument("--percent", metavar="N", help="N%% of companies (the same ones each time)")
    group.add_argument("--everyone", action="store_true", help="everyone")


def _rules(flag: FlagOverview) -> str:
    return "; ".join(f"{s.state} for {s.label}" for s in flag.rules) or "no rules"


class Command(BaseCommand):
    help = "List, show and change feature flags (docs/operations.md, Feature flags)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "show", "on", "off", "clear"])
        parser.add_argument("name", nargs="?", default="")
        add_target_arguments(parser, required=False)

    def handle(self, *args: Any, **options: Any) -> None:
        action, name = options["action"], options["name"]
        if action == "list":
            for flag in overview():
                self._line(flag, long=False)
            return
        if not name:
            raise CommandError(f"`kluis flags {action}` needs a flag name")
        if action == "show":
            try:
                (flag,) = overview([name])
            except UnknownFlag as exc:
                raise CommandError(str(exc)) from exc
            self._line(flag, long=True)
            return
        target = self._target(options, required=action != "clear")
        actor = Actor.system(f"kluis flags ({getpass.getuser()})")
        try:
            if action == "clear" or target is None:
                count = services.clear_rules(actor, name, target)
                self.stdout.write(f"{name}: {count} rule(s) removed")
                return
            changed = services.set_rule(actor, name, target, on=action == "on")
        except services.FlagRuleError as exc:
            raise CommandError(str(exc)) from exc
        what = services.describe(target)
        self.stdout.write(f"{name}: {action} for {what}" + ("" if changed else " (already so)"))

    def _target(self, options: dict[str, Any], *, required: bool) -> Target | None:
        given = {k: options.get(k) for k in ("company", "user", "role", "percent")}
        if not options.get("everyone") and all(v in (None, "") for v in given.values()):
            if required:
                raise CommandError(
                    "say for whom: --company SLUG, --user EMAIL, --role ROLE, --percent N "
                    "or --everyone"
                )
            return None
        try:
            return services.target_for(everyone=bool(options.get("everyone")), **given)
        except services.FlagRuleError as exc:
            raise CommandError(str(exc)) from exc

    def _line(self, flag: FlagOverview, *, long: bool) -> None:
        d = flag.declaration
        expiry = f"expires {d.expires.isoformat()}" + (" (EXPIRED)" if flag.expired else "")
        default = "on" if d.default else "off"
        if not long:
            self.stdout.write(f"{d.name}\tdefault {default}\t{expiry}\t{_rules(flag)}")
            return
        self.stdout.write(
            f"{d.name}\n  {d.description}\n  owner: {d.owner}\n  {expiry}\n"
            f"  default: {default}\n  rules: {_rules(flag)}"
        )
