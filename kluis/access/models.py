"""Roles made of named, scoped permissions, granted to memberships."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext

from kluis.access.permissions import BUILTIN_ROLES, CATALOGUE, Scope
from kluis.tenancy.models import Membership, Tenant
from kluis.tenancy.querysets import TenantManager

SCOPE_CHOICES = [(s.value, s.value) for s in Scope]
PERMISSION_CHOICES = [(code, code) for code in CATALOGUE]


class Role(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    builtin_key = models.CharField(max_length=30, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    objects = TenantManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="role_unique_name"),
            models.UniqueConstraint(
                fields=["tenant", "builtin_key"],
                condition=~models.Q(builtin_key=""),
                name="role_unique_builtin",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return bool(self.builtin_key)

    @property
    def display_name(self) -> str:
        """The name in the reader's language: a built-in role's is translated, a company's
        own role keeps the name the company gave it (the stored name stays English for the
        audit log and the API)."""
        builtin = BUILTIN_ROLES.get(self.builtin_key)
        return gettext(builtin.name) if builtin is not None else self.name

    @property
    def display_description(self) -> str:
        builtin = BUILTIN_ROLES.get(self.builtin_key)
        return gettext(builtin.description) if builtin is not None else self.description


class RolePermission(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="permissions")
    permission = models.CharField(max_length=60, choices=PERMISSION_CHOICES)
    scope = models.CharField(max_length=10, choices=SCOPE_CHOICES, default=Scope.COMPANY)
    objects = TenantManager()

    class Meta:
        ordering = ["permission"]
        constraints = [
            models.UniqueConstraint(fields=["role", "permission"], name="role_permission_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.permission} ({self.scope})"


class RoleAssignment(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="assignments")
    granted_at = models.DateTimeField(auto_now_add=True)
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "role"], name="role_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.role} -> {self.membership}"
