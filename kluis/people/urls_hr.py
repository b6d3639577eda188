"""HR screens: the employee list, profiles, hiring, editing, contracts and wages."""

from django.urls import path

from kluis.people import views_extra
from kluis.people import views_hr as views

urlpatterns = [
    path("", views.employee_list, name="list"),
    path("changes/", views_extra.change_feed, name="changes"),
    path("<int:pk>/photo/", views_extra.employee_photo, name="photo"),
    path("<int:pk>/photo/upload/", views_extra.employee_photo_upload, name="photo_upload"),
    path("new/", views.employee_create, name="new"),
    path("<int:pk>/", views.employee_detail, name="detail"),
    path("<int:pk>/edit/", views.employee_edit, name="edit"),
    path("<int:pk>/contracts/new/", views.employment_add, name="add_employment"),
    path(
        "<int:pk>/contracts/<int:contract_pk>/end/",
        views.employment_end,
        name="end_employment",
    ),
    path("<int:pk>/wages/new/", views.wage_set, name="set_wage"),
    path(
        "<int:pk>/wages/components/new/",
        views.wage_component_add,
        name="add_wage_component",
    ),
    path(
        "<int:pk>/wages/components/<int:component_pk>/end/",
        views.wage_component_end,
        name="end_wage_component",
    ),
]
