from django.urls import path

from . import views

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/confirm/", views.confirm_identity, name="confirm_identity"),
    path("account/data/", views.my_data, name="my_data"),
    path("account/data/intervision.json", views.my_data_json, name="my_data_json"),
    path("account/data/intervision.md", views.my_data_markdown, name="my_data_markdown"),
    path("account/erase/", views.erase_account, name="erase_account"),
    path(
        "g/<int:pk>/members/<int:member_pk>/erase/",
        views.erase_member_content,
        name="member_erase",
    ),
    path("privacy/", views.privacy, name="privacy"),
]
