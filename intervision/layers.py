"""The embedded channel layer: Channels' in-memory layer, swept at most once a second.

The stock ``InMemoryChannelLayer`` walks every channel and group on every send and
receive. With thousands of sockets that sweep costs more than the deliveries themselves
(a core pinned, seconds of latency); expiring messages once a second keeps the same
guarantees at a fraction of the cost.
"""

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
