"""Run the project's periodic jobs (settings.PERIODIC_JOBS): once, or every N seconds.

    python manage.py periodic              # once: for cron, a systemd timer, a CronJob
    python manage.py periodic --every 60   # a process of its own (dev.py, docker compose)

Every job is idempotent, so a run that overlaps another, or a second runner on another
machine, does no harm. A failing job is logged by name and does not stop the others.
"""

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string

from participants import emails

log = logging.getLogger("intervision.periodic")


def run_jobs() -> dict[str, int | None]:
    """Each job once; what each returned (how many things it did), None when it failed."""
    done: dict[str, int | None] = {}
    for path in settings.PERIODIC_JOBS:
        try:
            done[path] = import_string(path)(timezone.now())
        except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
            # The class only: a message could carry an address or a subject's keyword.
            log.error("periodic job %s failed (%s)", path, exc.__class__.__name__)
            done[path] = None
    emails.wait_for_outgoing()
    return done


class Command(BaseCommand):
    help = "Run the periodic jobs (reminders before sessions) once, or every N seconds."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, metavar="SECONDS", help="keep running, once every SECONDS"
        )

    def handle(self, *args, every=None, **options):
        if every is None:
            run_jobs()
            return
        if every < 1:
            raise CommandError("--every must be at least 1 second")
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        log.info("periodic jobs every %d s: %s", every, ", ".join(settings.PERIODIC_JOBS))
        while not stop.is_set():
            # A long-lived process: drop a connection the database closed meanwhile.
            close_old_connections()
            run_jobs()
            stop.wait(every)
