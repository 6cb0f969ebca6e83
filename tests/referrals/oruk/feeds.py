"""Invented ORUK feeds for the import tests, and a small HTTP server that serves them.

The server runs in a thread on 127.0.0.1 for one test: each path is answered from a table the
test writes (status, content type, body), so a feed can be paged, fail on one page, answer
slowly (it holds the reply until the test ends), send HTML, redirect elsewhere or never end.
"""

import contextlib
import json
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


def service_v3(n: int, **overrides) -> dict:
    """An ORUK 3.0 service record, numbered, with its organisation, area, category and place."""
    record = {
        "id": str(uuid.UUID(int=n + 10_000)),
        "name": f"Invented service {n}",
        "description": f"An invented service, number {n}, for parents and babies.",
        "status": "active",
        "email": f"service{n}@example.org",
        "url": f"https://example.org/services/{n}",
        "minimum_age": 0,
        "maximum_age": 2,
        "organization": {
            "id": str(uuid.UUID(int=1)),
            "name": "Invented Family Hubs",
            "description": "Family hubs run by an invented council.",
        },
        "service_areas": [{"id": str(uuid.UUID(int=n + 20_000)), "name": "LS6", "extent": "LS6"}],
        "attributes": [
            {
                "id": str(uuid.UUID(int=n + 30_000)),
                "taxonomy_term": {
                    "id": "parenting-support",
                    "name": "Parenting support",
                    "description": "",
                    "taxonomy": "invented-taxonomy",
                },
            }
        ],
        "schedules": [{"id": "s", "byday": "MO,WE", "opens_at": "09:30", "closes_at": "12:00"}],
        "cost_options": [{"id": "c", "amount": 0}],
        "contacts": [{"id": "k", "phones": [{"id": "p", "number": "0113 496 0000"}]}],
        "service_at_locations": [
            {
                "id": "sal",
                "location": {
                    "id": f"place-{n % 3}",
                    "name": f"Invented hub {n % 3}",
                    "location_type": "physical",
                    "addresses": [
                        {
                            "address_1": f"{n % 3 + 1} Invented Road",
                            "city": "Leeds",
                            "postal_code": "LS6 1AA",
                        }
                    ],
                },
            }
        ],
    }
    record.update(overrides)
    return record


def service_v1(n: int, **overrides) -> dict:
    """An ORUK v1 service as its reference implementation writes it."""
    record = {
        "id": f"v1-{n}",
        "name": f"Older feed service {n}",
        "description": "A service from an ORUK v1 feed.",
        "status": "active",
        "email": f"v1service{n}@example.org",
        "organization": {"id": "v1-org", "name": "Older Borough Council", "description": ""},
        "eligibilitys": [
            {"id": "e1", "eligibility": "age", "minimum_age": 0, "maximum_age": 1},
            {"id": "e2", "eligibility": "age", "minimum_age": 1, "maximum_age": 5},
        ],
        "service_taxonomys": [
            {"id": "st", "taxonomy": {"id": "v1-term", "name": "Early years", "vocabulary": "esd"}}
        ],
        "regular_schedules": [
            {"id": "r", "weekday": "Tuesday", "opens_at": "10:00", "closes_at": "14:00"}
        ],
        "service_areas": [{"id": "sa", "service_area": "LS7", "extent": "LS7"}],
        "service_at_locations": [
            {
                "id": "sal",
                "location": {
                    "id": "v1-place",
                    "name": "Older hub",
                    "physical_addresses": [
                        {"address_1": "2 Old Lane", "city": "Leeds", "postal_code": "LS7 2BB"}
                    ],
                },
            }
        ],
    }
    record.update(overrides)
    return record


def page_v3(records: list, page: int, total_pages: int, per_page: int) -> dict:
    return {
        "total_items": len(records) if total_pages == 1 else per_page * total_pages,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(records),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not records,
        "contents": records,
    }


def page_v1(records: list, page: int, total_pages: int) -> dict:
    return {
        "totalElements": len(records),
        "totalPages": total_pages,
        "number": page,
        "size": len(records),
        "first": page == 1,
        "last": page >= total_pages,
        "content": records,
    }


@dataclass
class Reply:
    body: bytes
    status: int = 200
    content_type: str = "application/json"
    headers: dict | None = None
    hold: bool = False


def as_json(data: Any) -> Reply:
    return Reply(json.dumps(data).encode())


class FeedServer:
    """Serves ``routes`` (path with its query, or the bare path, → Reply) on 127.0.0.1."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply] = {}
        self.asked: list[str] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.asked.append(self.path)
                path = urlsplit(self.path).path
                reply = server.routes.get(self.path) or server.routes.get(path)
                if reply is None:
                    reply = Reply(b'{"detail": "not found"}', status=404)
                if reply.hold:
                    server.release.wait(10)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                for name, value in (reply.headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(reply.body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "FeedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def serve_v3(self, records: list, per_page: int = 100) -> None:
        """A 3.0 feed of these services: the pages (the importer asks for 100 a page) and each."""
        pages = [records[i : i + per_page] for i in range(0, len(records), per_page)] or [[]]
        for number, chunk in enumerate(pages, start=1):
            self.routes[f"/services?page={number}&per_page=100"] = as_json(
                page_v3(chunk, number, len(pages), per_page)
            )
        for record in records:
            self.routes[f"/services/{record['id']}"] = as_json(record)

    def serve_v1(self, records: list, per_page: int = 100) -> None:
        pages = [records[i : i + per_page] for i in range(0, len(records), per_page)] or [[]]
        for number, chunk in enumerate(pages, start=1):
            self.routes[f"/services?page={number}&per_page=100"] = as_json(
                page_v1(chunk, number, len(pages))
            )
        for record in records:
            self.routes[f"/services/{record['id']}"] = as_json(record)

    def pages_asked(self) -> list[int]:
        return [
            int(parse_qs(urlsplit(p).query)["page"][0])
            for p in self.asked
            if urlsplit(p).path == "/services"
        ]
