from django.urls import path

from kluis.access import views

app_name = "access"

urlpatterns = [
    path("", views.role_list, name="roles"),
    path("new/", views.role_create, name="role_create"),
    path("<int:pk>/", views.role_detail, name="role"),
    path("<int:pk>/edit/", views.role_edit, name="role_edit"),
    path("<int:pk>/delete/", views.role_delete, name="role_delete"),
]
