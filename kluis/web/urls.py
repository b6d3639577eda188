from django.urls import path
from django.views.generic import RedirectView

from kluis.web import views, views_notices

app_name = "web"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("away/", views.dashboard_away, name="dashboard_away"),
    path("company/switch/", views.switch_company, name="switch_company"),
    # The inbox (was "Notices" at /notices/: old links and e-mails still arrive).
    path("inbox/", views_notices.notice_list, name="notices"),
    path("inbox/read/", views_notices.notices_read, name="notices_read"),
    path("inbox/preferences/", views_notices.notice_preferences, name="notice_preferences"),
    path("inbox/<int:pk>/open/", views_notices.notice_open, name="notice_open"),
    path("inbox/<int:pk>/read/", views_notices.notice_read, name="notice_read"),
    path("notices/", RedirectView.as_view(pattern_name="web:notices", query_string=True)),
]
