from django.urls import path

from kluis.identity import settings_views, views

app_name = "identity"

urlpatterns = [
    path("unblock/<str:token>/", views.unblock, name="unblock"),
    path(
        "sessions/everywhere/end/",
        settings_views.sign_out_everywhere,
        name="sign_out_everywhere",
    ),
    path("sessions/<int:pk>/end/", settings_views.end_session, name="end_session"),
]
