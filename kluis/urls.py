from django.urls import include, path

from kluis.access.operators import operator_required
from kluis.audit.operator_views import operator_home
from kluis.company import urls as company
from kluis.identity import app_token_views, mfa_headless
from kluis.identity import settings_views as identity_settings
from kluis.identity import views as identity_views
from kluis.operations import views as operations
from kluis.operations.metrics_views import metrics_view

urlpatterns = [
    path("health/live", operations.live, name="health-live"),
    path("health/ready", operations.ready, name="health-ready"),
    path("metrics", metrics_view, name="metrics"),  # Prometheus, with KLUIS_METRICS_TOKEN
    path("api/", include("kluis.api.urls")),
    path("oauth/", include("kluis.integrations.oauth_urls")),
    path("integrations/", include("kluis.integrations.urls")),
    # allauth's Sessions page under its own path and name, ahead of allauth's: its "Sign
    # out other sessions" asks for confirmation first.
    path("accounts/sessions/", identity_settings.sessions_page, name="usersessions_list"),
    path("accounts/", include("kluis.identity.urls")),
    path("accounts/", include("allauth.urls")),
    # Apps sign in here (allauth headless, "app" client): /auth/app/v1/...
    path("auth/app/jwks.json", app_token_views.jwks, name="app-jwks"),
    *mfa_headless.urlpatterns(),  # counted second factors, ahead of allauth's own
    path("auth/", include("allauth.headless.urls")),
    path("dev/outbox/", operator_required(operations.outbox), name="dev-outbox"),
    path("i18n/setlang/", identity_views.set_language, name="set_language"),
    path("audit/", include("kluis.audit.urls")),
    path("operator/", operator_home, name="operator-home"),
    path("settings/sso/", include("kluis.identity.sso.urls")),
    path("", include("kluis.approvals.urls")),  # /approvals/, /settings/approvals/
    path("members/", include(company.members)),
    path("roles/", include(company.roles)),
    path("people/", include("kluis.people.urls")),
    path("time-off/", include("kluis.timeoff.urls")),
    path("checklists/", include("kluis.checklists.urls")),
    path("offboarding/", include("kluis.offboarding.urls")),
    path("settings/", include("kluis.identity.urls_settings")),
    path("", include("kluis.status.urls")),  # /status, /.well-known/security.txt, operator pages
    path("", include("kluis.flags.urls")),
    path("", include("kluis.releases.urls")),
    path("", include("kluis.sandbox.urls")),
    path("", include("kluis.reports.urls")),
    path("", include("kluis.web.urls")),
]

handler400 = "kluis.api.exceptions.bad_request"
handler404 = "kluis.api.exceptions.not_found"
handler500 = "kluis.api.exceptions.server_error"
