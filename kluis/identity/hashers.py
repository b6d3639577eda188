"""Argon2id with cheap parameters, for the test suite only (KLUIS_ENV=test).

Hashes still are Argon2id; only the work factor is lowered so hundreds of test users
do not cost minutes. Production uses Django's Argon2PasswordHasher defaults.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024
    parallelism = 1
