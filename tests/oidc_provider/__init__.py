"""A real OpenID Connect provider for the tests: a tiny Django project of its own, built on
django-oauth-toolkit, started on the loopback by ``fixtures.py`` (see ``serve.py``)."""
