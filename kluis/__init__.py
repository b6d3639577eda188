"""Kluis: a self-hostable, security-first HR platform."""

__version__ = "0.1.0"
