"""/healthz: what a load balancer probes before sending traffic to a process."""

import socket

import pytest
from django.db import OperationalError

from intervision import health


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db
def test_healthy_process_answers_200_naming_each_part(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_database_down_is_503_naming_the_database(client, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "channel_layer": "ok"}


@pytest.mark.django_db
def test_unreachable_redis_is_503_naming_the_channel_layer(client, settings):
    # A real channels-redis layer pointed at a port where nothing listens.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": f"redis://127.0.0.1:{free_port()}/0"}]},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "channel_layer": "error"}


def test_probe_leaves_no_channel_behind():
    # A probe every few seconds for months must not grow the layer (or Redis subscriptions).
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    async def probe_three_times():
        for _ in range(3):
            await health._check_channel_layer()
        layer = get_channel_layer()
        # The Redis pub/sub layer keeps one inner layer per event loop.
        inner = layer._get_layer() if hasattr(layer, "_get_layer") else layer
        return dict(inner.channels)

    assert async_to_sync(probe_three_times)() == {}


@pytest.mark.django_db
def test_probe_over_plain_http_is_not_redirected_to_https(client, settings):
    # Production redirects HTTP to HTTPS; the probes inside the network speak plain HTTP.
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/login/").status_code == 301
    assert client.get("/healthz").status_code == 200
