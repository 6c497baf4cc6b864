"""Reading the settings' environment variables: a bad value stops start-up with a message
naming the variable (``ImproperlyConfigured``)."""

import os
import re
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def envbool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name, default):
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def envrate(name, default):
    """A number of requests per period for django-ratelimit: ``5/10m`` is five per ten
    minutes (periods in s, m, h or d)."""
    value = os.environ.get(name, "") or default
    if not re.fullmatch(r"[1-9][0-9]*/[0-9]*[smhd]", value):
        raise ImproperlyConfigured(
            f"{name} must be a number of requests per period, as in 5/10m or 5/1h "
            f"(s, m, h or d), not {value!r}"
        )
    return value


def env_database(name, value):
    """A postgresql:// URL parsed into Django's DATABASES entry, or a clear error.

    Messages never repeat the value: it may hold a password.
    """
    scheme = value.split(":", 1)[0] if ":" in value else ""
    if scheme not in ("postgres", "postgresql", "pgsql"):
        raise ImproperlyConfigured(
            f"{name} must be a postgresql://user:password@host:port/dbname URL "
            f"(scheme {scheme!r} is not supported)"
        )
    try:
        parsed = urlparse(value)
        parsed.port  # noqa: B018 - raises ValueError on a port that is not a number
        db = dj_database_url.parse(value, conn_max_age=0)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} is not a valid URL (check the port, and percent-encode special "
            "characters in the password)"
        ) from None
    if not db.get("NAME"):
        raise ImproperlyConfigured(f"{name} must name a database, as in postgresql://host/dbname")
    return db


def env_redis(name, value):
    """Check a redis:// URL before channels-redis meets it at the first broadcast."""
    scheme = value.split(":", 1)[0] if ":" in value else ""
    if scheme not in ("redis", "rediss", "unix"):
        raise ImproperlyConfigured(
            f"{name} must be a redis://host:port/db URL (scheme {scheme!r} is not supported)"
        )
    try:
        parsed = urlparse(value)
        parsed.port  # noqa: B018
    except ValueError:
        raise ImproperlyConfigured(f"{name} is not a valid URL (check the port)") from None
    if scheme != "unix" and not parsed.hostname:
        raise ImproperlyConfigured(f"{name} must name a host, as in redis://127.0.0.1:6379/0")
    db = parsed.path.lstrip("/")
    if scheme != "unix" and db and not db.isdigit():
        raise ImproperlyConfigured(f"{name} must end with a database number, as in /0")
