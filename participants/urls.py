from django.urls import path

from . import language, views

urlpatterns = [
    path("account/password/", views.password_view, name="password"),
    path("account/language/", language.account_language, name="account_language"),
    path("groups/new/", views.group_create, name="group_create"),
    path("g/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("g/<int:pk>/members/", views.members, name="group_members"),
    path("g/<int:pk>/members/<int:member_pk>/role/", views.member_role, name="member_role"),
    path("g/<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member_remove"),
    path("g/<int:pk>/invitations/", views.invitations, name="group_invitations"),
    path(
        "g/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("g/<int:pk>/applications/", views.applications, name="group_applications"),
    path(
        "g/<int:pk>/applications/<int:application_pk>/",
        views.application_detail,
        name="group_application",
    ),
    path("invite/<str:token>/", views.invitation, name="invitation"),
    path("apply/<str:key>/", views.apply, name="apply"),
]
