"""django-oauth-toolkit's authorization (our consent screen), token, revocation and
introspection endpoints under /oauth/
(not its application management views: clients are made by `kluis oauthclient create`).
The token, revocation and introspection endpoints are rate limited per IP and per client."""

from django.urls import path

from kluis.integrations.oauth_views import (
    ConsentView,
    IntrospectTokenView,
    RevokeTokenView,
    TokenView,
)

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize", ConsentView.as_view(), name="authorize"),
    path("token", TokenView.as_view(), name="token"),
    path("revoke", RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect", IntrospectTokenView.as_view(), name="introspect"),
]
