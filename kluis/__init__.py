"""Kluis: a self-hostable, security-first HR platform."""

__version__ = "0.2.0"
