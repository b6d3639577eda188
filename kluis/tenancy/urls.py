from django.urls import path

from kluis.tenancy import views

app_name = "tenancy"

urlpatterns = [
    path("", views.member_list, name="members"),
    path("<int:pk>/", views.member_detail, name="member"),
    path("<int:pk>/roles/grant/", views.member_grant_role, name="member_grant_role"),
    path(
        "<int:pk>/roles/<int:role_pk>/revoke/",
        views.member_revoke_role,
        name="member_revoke_role",
    ),
]
