from django.urls import path

from kluis.identity import views

app_name = "identity"

urlpatterns = [
    path("unblock/<str:token>/", views.unblock, name="unblock"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
]
