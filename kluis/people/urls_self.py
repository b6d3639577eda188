"""Self-service, the manager's team and the org chart (mounted under /people/)."""

from django.urls import path

from kluis.people import views_self

urlpatterns = [
    path("me/", views_self.my_profile, name="my_profile"),
    path("me/edit/", views_self.my_profile_edit, name="my_profile_edit"),
    path("me/bank-account/", views_self.my_bank_account, name="my_bank_account"),
    path("me/contacts/new/", views_self.my_contacts_add, name="my_contacts_add"),
    path(
        "me/contacts/<int:contact_pk>/remove/",
        views_self.my_contacts_remove,
        name="my_contacts_remove",
    ),
    path("team/", views_self.my_team, name="my_team"),
    path("org-chart/", views_self.org_chart, name="org_chart"),
]
