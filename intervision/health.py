"""Health endpoint for the load balancer: the database and the channel layer answer.

``GET /healthz`` returns 200 ``{"status": "ok", "database": "ok", "channel_layer": "ok"}``,
or 503 naming the part that failed. The channel layer check is a real round trip (a message
sent to a fresh channel and received back), so a process whose Redis connection is broken
is reported, not only one that cannot reach Redis at all.
"""

import asyncio
import logging
import time

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

log = logging.getLogger(__name__)

LAYER_TIMEOUT = 2.0  # seconds; a load balancer's probe usually allows 5


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


async def _check_channel_layer():
    layer = get_channel_layer()
    assert layer is not None  # CHANNEL_LAYERS always names one
    # Both layers in use (in-memory, Redis) take a prefix; types-channels' base class does not.
    channel = await layer.new_channel("health.")  # type: ignore[call-arg]
    token = f"{time.monotonic_ns()}"
    async with asyncio.timeout(LAYER_TIMEOUT):
        await layer.send(channel, {"type": "health.ping", "token": token})
        message = await layer.receive(channel)
    if message.get("token") != token:
        raise RuntimeError("channel layer returned another message")
    await _forget(layer, channel)


async def _forget(layer, channel):
    """Let the layer drop the probe's channel, as it does when a consumer leaves.

    Layers clean a channel up when a pending receive is cancelled (the pub/sub layer
    unsubscribes then); without this every probe would leave a subscription behind.
    """
    try:
        await asyncio.wait_for(layer.receive(channel), 0.05)
    except TimeoutError:
        pass


@never_cache
async def healthz(request: HttpRequest) -> JsonResponse:
    checks = {}
    try:
        await sync_to_async(_check_database)()
        checks["database"] = "ok"
    except Exception as exc:
        log.warning("health: database check failed: %s", type(exc).__name__)
        checks["database"] = "error"
    try:
        await _check_channel_layer()
        checks["channel_layer"] = "ok"
    except Exception as exc:
        log.warning("health: channel layer check failed: %s", type(exc).__name__)
        checks["channel_layer"] = "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
