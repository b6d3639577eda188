"""Seal the second-factor secrets stored before Kluis sealed them (kluis/identity/mfa_secrets.py)."""

from typing import Any

from django.db import migrations


def seal_existing(apps: Any, schema_editor: Any) -> None:
    from kluis.crypto import platform_seal
    from kluis.identity import mfa_secrets

    Authenticator = apps.get_model("mfa", "Authenticator")

    def change(value: str) -> str | None:
        return None if platform_seal.is_sealed(value) else mfa_secrets.seal(value)

    for authenticator in Authenticator.objects.order_by("pk"):
        if mfa_secrets.reseal_data(authenticator.data, change):
            authenticator.save(update_fields=["data"])


def unseal_all(apps: Any, schema_editor: Any) -> None:
    from kluis.crypto import platform_seal
    from kluis.identity import mfa_secrets

    Authenticator = apps.get_model("mfa", "Authenticator")

    def change(value: str) -> str | None:
        return mfa_secrets.unseal(value) if platform_seal.is_sealed(value) else None

    for authenticator in Authenticator.objects.order_by("pk"):
        if mfa_secrets.reseal_data(authenticator.data, change):
            authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0009_mfa"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(seal_existing, unseal_all)]
