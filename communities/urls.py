from django.urls import path

from .views import bilan, community, groups, people, signin_settings

urlpatterns = [
    path("communautes/nouvelle/", community.community_create, name="community_create"),
    path("c/<int:pk>/", community.community_detail, name="community_detail"),
    path("c/<int:pk>/modifier/", community.community_edit, name="community_edit"),
    path("c/<int:pk>/personnes/", people.community_people, name="community_people"),
    path(
        "c/<int:pk>/groupes/nouveau/", groups.community_group_create, name="community_group_create"
    ),
    path(
        "c/<int:pk>/g/<int:group_pk>/organisateurs/",
        groups.community_group_organisers,
        name="community_group_organisers",
    ),
    path(
        "c/<int:pk>/g/<int:group_pk>/fermer/",
        groups.community_group_close,
        name="community_group_close",
    ),
    path("c/<int:pk>/g/<int:group_pk>/rejoindre/", people.community_join, name="community_join"),
    # The community's figures, for its leaders.
    path("c/<int:pk>/bilan/", bilan.community_bilan, name="community_bilan"),
    path("c/<int:pk>/bilan.csv", bilan.community_bilan_csv, name="community_bilan_csv"),
    # Company sign-in: the community's leaders set its OpenID Connect provider and domains.
    path("c/<int:pk>/connexion/", signin_settings.sign_in_settings, name="community_sign_in"),
]
