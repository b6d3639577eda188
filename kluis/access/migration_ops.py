"""Migration operations of the permission catalogue.

Built-in roles are installed with their permissions when a company is made
(kluis/access/permissions.py), so a permission added later reaches the built-in roles of
companies made before it through a data migration:

    operations = [grant_to_builtin_roles("identity.reset_mfa", ("owner", "hr_admin"))]

Reversed, it takes the permission from those roles again.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def grant_to_builtin_roles(
    permission: str, builtin_keys: tuple[str, ...] | dict[str, str]
) -> migrations.RunPython:
    """Grant company-wide to each role named, or with the scope given per role
    ({"manager": "team", "employee": "self"})."""
    scopes = (
        dict(builtin_keys)
        if isinstance(builtin_keys, dict)
        else dict.fromkeys(builtin_keys, "company")
    )

    def grant(apps: Any, schema_editor: Any) -> None:
        Role = apps.get_model("access", "Role")
        RolePermission = apps.get_model("access", "RolePermission")
        for role in Role.objects.filter(builtin_key__in=list(scopes)):
            RolePermission.objects.get_or_create(
                role=role,
                permission=permission,
                defaults={"tenant_id": role.tenant_id, "scope": scopes[role.builtin_key]},
            )

    def revoke(apps: Any, schema_editor: Any) -> None:
        RolePermission = apps.get_model("access", "RolePermission")
        RolePermission.objects.filter(
            role__builtin_key__in=list(scopes), permission=permission
        ).delete()

    return migrations.RunPython(grant, revoke)
