"""A small HTTP client that behaves like a browser behind the production proxy.

The production settings mark the cookies ``Secure`` with the ``__Host-`` prefix and redirect
plain HTTP to HTTPS. The benchmark talks plain HTTP to gunicorn on this machine, so it sends
``X-Forwarded-Proto: https`` (the header the settings trust from the load balancer) and keeps
the cookies itself: a standard cookie jar would never send a ``Secure`` cookie over HTTP.
Each request opens its own connection, as gunicorn's sync workers close it after every answer.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pyotp

TIMEOUT_SECONDS = 60


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Browser:
    """One person's browser: their cookies, sent to one server as if over HTTPS."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    def request(self, method: str, path: str, data: dict | list | None = None) -> Response:
        """Send one request and read the whole answer; ``seconds`` is the time both took."""
        headers = {
            "Host": f"{self.host}:{self.port}",
            "X-Forwarded-Proto": "https",
            "User-Agent": "starting-relationships-bench",
            "Accept": "text/html,application/json",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if method == "POST":
            body = urlencode(data or {}, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # Django checks the origin of a POST made over HTTPS.
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_SECONDS)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
            seconds = time.perf_counter() - started
            for line in answer.headers.get_all("Set-Cookie") or []:
                self._keep(line)
            kept = {name.lower(): value for name, value in answer.getheaders()}
        finally:
            connection.close()
        return Response(answer.status, kept, content, seconds)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict | list) -> Response:
        return self.request("POST", path, data)

    def _keep(self, header: str) -> None:
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            if morsel["max-age"] == "0" or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def submit(self, path: str, changes: dict[str, str | bool] | None = None) -> Response:
        """GET a form page, then POST its form as a browser would, with ``changes`` made.

        Radios with nothing chosen take their first option, and checkboxes stay as shown,
        unless ``changes`` names them (``True`` ticks a checkbox).
        """
        page = self.get(path)
        if page.status != 200:
            raise BenchError(f"GET {path} answered {page.status}")
        return self.post(path, filled_in(page.text, path, changes))

    def sign_in(self, username: str, password: str, totp_secret: str) -> None:
        """Sign in through the real pages: the password, then the authenticator code."""
        first = self.submit("/sign-in/", {"login": username, "password": password})
        if first.status != 302 or urlsplit(first.location).path != "/sign-in/second-factor/":
            raise BenchError(f"{username}: the password step answered {first.status}")
        totp = pyotp.TOTP(totp_secret)
        for attempt in range(2):
            second = self.submit("/sign-in/second-factor/", {"code": totp.now()})
            if second.status == 302 and not urlsplit(second.location).path.startswith("/sign-in"):
                return
            if attempt == 0:
                # A code is taken once only: if this person signed in a moment ago (an earlier
                # run), wait for the authenticator's next code.
                time.sleep(totp.interval - time.time() % totp.interval + 1)
        raise BenchError(f"{username}: the code step answered {second.status}")


class BenchError(RuntimeError):
    """Something the benchmark needs did not happen (a page refused, a server did not start)."""


class _FormReader(HTMLParser):
    """The fields of the POST forms on a page, with the values a browser would send."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        #: For each form, its checkboxes' values (what each sends when ticked).
        self.boxes: list[dict[str, str]] = []
        self._fields: dict[str, str] | None = None
        self._radios: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._fields, self._radios = {}, {}
            self.forms.append((a.get("action", ""), self._fields))
            self.boxes.append({})
            return
        if self._fields is None:
            return
        name = a.get("name")
        if not name:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "radio":
                self._radios.setdefault(name, a.get("value", ""))
            elif kind == "checkbox":
                self.boxes[-1][name] = a.get("value", "on")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self._fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self._fields[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in a or self._select not in self._fields:
                self._fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self._fields[name] = ""

    def handle_data(self, data):
        if self._fields is not None and self._textarea:
            self._fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._fields is not None and self._textarea:
                self._fields[self._textarea] = self._fields[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "form" and self._fields is not None:
            for name, first in self._radios.items():
                self._fields.setdefault(name, first)
            self._fields = None


def filled_in(html: str, path: str, changes: dict[str, str | bool] | None) -> dict[str, str]:
    """What a browser sends from the page's own form (the one posting to the page itself, not
    the header's sign-out form), with ``changes`` made."""
    reader = _FormReader()
    reader.feed(html)
    for index, (action, fields) in enumerate(reader.forms):
        if action in ("", path):
            sent = dict(fields)
            for name, value in (changes or {}).items():
                if value is True:
                    sent[name] = reader.boxes[index].get(name, "on")
                elif value is False:
                    sent.pop(name, None)
                else:
                    sent[name] = value
            return sent
    raise BenchError(f"{path}: no form posting to the page")
