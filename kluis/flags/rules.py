"""How a rule is stored in django-flags' FlagState rows, and read back.

    everyone on      boolean          True   (plain)
    everyone off     boolean          False  (required)
    company X on     kluis company    X.id   (plain)
    company X off    kluis not company X.id  (required)
    (user, role and percent alike; a role is a built-in role key, a percent 0-100)

django-flags: a flag is on when every required condition holds and at least one plain one
does (the declared default is a plain one). Hence the precedence: any matching "off" rule
beats every "on" rule; then any matching "on" rule; then the declared default.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("everyone", "company", "user", "role", "percent")


@dataclass(frozen=True)
class Target:
    """What a rule applies to: `kind` and its stored value (an id, role key or percent)."""

    kind: str
    value: str = ""

    @property
    def single(self) -> bool:
        """A flag has at most one rule of this kind (everyone, percent), whatever its value."""
        return self.kind in ("everyone", "percent")


@dataclass(frozen=True)
class Rule:
    target: Target
    on: bool


def encode(rule: Rule) -> tuple[str, str, bool]:
    """(condition, value, required) of a FlagState row."""
    if rule.target.kind == "everyone":
        return "boolean", "True" if rule.on else "False", not rule.on
    condition = f"kluis {rule.target.kind}" if rule.on else f"kluis not {rule.target.kind}"
    return condition, rule.target.value, not rule.on


def decode(condition: str, value: str, required: bool) -> Rule | None:
    """The rule a FlagState row holds; None for a row Kluis did not write."""
    if condition == "boolean":
        on = value.strip().lower() in ("true", "1", "yes", "on")
        return Rule(Target("everyone"), on) if on != required else None
    for kind in KINDS[1:]:
        if condition == f"kluis {kind}" and not required:
            return Rule(Target(kind, value), True)
        if condition == f"kluis not {kind}" and required:
            return Rule(Target(kind, value), False)
    return None


def conditions_of(kind: str) -> tuple[str, ...]:
    if kind == "everyone":
        return ("boolean",)
    return (f"kluis {kind}", f"kluis not {kind}")
