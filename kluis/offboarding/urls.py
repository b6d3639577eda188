from django.urls import path

from kluis.offboarding import views

app_name = "offboarding"
urlpatterns = [
    path("people/<int:employee_pk>/start/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/approve/", views.decide, {"decision": "approve"}, name="approve"),
    path("<int:pk>/reject/", views.decide, {"decision": "reject"}, name="reject"),
]
