from django.urls import path

from kluis.web import views, views_notices

app_name = "web"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("away/", views.dashboard_away, name="dashboard_away"),
    path("company/switch/", views.switch_company, name="switch_company"),
    path("notices/", views_notices.notice_list, name="notices"),
    path("notices/read/", views_notices.notices_read, name="notices_read"),
    path("notices/<int:pk>/open/", views_notices.notice_open, name="notice_open"),
]
