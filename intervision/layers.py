"""The embedded channel layer: Channels' in-memory layer, swept at most once a second.

The stock ``InMemoryChannelLayer`` walks every channel and group on every send and
receive. With thousands of sockets that sweep costs more than the deliveries themselves
(a core pinned, seconds of latency); expiring messages once a second keeps the same
guarantees at a fraction of the cost.
"""

import logging
import time

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
        super()._clean_expired()

    async def flush(self):
        await super().flush()
        self._last_sweep = 0.0


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
