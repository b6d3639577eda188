"""Who is acting: a signed-in member, an API client, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kluis.operations.client_ip import client_ip

if TYPE_CHECKING:
    from django.http import HttpRequest

    from kluis.access.holds import ApprovalStamp
    from kluis.integrations.models import ApiClient
    from kluis.tenancy.models import Membership, Tenant


@dataclass
class Actor:
    kind: str  # "user", "system" or "api_client"
    label: str
    tenant: Tenant | None = None
    membership: Membership | None = None
    user_id: int | None = None
    ip: str | None = None
    request_id: str = ""
    api_client_id: int | None = None  # the API client acting, for an "api_client" actor
    # Set while an approved request is applied (kluis/approvals/): who asked, who approved.
    approval: ApprovalStamp | None = None
    _grants: dict[str, str] | None = field(default=None, repr=False)

    @classmethod
    def for_request(cls, request: HttpRequest) -> Actor:
        membership = getattr(request, "membership", None)
        user = request.user
        return cls(
            kind="user",
            label=getattr(user, "email", "") or "anonymous",
            tenant=getattr(request, "tenant", None),
            membership=membership,
            user_id=user.pk if user.is_authenticated else None,
            ip=client_ip(request.META),
            request_id=getattr(request, "request_id", ""),
        )

    @classmethod
    def for_member(cls, membership: Membership, **extra: str) -> Actor:
        return cls(
            kind="user",
            label=membership.user.email,
            tenant=membership.tenant,
            membership=membership,
            user_id=membership.user_id,
            **extra,  # type: ignore[arg-type]
        )

    @classmethod
    def system(cls, label: str, tenant: Tenant | None = None) -> Actor:
        """The platform itself (CLI, demo loader, worker): trusted, but still audited."""
        return cls(kind="system", label=label, tenant=tenant)

    @classmethod
    def for_api_client(
        cls,
        client: ApiClient,
        *,
        ip: str | None = None,
        request_id: str = "",
        scopes: list[str] | None = None,
    ) -> Actor:
        """A machine client of one company: its grants are its scopes, company-wide, and
        nothing else (no membership, so no team or self scope). `scopes` narrows them further
        (an OAuth token's scopes): only scopes both granted and the client's count."""
        from kluis.access.permissions import grants_of_scopes

        return cls(
            kind="api_client",
            label=f"api:{client.name}",
            tenant=client.tenant,
            ip=ip,
            request_id=request_id,
            api_client_id=client.pk,
            _grants=grants_of_scopes([s for s in client.scopes if scopes is None or s in scopes]),
        )

    @property
    def is_system(self) -> bool:
        return self.kind == "system"
