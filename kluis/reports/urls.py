from django.urls import path

from kluis.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.index, name="index"),
]
