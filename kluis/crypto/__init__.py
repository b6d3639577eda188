"""Encryption at rest: envelope keys (master -> company data key -> sealed value).

Use `from kluis.crypto import vault`; see docs/decisions/0004-envelope-encryption.md.
"""
