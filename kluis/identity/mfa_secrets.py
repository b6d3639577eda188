"""A person's second-factor secrets (the TOTP secret, the seed of the recovery codes)
sealed under the platform's master key (kluis/crypto/platform_seal.py), so a copy of the
database alone does not let anyone compute their codes.

allauth stores them through its MFA adapter's encrypt()/decrypt() hooks
(kluis/identity/mfa.py); a master key rotation re-seals them (`reseal`, registered in
identity's AppConfig.ready). Values stored before sealing existed are sealed by migration
identity 0010; one still found in the clear (restored from such a backup) is read as it
is and sealed at the next rotation.
"""

from __future__ import annotations

from typing import Any

from kluis.crypto import platform_seal

PURPOSE = "mfa"
# Authenticator.data keys allauth passes through encrypt() (TOTP secret, recovery-code
# seed, codes carried over from django-allauth's old format).
SEALED_KEYS = ("secret", "seed", "migrated_codes")


def seal(text: str) -> str:
    return platform_seal.seal(PURPOSE, text)


def unseal(value: str) -> str:
    if not platform_seal.is_sealed(value):
        return value  # stored before sealing existed
    return platform_seal.unseal(PURPOSE, value)


def _resealed(value: Any, change: Any) -> tuple[Any, bool]:
    if isinstance(value, list):
        pairs = [_resealed(item, change) for item in value]
        return [new for new, _ in pairs], any(changed for _, changed in pairs)
    if isinstance(value, str):
        new = change(value)
        return (new, True) if new is not None else (value, False)
    return value, False


def reseal_data(data: dict[str, Any], change: Any) -> bool:
    """Apply `change(value) -> new value or None` to every sealed field of one
    authenticator's data, in place; True when something changed."""
    changed = False
    for key in SEALED_KEYS:
        if key in data:
            data[key], did = _resealed(data[key], change)
            changed = changed or did
    return changed


def reseal(active_id: str) -> int:
    """Seal every authenticator's secrets under the active master key (those in the clear
    too); how many authenticators changed."""
    from allauth.mfa.models import Authenticator
    from django.db import transaction

    def change(value: str) -> str | None:
        if not platform_seal.is_sealed(value):
            return seal(value)
        return platform_seal.reseal(PURPOSE, value, active_id)

    count = 0
    with transaction.atomic():
        for authenticator in Authenticator.objects.select_for_update().order_by("pk"):
            if reseal_data(authenticator.data, change):
                authenticator.save(update_fields=["data"])
                count += 1
    return count
