from django.urls import path

from .consumers import SessionConsumer

websocket_urlpatterns = [
    # django-stubs' path() takes views only, not the ASGI apps that Channels routes.
    path("ws/session/<int:session_id>/", SessionConsumer.as_asgi()),  # type: ignore[arg-type]
]
