from django.urls import path

from kluis.identity import settings_views, views
from kluis.identity.sso import signin_views

app_name = "identity"

urlpatterns = [
    path("unblock/<str:token>/", views.unblock, name="unblock"),
    path(
        "sessions/everywhere/end/",
        settings_views.sign_out_everywhere,
        name="sign_out_everywhere",
    ),
    path("sessions/<int:pk>/end/", settings_views.end_session, name="end_session"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("invitation/<str:token>/sso/", views.invitation_sso, name="invitation-sso"),
    path("login/continue/", signin_views.continue_sign_in, name="sign_in_continue"),
    # The same paths as allauth's openid_connect views (mounted after these), served with
    # Kluis's strict ID token checks (kluis/identity/sso/oidc.py).
    path("oidc/<str:provider_id>/login/", signin_views.oidc_login, name="oidc_login"),
    path(
        "oidc/<str:provider_id>/login/callback/",
        signin_views.oidc_callback,
        name="oidc_callback",
    ),
]
