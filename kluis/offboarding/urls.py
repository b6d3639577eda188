from django.urls import path

from kluis.offboarding import views

app_name = "offboarding"
urlpatterns = [
    path("people/<int:employee_pk>/start/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
]
