from django.urls import include, path

from . import views

urlpatterns = [
    # Discovery at /o/.well-known/openid-configuration, JWKS at /o/.well-known/jwks.json,
    # authorize, token and userinfo under /o/.
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("login/", views.sign_in, name="login"),
    path("control/users/", views.add_user),
    path("control/redirect-uris/", views.allow_redirect_uri),
    path("control/expire-codes/", views.expire_codes),
]
