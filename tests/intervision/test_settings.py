"""Settings come from the environment; a bad value stops start-up with a clear message.

Each case runs ``manage.py check`` in a fresh process, as a deployment would start.
"""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OWN_VARIABLES = (
    "DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DB_POOL_MIN",
    "DB_POOL_MAX", "CHANNEL_LAYER_ENCRYPTION_KEY", "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT",
    "EMAIL_BACKEND", "ALLOW_CONSOLE_EMAIL", "LOGIN_LINK_RATE_LIMIT", "APPLICATION_RATE_LIMIT",
)
SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-secret-of-more-than-fifty-characters-x8Jq2nVb5Kc9Lz3",
    "ALLOWED_HOSTS": "intervision.example.org",
    "EMAIL_BACKEND": SMTP,
}


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in OWN_VARIABLES}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DEBUG": "1", "DATABASE_URL": "mysql://u:p@db/intervision"},
         "DATABASE_URL must be a postgresql://"),
        ({"DEBUG": "1", "DATABASE_URL": "postgres://u:s3cr3t@db:five/x"},
         "DATABASE_URL is not a valid URL"),
        ({"DEBUG": "1", "DATABASE_URL": "postgres://u:s3cr3t@db:5432/"},
         "DATABASE_URL must name a database"),
        ({"REDIS_URL": "http://cache:6379"}, "REDIS_URL must be a redis://"),
        ({"REDIS_URL": "redis://:s3cr3t@cache:port/0"}, "REDIS_URL is not a valid URL"),
        ({"REDIS_URL": "redis://cache:6379/zero"}, "REDIS_URL must end with a database number"),
        ({"DEBUG": "perhaps"}, "DEBUG must be true or false"),
        ({"DEBUG": "1", "DATABASE_URL": "postgres://db/x", "DB_POOL_MAX": "ten"},
         "DB_POOL_MAX must be a whole number"),
        ({"DEBUG": "1", "DATABASE_URL": "postgres://db/x", "DB_POOL_MIN": "20"},
         "DB_POOL_MIN (20) and DB_POOL_MAX (10)"),
        ({"DEBUG": "0", "ALLOWED_HOSTS": "intervision.example.org"}, "SECRET_KEY must be set"),
        ({"DEBUG": "0", "SECRET_KEY": "x" * 60}, "ALLOWED_HOSTS must be set"),
        ({"LOGIN_LINK_RATE_LIMIT": "lots"}, "LOGIN_LINK_RATE_LIMIT must be a number of requests"),
        ({"APPLICATION_RATE_LIMIT": "0/1h"}, "APPLICATION_RATE_LIMIT must be a number of"),
    ],
)
def test_bad_environment_stops_start_up_with_a_clear_message(env, message):
    result = manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr
    # The message names the variable, never the secret inside it.
    assert "s3cr3t" not in result.stderr


