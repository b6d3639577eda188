"""Two URL namespaces, members: and roles:, mounted at /members/ and /roles/ (kluis/urls.py)."""

from django.urls import path

from kluis.company.views import invitations as invitation_views
from kluis.company.views import members as member_views
from kluis.company.views import roles as role_views

members = (
    [
        path("", member_views.member_list, name="members"),
        path("<int:pk>/", member_views.member_detail, name="member"),
        path(
            "invitations/<int:pk>/resend/",
            invitation_views.resend,
            name="invitation_resend",
        ),
        path(
            "invitations/<int:pk>/revoke/",
            invitation_views.revoke,
            name="invitation_revoke",
        ),
        path("<int:pk>/roles/grant/", member_views.member_grant_role, name="member_grant_role"),
        path("<int:pk>/reset-mfa/", member_views.member_reset_mfa, name="member_reset_mfa"),
        path(
            "<int:pk>/roles/<int:role_pk>/revoke/",
            member_views.member_revoke_role,
            name="member_revoke_role",
        ),
        path(
            "<int:pk>/deactivate/",
            member_views.member_set_active,
            {"active": False},
            name="member_deactivate",
        ),
        path(
            "<int:pk>/reactivate/",
            member_views.member_set_active,
            {"active": True},
            name="member_reactivate",
        ),
    ],
    "members",
)

roles = (
    [
        path("", role_views.role_list, name="roles"),
        path("new/", role_views.role_create, name="role_create"),
        path("<int:pk>/", role_views.role_detail, name="role"),
        path("<int:pk>/edit/", role_views.role_edit, name="role_edit"),
        path("<int:pk>/delete/", role_views.role_delete, name="role_delete"),
    ],
    "roles",
)
