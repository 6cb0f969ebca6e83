"""Walking an ORUK feed over HTTP the way the ORUK validator does, politely and with limits.

Every page of ``/services``, then ``/services/{id}`` for each id (the full record), then
``/organizations/{id}`` where a full record only names its organisation. Requests are spaced to
a rate, each has a timeout, bodies are read in chunks up to a size limit, a feed with more pages
than the cap is taken as one that never ends, and a redirect is followed only on the same host.
Any of these ends the walk with a ``FeedError`` whose sentence goes in the report.
"""

import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urljoin, urlsplit

import httpx
from django.conf import settings

from .reading import read_listing, record_id

#: Asked of a feed's ``/services``; feeds may send fewer (the v1 default is 50).
PER_PAGE = 100
MAX_REDIRECTS = 3
USER_AGENT = "StartingRelationships-directory-import/1"


class FeedError(Exception):
    """The feed could not be read: the message is one sentence for the report."""


@dataclass
class Limits:
    requests_per_second: float
    timeout_seconds: float
    max_pages: int
    max_bytes: int
    https_only: bool

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            requests_per_second=settings.ORUK_FEED_REQUESTS_PER_SECOND,
            timeout_seconds=settings.ORUK_FEED_TIMEOUT_SECONDS,
            max_pages=settings.ORUK_FEED_MAX_PAGES,
            max_bytes=settings.ORUK_FEED_MAX_BYTES,
            https_only=settings.ORUK_FEED_HTTPS_ONLY,
        )


