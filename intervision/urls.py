from django.contrib import admin
from django.urls import include, path

from participants.views import language, outbox, signin
from sessions_app.views import cycle, formats, home, logbook, rota, scheduling, session

from . import health

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", signin.login_view, name="login"),
    path("login/link/<str:token>/", signin.login_link, name="login_link"),
    path("logout/", signin.logout_view, name="logout"),
    # A community's company sign-in: allauth's OpenID Connect login and callback only
    # (/auth/oidc/c<pk>/login/ and …/login/callback/), none of allauth's account pages.
    path("auth/", include("allauth.socialaccount.providers.openid_connect.urls")),
    # Django's switch of language, which also remembers a signed-in person's for e-mails.
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("", include("participants.urls")),
    path("", include("privacy.urls")),
    path("", include("insights.urls")),
    path("", include("communities.urls")),
    path("g/<int:pk>/", home.group_detail, name="group_detail"),
    path("g/<int:pk>/logbook/", logbook.logbook, name="logbook"),
    path("g/<int:pk>/logbook/carnet.md", logbook.logbook_markdown, name="logbook_markdown"),
    path("g/<int:pk>/logbook/carnet.json", logbook.logbook_json, name="logbook_json"),
    path("g/<int:pk>/logbook/<int:entry_pk>/", logbook.logbook_edit, name="logbook_edit"),
    path(
        "g/<int:pk>/logbook/<int:entry_pk>/delete/", logbook.logbook_delete, name="logbook_delete"
    ),
    path("g/<int:pk>/reminders/", scheduling.reminders_toggle, name="group_reminders"),
    path("g/<int:pk>/rota/<int:member_pk>/skip/", rota.rota_skip, name="rota_skip"),
    path("g/<int:pk>/rota/swap/", rota.rota_swap, name="rota_swap"),
    path("g/<int:pk>/formats/", formats.format_list, name="format_list"),
    path("g/<int:pk>/formats/new/", formats.format_create, name="format_create"),
    path("g/<int:pk>/formats/<int:format_pk>/", formats.format_edit, name="format_edit"),
    path(
        "g/<int:pk>/formats/<int:format_pk>/delete/",
        formats.format_delete,
        name="format_delete",
    ),
    path("g/<int:group_pk>/sessions/new/", scheduling.session_create, name="session_create"),
    path("s/<int:pk>/info/", scheduling.session_info, name="session_info"),
    path("s/<int:pk>/edit/", scheduling.session_edit, name="session_edit"),
    path("s/<int:pk>/register/", scheduling.session_register, name="session_register"),
    path("s/<int:pk>/unregister/", scheduling.session_unregister, name="session_unregister"),
    path("s/<int:pk>/session.ics", scheduling.session_ics, name="session_ics"),
    path("s/<int:pk>/cancel/", scheduling.session_cancel, name="session_cancel"),
    path("s/<int:pk>/", session.session_page, name="session_page"),
    path("s/<int:pk>/live/", session.session_live, name="session_live"),
    path("s/<int:pk>/do/", session.session_command, name="session_command"),
    path("s/<int:pk>/arrive/", session.session_arrive, name="session_arrive"),
    path("s/<int:pk>/ecran/", session.session_display, name="session_display"),
    path(
        "s/<int:pk>/ecran/live/", session.session_display_live, name="session_display_live"
    ),
    path("s/<int:pk>/emporte/", cycle.session_takeaway, name="session_takeaway"),
    path("s/<int:pk>/carnet/", logbook.session_logbook, name="session_logbook"),
    path("actions/", cycle.my_actions, name="my_actions"),
    path("actions/<int:pk>/", cycle.action_edit, name="action_edit"),
    path("healthz", health.healthz, name="healthz"),
    # Development only (404 with DEBUG off): the e-mails the app would have sent.
    path("dev/outbox/", outbox.outbox, name="dev_outbox"),
    path("dev/outbox/<str:name>/", outbox.outbox_message, name="dev_outbox_message"),
    path("admin/", admin.site.urls),
]
