"""Self-service, the manager's team and the org chart (mounted under /people/)."""

from django.urls import path

from kluis.people.views import celebrations, self_service, team

urlpatterns = [
    path("me/", self_service.my_profile, name="my_profile"),
    path("me/edit/", self_service.my_profile_edit, name="my_profile_edit"),
    path("me/bank-account/", self_service.my_bank_account, name="my_bank_account"),
    path("me/contacts/new/", self_service.my_contacts_add, name="my_contacts_add"),
    path(
        "me/contacts/<int:contact_pk>/remove/",
        self_service.my_contacts_remove,
        name="my_contacts_remove",
    ),
    path("me/celebrations/", celebrations.my_celebrations, name="my_celebrations"),
    path("team/", team.my_team, name="my_team"),
    path("org-chart/", team.org_chart, name="org_chart"),
]
