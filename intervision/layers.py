"""The embedded channel layer: Channels' in-memory layer, swept at most once a second.

The stock ``InMemoryChannelLayer`` walks every channel and group on every send and
receive. With thousands of sockets that sweep costs more than the deliveries themselves
(a core pinned, seconds of latency); expiring messages once a second keeps the same
guarantees at a fraction of the cost.
"""

import asyncio
import logging
import time
from copy import deepcopy

from channels.layers import InMemoryChannelLayer


class ThrottledInMemoryChannelLayer(InMemoryChannelLayer):
    sweep_interval = 1.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._last_sweep = 0.0

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._last_sweep < self.sweep_interval:
            return
        self._last_sweep = now
        super()._clean_expired()  # type: ignore[misc]  # private: not in types-channels

    async def flush(self):
        await super().flush()
        self._last_sweep = 0.0

    async def group_send(self, group, message):
        # The stock layer starts a task and deep-copies the message for every member. Here
        # the message is copied once (the sender may reuse its dict) and queued directly:
        # members share that copy, so a handler must not mutate the event it receives.
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        members = self.groups.get(group)
        if not members:
            return
        item = (time.time() + self.expiry, deepcopy(message))
        for channel in list(members):
            queue = self.channels.get(channel)
            if queue is None:
                queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
            try:
                queue.put_nowait(item)
            except asyncio.QueueFull:
                pass  # as the stock layer: a full channel drops the message


class OncePerInterval(logging.Filter):
    """Let a given message through at most once a minute.

    channels-redis's pub/sub reader logs a full traceback every second while Redis is
    unreachable; one per minute says the same thing (``sessions_app.live`` logs the
    outage itself, once).
    """

    interval = 60.0

    def __init__(self, name=""):
        super().__init__(name)
        self._last = {}

    def filter(self, record):
        key = (record.name, record.msg)
        now = time.monotonic()
        if now - self._last.get(key, -self.interval) < self.interval:
            return False
        self._last[key] = now
        return True
