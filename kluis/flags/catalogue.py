"""The feature flags of Kluis. Each one guards something experimental and must go (or be
renewed, with a reason) by its expiry date: `make test` fails on a flag past it.

Add one with `declare(name, description=..., owner=..., expires=date(...))`; turn it on
with `kluis flags on NAME ...` or at /operator/flags/ (docs/operations.md, "Feature flags").
"""

from __future__ import annotations

from datetime import date

from kluis.flags.registry import declare

declare(
    "sandboxes",
    description="Owners may create sandbox companies (test environments) from Settings.",
    owner="operations",
    expires=date(2027, 6, 30),
    default=False,
)
