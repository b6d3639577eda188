"""Feature flags: declared in code (catalogue.py), switched per company, user, role or
percentage of companies by operators, checked everywhere through `enabled()`."""

from kluis.flags.evaluation import enabled
from kluis.flags.registry import UnknownFlag, declare

__all__ = ["UnknownFlag", "declare", "enabled"]
