"""HR screens: the employee list, profiles, hiring, editing, contracts and wages."""

from django.urls import path

from kluis.people.views import (
    account,
    change_feed,
    contracts,
    employees,
    hire,
    invitations,
    photos,
    pickers,
    profile,
)

urlpatterns = [
    path("", employees.employee_list, name="list"),
    path("changes/", change_feed.change_feed, name="changes"),
    path("<int:pk>/photo/", photos.employee_photo, name="photo"),
    path("<int:pk>/photo/upload/", photos.employee_photo_upload, name="photo_upload"),
    path("new/", hire.employee_create, name="new"),
    path("search/employees/", pickers.employee_search, name="employee_search"),
    path("search/employees/pick/", pickers.employee_pick, name="employee_pick"),
    path("invite/", invitations.invite_many, name="invite_many"),
    path("<int:pk>/invite/", invitations.invite, name="invite"),
    path("<int:pk>/", profile.employee_detail, name="detail"),
    # The profile's Account panel (kluis/people/views/account.py).
    path("<int:pk>/account/deactivate/", account.deactivate, name="account_deactivate"),
    path("<int:pk>/account/reactivate/", account.reactivate, name="account_reactivate"),
    path("<int:pk>/account/reset-mfa/", account.reset_mfa, name="account_reset_mfa"),
    path(
        "<int:pk>/account/invitation/revoke/",
        account.revoke_invitation,
        name="account_revoke_invitation",
    ),
    path("<int:pk>/account/roles/grant/", account.grant, name="account_grant_role"),
    path(
        "<int:pk>/account/roles/<int:role_pk>/revoke/",
        account.revoke,
        name="account_revoke_role",
    ),
    path("<int:pk>/edit/", employees.employee_edit, name="edit"),
    path("<int:pk>/contracts/new/", contracts.employment_add, name="add_employment"),
    path(
        "<int:pk>/contracts/<int:contract_pk>/end/",
        contracts.employment_end,
        name="end_employment",
    ),
    path(
        "<int:pk>/contracts/<int:contract_pk>/probation/",
        contracts.employment_probation,
        name="employment_probation",
    ),
    path("<int:pk>/wages/new/", contracts.wage_set, name="set_wage"),
    path(
        "<int:pk>/wages/components/new/",
        contracts.wage_component_add,
        name="add_wage_component",
    ),
    path(
        "<int:pk>/wages/components/<int:component_pk>/end/",
        contracts.wage_component_end,
        name="end_wage_component",
    ),
]
