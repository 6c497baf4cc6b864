from django.urls import path

from .views import account, applications, groups, invitations, language, members

urlpatterns = [
    path("account/password/", account.password_view, name="password"),
    path("account/language/", language.account_language, name="account_language"),
    path("groups/new/", groups.group_create, name="group_create"),
    path("g/<int:pk>/edit/", groups.group_edit, name="group_edit"),
    path("g/<int:pk>/members/", members.members, name="group_members"),
    path("g/<int:pk>/members/<int:member_pk>/role/", members.member_role, name="member_role"),
    path("g/<int:pk>/members/<int:member_pk>/remove/", members.member_remove, name="member_remove"),
    path("g/<int:pk>/invitations/", invitations.invitations, name="group_invitations"),
    path(
        "g/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        invitations.invitation_revoke,
        name="invitation_revoke",
    ),
    path("g/<int:pk>/applications/", applications.applications, name="group_applications"),
    path(
        "g/<int:pk>/applications/<int:application_pk>/",
        applications.application_detail,
        name="group_application",
    ),
    path("invite/<str:token>/", invitations.invitation, name="invitation"),
    path("apply/<str:key>/", applications.apply, name="apply"),
]
