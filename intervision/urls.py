from django.contrib import admin
from django.urls import include, path

from participants import views as participant_views
from sessions_app import views as session_views

from . import health

urlpatterns = [
    path("", session_views.home, name="home"),
    path("login/", participant_views.login_view, name="login"),
    path("login/link/<str:token>/", participant_views.login_link, name="login_link"),
    path("logout/", participant_views.logout_view, name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("g/<int:pk>/", session_views.group_detail, name="group_detail"),
    path("g/<int:group_pk>/sessions/new/", session_views.session_create, name="session_create"),
    path("s/<int:pk>/", session_views.session_page, name="session_page"),
    path("s/<int:pk>/live/", session_views.session_live, name="session_live"),
    path("s/<int:pk>/do/", session_views.session_command, name="session_command"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