def test_production_settings_pass_check_deploy_without_warning():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DATABASE_URL="postgres://intervision@db:5432/intervision",
        REDIS_URL="redis://redis:6379/0",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_settings_show_what_check_deploy_does_not_cover():
    code = (
        "from django.conf import settings as s;"
        "print(s.STORAGES['staticfiles']['BACKEND']);"
        "print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src']);"
        "print(s.SECURE_REFERRER_POLICY, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE);"
        "print(s.DATABASES['default']['CONN_MAX_AGE'], s.DATABASES['default']['OPTIONS']['pool']);"
        "print(s.CHANNEL_LAYERS['default']['BACKEND']);"
        "print(s.SESSION_ENGINE, s.CACHES['default']['BACKEND'])"
    )
    result = manage(
        "shell", "--no-imports", "-c", code,
        DATABASE_URL="postgres://intervision@db:5432/intervision",
        REDIS_URL="redis://redis:6379/0", DB_POOL_MAX="4",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert lines[1] == "[\"'self'\"]"
    assert lines[2] == "same-origin True True"
    assert lines[3] == "0 {'min_size': 2, 'max_size': 4, 'timeout': 10}"
    assert lines[4] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    # Several processes: database sessions (a sign-out holds in every process at once).
    assert lines[5] == (
        "django.contrib.sessions.backends.db django.core.cache.backends.locmem.LocMemCache"
    )


@pytest.mark.parametrize("backend", [None, CONSOLE])
def test_with_debug_off_the_console_e_mail_backend_is_refused_and_the_message_says_what_to_set(
    backend,
):
    env = {k: v for k, v in PRODUCTION.items() if k != "EMAIL_BACKEND"}
    if backend:
        env["EMAIL_BACKEND"] = backend
    result = manage("check", **env)
    assert result.returncode != 0
    assert "EMAIL_BACKEND is the console backend while DEBUG is off" in result.stderr
    assert f"EMAIL_BACKEND={SMTP}" in result.stderr
    assert "ALLOW_CONSOLE_EMAIL=1" in result.stderr


def test_the_console_backend_runs_with_debug_off_when_a_setting_says_so_by_name():
    env = {k: v for k, v in PRODUCTION.items() if k != "EMAIL_BACKEND"}
    code = "from django.conf import settings as s; print(s.EMAIL_BACKEND)"
    result = manage("shell", "--no-imports", "-c", code, ALLOW_CONSOLE_EMAIL="1", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == CONSOLE
    refused = manage("check", ALLOW_CONSOLE_EMAIL="0", **env)
    assert refused.returncode != 0
    assert "ALLOW_CONSOLE_EMAIL=1" in refused.stderr
    # With DEBUG on (development, the demo), the console stays the default.
    assert manage("check", DEBUG="1").returncode == 0


def test_with_debug_off_smtp_is_accepted():
    code = "from django.conf import settings as s; print(s.EMAIL_BACKEND)"
    result = manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == SMTP


def test_the_embedded_default_in_production_passes_check_deploy_too():
    # One process: the rate limits count in its memory (django-ratelimit's E003 is silenced
    # for that configuration only).
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout


def test_rate_limits_count_in_redis_when_several_processes_share_it():
    code = (
        "from django.conf import settings as s;"
        "print(s.RATELIMIT_USE_CACHE, s.CACHES[s.RATELIMIT_USE_CACHE]['BACKEND']);"
        "print(s.CACHES[s.RATELIMIT_USE_CACHE].get('KEY_PREFIX'));"
        "print(s.LOGIN_LINK_RATE_LIMIT, s.APPLICATION_RATE_LIMIT)"
    )
    shared = manage(
        "shell", "--no-imports", "-c", code,
        DATABASE_URL="postgres://intervision@db:5432/intervision",
        REDIS_URL="redis://redis:6379/0", REDIS_PREFIX="site1", LOGIN_LINK_RATE_LIMIT="10/5m",
        **PRODUCTION,
    )
    assert shared.returncode == 0, shared.stderr
    assert shared.stdout.splitlines() == [
        "ratelimit django.core.cache.backends.redis.RedisCache",
        "site1:ratelimit",
        "10/5m 5/1h",
    ]
    embedded = manage("shell", "--no-imports", "-c", code)
    assert embedded.returncode == 0, embedded.stderr
    assert embedded.stdout.splitlines()[0] == (
        "ratelimit django.core.cache.backends.locmem.LocMemCache"
    )


def test_embedded_default_needs_no_environment():
    result = manage("check")
    assert result.returncode == 0, result.stderr


def test_compose_runs_the_configuration_the_live_tests_run():
    # tests/live start daphne with the Dockerfile's CMD, probe with deploy/healthcheck.py
    # and put deploy/Caddyfile in front: compose must use those same files, unchanged.
    compose = (ROOT / "docker-compose.yml").read_text()
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    web = compose.split("\n  web:\n", 1)[1].split("\n  proxy:\n", 1)[0]
    assert "command:" not in web  # the image's CMD, as tested
    assert '["CMD", "python", "deploy/healthcheck.py"]' in web
    assert "dockerfile: deploy/Dockerfile" in compose
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in compose
    assert (
        "WEB_UPSTREAMS: |\n        dynamic a {\n          name web\n          port 8000" in compose
    )
    assert '"--websocket-max-message-size", "65536"' in dockerfile
    assert 'python manage.py collectstatic' in dockerfile
    assert '["python", "manage.py", "migrate", "--no-input"]' in compose


def test_no_template_needs_inline_script_or_style():
    # The Content Security Policy allows scripts and styles from the site's own files only:
    # inline <script>, <style>, style="", on*="" or hx-on would be blocked in production.
    import re

    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        if "emails" in path.parts:  # read in a mail client, not under our CSP
            continue
        html = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)", r"<style\b", r"\sstyle=", r"\son[a-z]+=",
                        r"\shx-on"):
            # A file a person saves and opens from the disk carries its own stylesheet.
            if pattern == r"<style\b" and "downloads" in path.parts:
                continue
            if re.search(pattern, html):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert offenders == []


def test_the_live_sockets_say_a_cache_outage_once_a_minute_not_at_every_click(caplog):
    log = logging.getLogger("sessions_app.consumers")
    for _ in range(3):
        log.warning("rate limit cache unavailable: %s", "ConnectionError")
    assert len([r for r in caplog.records if r.name == "sessions_app.consumers"]) == 1
