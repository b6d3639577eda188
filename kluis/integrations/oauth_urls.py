"""django-oauth-toolkit's authorization (our consent screen), token, revocation and
introspection endpoints under /oauth/
(not its application management views: clients are made by `kluis oauthclient create`)."""

from django.urls import path
from oauth2_provider import views as oauth

from kluis.integrations.oauth_views import ConsentView

app_name = "oauth2_provider"

urlpatterns = [
    path("authorize", ConsentView.as_view(), name="authorize"),
    path("token", oauth.TokenView.as_view(), name="token"),
    path("revoke", oauth.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect", oauth.IntrospectTokenView.as_view(), name="introspect"),
]
