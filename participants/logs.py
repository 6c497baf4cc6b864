"""What may appear in logs about a request: never a token from a link's path."""

import logging
import re

# Path segments long enough to be a token (invitation, sign-in link, public key).
_SECRETISH = re.compile(r"/[\w-]{16,}(?=/|$)")


def redact_path(path: str) -> str:
    return _SECRETISH.sub("/…", path or "")


def axes_client_str(username, ip_address, user_agent, path_info, request) -> str:
    """django-axes describes a client in its log lines with this: no address, no token."""
    return f'{{path_info: "{redact_path(path_info)}"}}'


class RedactTokens(logging.Filter):
    """Attached to ``django.request``, whose "Not Found: /invite/<token>/" lines would
    otherwise write a working (or recently used) token into the logs."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = redact_path(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_path(a) if isinstance(a, str) else a for a in record.args)
        return True


def install() -> None:
    for name in ("django.request", "django.security.csrf"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
