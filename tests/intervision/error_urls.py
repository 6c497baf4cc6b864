"""The project's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from intervision import errors
from intervision.urls import urlpatterns as project_urlpatterns

SECRET = "détail interne : Pairs produit"


def bad_request(request):
    raise SuspiciousOperation(SECRET)


def forbidden(request):
    raise PermissionDenied(SECRET)


def server_error(request):
    raise RuntimeError(SECRET)


urlpatterns = [
    path("test-errors/400/", bad_request),
    path("test-errors/403/", forbidden),
    path("test-errors/410/", errors.gone),
    path("test-errors/500/", server_error),
    *project_urlpatterns,
]
