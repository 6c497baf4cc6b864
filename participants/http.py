"""The request types the views are annotated with.

``login_required`` (or the group check every view makes) guarantees a signed-in person, so
the views of a member's pages take an ``AuthenticatedHttpRequest``: its ``user`` is a
``participants.User``, never an anonymous one.
"""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


class AuthenticatedHtmxHttpRequest(AuthenticatedHttpRequest):
    """For a view that reads ``request.htmx`` (django-htmx's middleware sets it)."""

    htmx: HtmxDetails
