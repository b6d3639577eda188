from django.urls import path

from kluis.approvals import views

app_name = "approvals"

urlpatterns = [
    path("approvals/", views.request_list, name="list"),
    path("approvals/<int:pk>/", views.request_detail, name="detail"),
    path("approvals/<int:pk>/approve/", views.approve, name="approve"),
    path("approvals/<int:pk>/reject/", views.reject, name="reject"),
    path("approvals/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("settings/approvals/", views.policy_settings, name="settings"),
]