def check_feed_url(url: str, *, https_only: bool) -> str:
    """A feed's base URL, without a trailing slash; ``ValueError`` when it cannot be one."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("Enter the feed's address, starting https://")
    if https_only and parts.scheme != "https":
        raise ValueError("The feed's address must start https:// so that it is read securely.")
    if parts.username or parts.password:
        raise ValueError("The feed's address must not contain a user name or password.")
    if parts.query or parts.fragment:
        raise ValueError("Enter the feed's base address, without ? or #.")
    return url.strip().rstrip("/")


def parse_json(body: bytes, *, where: str, max_bytes: int) -> Any:
    """A body (or a file) as JSON, or a ``FeedError`` saying what it is instead."""
    if len(body) > max_bytes:
        raise FeedError(f"{where} is larger than {max_bytes // (1024 * 1024)} MB.")
    start = body.lstrip()[:15].lower()
    if start.startswith((b"<!doctype", b"<html", b"<")):
        raise FeedError(f"{where} is a web page, not JSON.")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise FeedError(f"{where} is not valid JSON ({_json_error(error)}).") from None


def _json_error(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"line {error.lineno}, column {error.colno}"
    if isinstance(error, UnicodeDecodeError):
        return "it is not UTF-8 text"
    return "it is nested too deeply"


@dataclass
class FeedWalk:
    """What a walk of a feed gave: full service records, in feed order, and the problems."""

    records: list[Any] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    requests: int = 0


class _Client:
    def __init__(self, base_url: str, limits: Limits, transport: httpx.BaseTransport | None):
        self.base_url = base_url
        self.host = urlsplit(base_url).netloc
        self.limits = limits
        self.requests = 0
        self._last = 0.0
        self._http = httpx.Client(
            timeout=limits.timeout_seconds,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def _wait_turn(self) -> None:
        # Spaced requests, so a sync never hammers a council's server.
        gap = 1.0 / self.limits.requests_per_second if self.limits.requests_per_second > 0 else 0
        wait = self._last + gap - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last = time.monotonic()

    def get_json(self, path: str, params: dict | None = None) -> Any:
        url = f"{self.base_url}{path}" + (f"?{urlencode(params)}" if params else "")
        where = path + (f"?{urlencode(params)}" if params else "")
        for _ in range(MAX_REDIRECTS + 1):
            self._wait_turn()
            self.requests += 1
            try:
                with self._http.stream("GET", url) as response:
                    if response.is_redirect:
                        target = urljoin(url, response.headers.get("location", ""))
                        if urlsplit(target).netloc != self.host or (
                            urlsplit(target).scheme != urlsplit(url).scheme
                        ):
                            raise FeedError(f"{where} redirects to another address: not followed.")
                        url = target
                        continue
                    if response.status_code != 200:
                        raise FeedError(f"{where} answered {response.status_code}.")
                    content_type = response.headers.get("content-type", "").lower()
                    if "html" in content_type:
                        raise FeedError(f"{where} is a web page, not JSON.")
                    if "json" not in content_type:
                        raise FeedError(
                            f"{where} is not JSON (its content type is "
                            f"\u201c{content_type[:60] or 'not given'}\u201d)."
                        )
                    body = self._read_limited(response, where)
            except httpx.TimeoutException:
                raise FeedError(
                    f"{where} did not answer within {self.limits.timeout_seconds:g} seconds."
                ) from None
            except httpx.HTTPError as error:
                raise FeedError(f"{where} could not be reached ({type(error).__name__}).") from None
            return parse_json(body, where=where, max_bytes=self.limits.max_bytes)
        raise FeedError(f"{where} redirects too many times.")

    def _read_limited(self, response: httpx.Response, where: str) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limits.max_bytes:
            raise FeedError(f"{where} is larger than {self.limits.max_bytes // (1024 * 1024)} MB.")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.limits.max_bytes:
                raise FeedError(
                    f"{where} is larger than {self.limits.max_bytes // (1024 * 1024)} MB."
                )
            chunks.append(chunk)
        return b"".join(chunks)


def walk_feed(
    base_url: str, *, limits: Limits | None = None, transport: httpx.BaseTransport | None = None
) -> FeedWalk:
    """Every service of a feed as its full record, or the problems that stopped the walk."""
    limits = limits or Limits.from_settings()
    walk = FeedWalk()
    client = _Client(base_url, limits, transport)
    try:
        ids = _list_ids(client, walk)
        if walk.problems:
            return walk
        organizations: dict[str, Any] = {}
        for source_id in ids:
            record = client.get_json(f"/services/{quote(source_id, safe='')}")
            if not isinstance(record, dict):
                raise FeedError(f"/services/{source_id} is not a service.")
            if record_id(record) != source_id:
                raise FeedError(f"/services/{source_id} gives a service with another id.")
            ref = record.get("organization_id")
            if not isinstance(record.get("organization"), dict) and isinstance(ref, str) and ref:
                if ref not in organizations:
                    organizations[ref] = client.get_json(f"/organizations/{quote(ref, safe='')}")
                record = {**record, "organization": organizations[ref]}
            walk.records.append(record)
    except FeedError as error:
        walk.problems.append(str(error))
        walk.records = []
    finally:
        walk.requests = client.requests
        client.close()
    return walk


def _list_ids(client: _Client, walk: FeedWalk) -> list[str]:
    """The ids of every page of ``/services``; a repeated or missing id is a problem."""
    ids: list[str] = []
    seen: set[str] = set()
    page = 1
    while True:
        if page > client.limits.max_pages:
            raise FeedError(
                f"/services has more than {client.limits.max_pages} pages: it may never end."
            )
        data = client.get_json("/services", {"page": page, "per_page": PER_PAGE})
        try:
            listing = read_listing(data)
        except ValueError as error:
            raise FeedError(f"/services?page={page}: {error}") from None
        for position, record in enumerate(listing.records, start=1):
            source_id = record_id(record)
            if not source_id:
                walk.problems.append(f"Service {position} of page {page} has no id.")
            elif source_id in seen:
                walk.problems.append(f"The id {source_id[:60]} is given to more than one service.")
            else:
                seen.add(source_id)
                ids.append(source_id)
        if listing.last_page or not listing.records or page >= listing.total_pages:
            return ids
        page += 1
