from django.urls import path

from .views import account, members, policy

urlpatterns = [
    path("account/", account.account, name="account"),
    path("account/confirm/", account.confirm_identity, name="confirm_identity"),
    path("account/data/", account.my_data, name="my_data"),
    path("account/data/intervision.json", account.my_data_json, name="my_data_json"),
    path("account/data/intervision.md", account.my_data_markdown, name="my_data_markdown"),
    path("account/erase/", account.erase_account, name="erase_account"),
    path(
        "g/<int:pk>/members/<int:member_pk>/erase/",
        members.erase_member_content,
        name="member_erase",
    ),
    path("privacy/", policy.privacy, name="privacy"),
]
