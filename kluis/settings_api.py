"""Settings of the API's libraries that depend on no environment variable: OAuth 2.0
(django-oauth-toolkit) and the OpenAPI document (drf-spectacular). Imported by
kluis/settings.py, kept apart so that file stays about what an operator configures."""

from __future__ import annotations

from kluis.access.permissions import API_SCOPES

__all__ = ["OAUTH2_PROVIDER", "OAUTH2_PROVIDER_APPLICATION_MODEL", "SPECTACULAR_SETTINGS"]

# OAuth 2.0 (django-oauth-toolkit): client credentials and authorization code + PKCE only.
# No implicit or password grant; codes live 10 minutes; refresh tokens rotate and a reused
# one revokes its family; tokens are stored as checksums only (RFC 9700).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 90 * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "SCOPES": {scope: scope for scope in API_SCOPES},
    "DEFAULT_SCOPES": [],
    "SCOPES_BACKEND_CLASS": "kluis.integrations.oauth.ClientScopes",
    "OAUTH2_SERVER_CLASS": "kluis.integrations.oauth.KluisServer",
    "OAUTH2_VALIDATOR_CLASS": "kluis.integrations.oauth.KluisValidator",
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "client_credentials", "refresh_token"],
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kluis API",
    "DESCRIPTION": "The public REST API of Kluis. Guide: docs/api.md.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    # <id:...> in API paths (rest/paths.py) takes any segment so that a malformed id is
    # answered 400 by the view; what a client must send is still a whole number.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}},
    # Webhooks: two more `status` fields; their enums named, not numbered by a digest.
    "ENUM_NAME_OVERRIDES": {
        "WebhookStatusEnum": "kluis.integrations.api.shapes.STATUSES",
        "WebhookDeliveryStatusEnum": "kluis.integrations.webhooks.models.WebhookDelivery.Status",
        # The calendar (issue 15): its `kind` and `status` fields named, not numbered.
        "AbsenceKindEnum": "kluis.timeoff.models.AbsenceKind",
        "LeaveStatusEnum": "kluis.timeoff.models.Status",
        # Checklists (issue 18): onboarding or offboarding, and a checklist's status.
        "ChecklistKindEnum": "kluis.checklists.models.Kind",
        "ChecklistStatusEnum": "kluis.checklists.models.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kluis.api.schema.tighten_schema",
        # Webhooks (issue 14): the catalogue's events under the document's `webhooks`.
        "kluis.integrations.webhooks.openapi.add_webhooks",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
