from django.urls import path

from kluis.web import views

app_name = "web"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("company/switch/", views.switch_company, name="switch_company"),
]
