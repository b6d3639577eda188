"""Password hashers.

Production hashes with Argon2id at OWASP's recommended cost (Password Storage Cheat
Sheet, ASVS 5 V11.4): 19 MiB of memory, 2 iterations, 1 lane - about 40 ms on one core.
Django's default (100 MiB, t=2, p=8) costs about 0.3 s of CPU on a 2-core server: the
first hundred wrong passwords an address may try before it is throttled would then take
about 30 s of CPU, long enough to make legitimate sign-ins wait (bench/signin_bench.py).
Hashes made with other parameters (Django's defaults, PBKDF2) still verify and are
re-hashed at the next sign-in (Django's `must_update`).

The test suite (KLUIS_ENV=test) puts a cheaper Argon2id first, so that hundreds of test
users do not cost minutes; its hashes are still Argon2id.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class KluisArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, m=19 MiB, t=2, p=1 (OWASP); the algorithm name stays `argon2`."""

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024
    parallelism = 1
