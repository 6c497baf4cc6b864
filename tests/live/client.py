"""The live tests' clients: HTTP with cookies and no redirects followed, websockets to the
session's socket, a Chromium page signed in as the client (``chromium_page``)."""

import contextlib
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie

import pytest

# --- clients -----------------------------------------------------------------------------


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """A person's browser over real HTTP: cookies kept by hand (Django marks them Secure,
    which a cookie jar would not send over the plain HTTP of these tests)."""

    opener = urllib.request.build_opener(_NoRedirect)

    def __init__(self, port):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = {}

    def on(self, port):
        """The same browser (same cookies) talking to another process."""
        other = Client(port)
        other.cookies = self.cookies
        return other

    def request(self, method, path, data=None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, method=method)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if method == "POST":
            request.add_header("Origin", self.base)
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            response = self.opener.open(request, timeout=15)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            result = Response(response.status, response.headers, response.read())
        for header in result.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return result

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        return self.request("POST", path, data=data, **kwargs)

    def csrf_from(self, page):
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text) or re.search(
            r'"X-CSRFToken": "([^"]+)"', page.text
        )
        assert match, "no CSRF token on the page"
        return match.group(1)

    def sign_in(self, token):
        """Open the e-mailed link, then press its button: the real sign-in flow."""
        page = self.get(f"/login/link/{token}/")
        assert page.status == 200, page.text[:500]
        done = self.post(f"/login/link/{token}/", {"csrfmiddlewaretoken": self.csrf_from(page)})
        assert done.status == 302, done.text[:500]
        assert "sessionid" in self.cookies
        return self

    def open(self, session_id):
        """Open the session's page as a browser does: the GET (which writes nothing), then
        the arrival the page's script sends (``static/js/presence.js``). Returns the page."""
        page = self.get(f"/s/{session_id}/")
        if page.status == 200:
            arrived = self.post(
                f"/s/{session_id}/arrive/", {}, headers={"X-CSRFToken": self.csrf_from(page)}
            )
            assert arrived.status == 200, arrived.text[:500]
        return page

    def command(self, session_id, **fields):
        """Press a button of the session page: an htmx POST with the page's CSRF token."""
        page = self.get(f"/s/{session_id}/")
        assert page.status == 200, page.text[:500]
        return self.post(
            f"/s/{session_id}/do/", fields,
            headers={"X-CSRFToken": self.csrf_from(page), "HX-Request": "true"},
        )

    def websocket(self, session_id, **kwargs):
        from websockets.sync.client import connect

        return connect(
            f"ws://127.0.0.1:{self.port}/ws/session/{session_id}/",
            additional_headers={
                "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                "Origin": self.base,
            },
            open_timeout=10,
            **kwargs,
        )


def version_of(html):
    match = re.search(r'id="live"[^>]*data-version="(\d+)"', html, re.S)
    assert match, html[:300]
    return int(match.group(1))


def receive(ws, timeout):
    return json.loads(ws.recv(timeout=timeout))


@contextlib.contextmanager
def chromium_page(client):
    """A Chromium page holding ``client``'s cookies (the same person, in a real browser)."""
    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("Chromium (/usr/bin/chromium) is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context()
        context.add_cookies([
            {"name": k, "value": v, "domain": "127.0.0.1", "path": "/"}
            for k, v in client.cookies.items()
        ])
        try:
            yield context.new_page()
        finally:
            browser.close()
