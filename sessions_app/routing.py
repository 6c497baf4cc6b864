from django.urls import path

from .consumers import DisplayConsumer, SessionConsumer

websocket_urlpatterns = [
    # django-stubs' path() takes views only, not the ASGI apps that Channels routes.
    path("ws/session/<int:session_id>/", SessionConsumer.as_asgi()),  # type: ignore[arg-type]
    path("ws/session/<int:session_id>/ecran/", DisplayConsumer.as_asgi()),  # type: ignore[arg-type]
]
