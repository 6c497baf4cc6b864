"""Settings of the minimal-click floor: the app's own settings (same middleware, database,
sessions, channel layer), with the floor's URLs instead of the app's. Bench-only."""

from intervision.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.floor_click"
ASGI_APPLICATION = "bench.floor_click.application"
