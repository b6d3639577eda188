"""The django-flags source of the declared flags: each flag with its declared default.

The default is a plain "boolean" condition, so a flag is never on merely because its only
rules are "off" rules (django-flags would call a flag of required conditions alone on).
"""

from __future__ import annotations

from flags.sources import Condition

from kluis.flags.registry import declared


class DeclaredFlagsSource:
    def get_flags(self) -> dict[str, list[Condition]]:
        return {d.name: [Condition("boolean", d.default)] for d in declared()}
