"""django-oauth-toolkit's authorization (our consent screen), token and revocation
endpoints under /oauth/
(not its application management views: clients are made by `kluis oauthclient create`).
The token and revocation endpoints are rate limited per IP and per client. There is no
introspection endpoint: Kluis is the only resource server of its tokens, and DOT's would
describe any company's token to any client."""

from django.urls import path

from kluis.integrations.oauth_views import (
    ConsentView,
    RevokeTokenView,
    TokenView,
)

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize", ConsentView.as_view(), name="authorize"),
    path("token", TokenView.as_view(), name="token"),
    path("revoke", RevokeTokenView.as_view(), name="revoke-token"),
]
