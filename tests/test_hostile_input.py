"""Every form of every role, fed random and hostile values (empty, huge, NUL bytes, unicode, far
dates, deep JSON, huge numbers): no response is a server error, and a refused form saves
nothing.

Forms are found by opening every page as each role and reading its HTML, so a new form is
covered without being listed here. Hypothesis draws a few examples per form (derandomized, so
a run is repeatable), keeping the suite quick.
"""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from attachment_app.audit.models import AccessLog
from screening.models import InstrumentDefinition
from tests.audit.test_access_walk import FAMILY_PAGES, SAMPLE, walkable_patterns

pytestmark = pytest.mark.django_db

EXAMPLES_PER_FORM = 4
#: Pages whose forms belong to signing in and out: not posted here.
SKIPPED_PAGES = {
    "account_login",
    "account_logout",
    "account_change_password",
    "account_reauthenticate",
    "mfa_authenticate",
    "mfa_reauthenticate",
    "mfa_reauthenticate_webauthn",
    # One's own second factor: allauth's forms, tested in tests/accounts.
    "mfa_index",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_list_webauthn",
    "mfa_add_webauthn",
    "mfa_remove_webauthn",
    "mfa_edit_webauthn",
    "second_factor_setup",
    "healthz",
}
#: Tables that change on every request, or on a refusal by design (the access log records that
#: the refused form was shown again).
IGNORED_TABLES = {
    AccessLog._meta.db_table,
    "django_session",
    "pghistory_context",
    # Codes already used and rate limits (allauth), kept in the database cache.
    "django_cache",
}

#: Pages that keep what was typed even when they refuse to go on, by design (each page of the
#: conversation saves as it goes): the reflection is saved, then completion is refused if an
#: answer is missing. There only the status is checked.
SAVES_A_DRAFT_WHEN_REFUSED = {"conversation_reflection"}

HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 20_000,
    "9" * 5000,
    "-1",
    "0",
    "1e309",
    "NaN",
    "[" * 5000,
    '{"a":' * 3000 + "1" + "}" * 3000,
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "\u202eevil",
    "\U0001f600" * 50,
    "e\u0301" * 100,
    "0001-01-01",
    "9999-12-31",
    "31/12/9999",
]
DATE_PARTS = ["", "0", "1", "31", "32", "12", "13", "0001", "1900", "9999", "99999", "-1", "\x00"]
DEFINITION_FILES = [
    b"",
    b"\x00\xff\xfe",
    b"[" * 100_000,
    b'{"code": "x", "version": ' + b"9" * 5000 + b"}",
    b'{"a": ' * 5000 + b"1" + b"}" * 5000,
    b'{"code": "phq9", "version": 1e999}',
]


class _Forms(HTMLParser):
    """The forms of a page: method, action, and each field's name, kind and offered values."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "fields": {},
            }
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attrs.get("name")
        fields = self._form["fields"]
        if tag == "input" and name and attrs.get("type") not in {"submit", "button"}:
            field = fields.setdefault(name, {"kind": attrs.get("type") or "text", "values": []})
            if attrs.get("value") is not None:
                field["values"].append(attrs["value"])
        elif tag == "textarea" and name:
            fields.setdefault(name, {"kind": "textarea", "values": []})
        elif tag == "select" and name:
            fields.setdefault(name, {"kind": "select", "values": []})
            self._select = name
        elif tag == "option" and self._select and attrs.get("value") is not None:
            fields[self._select]["values"].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def page_urls(world):
    """A URL for every page, with real records behind its parameters."""
    phq9 = InstrumentDefinition.objects.filter(code="phq9").order_by("-version").first()
    ids = {
        "service_id": world.service.pk,
        "organization_id": world.service.organization_id,
        "definition_id": phq9.pk,
    }
    for name, route in walkable_patterns():
        if name in SKIPPED_PAGES or name.startswith("admin:"):
            continue
        if name in FAMILY_PAGES:
            kwargs = FAMILY_PAGES[name][0]
            kwargs = kwargs(world) if callable(kwargs) else kwargs
        else:
            kwargs = {
                param: ids.get(param, SAMPLE.get(converter or "str", 1))
                for converter, param in re.findall(r"<(?:(\w+):)?(\w+)>", route)
            }
        yield name, reverse(name, kwargs=kwargs)


def forms_of(client, world) -> list[dict]:
    """Every form on every page this client may open, with the URL it is sent to."""
    found, seen = [], set()
    logout = reverse("account_logout")
    for name, url in page_urls(world):
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            target = form["action"] or url
            key = (form["method"], target.split("?")[0], tuple(sorted(form["fields"])))
            if target.startswith(logout) or key in seen:
                continue
            seen.add(key)
            found.append({**form, "url": target, "page": url, "page_name": name})
    return found


def table_counts() -> dict[str, int]:
    """The number of rows in every table the app writes, in one query."""
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models()
            if model._meta.managed and not model._meta.proxy
        }
        - IGNORED_TABLES
    )
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {}, count(*) FROM {}").format(sql.Literal(t), sql.Identifier(t))
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(query.as_string(cursor.connection))
        return dict(cursor.fetchall())


def value_for(name: str, field: dict):
    """A strategy for one field: what the page offers, or something hostile."""
    offered = [value for value in field["values"] if value != ""]
    if field["kind"] == "file":
        return st.sampled_from(DEFINITION_FILES).map(
            lambda content: SimpleUploadedFile("definition.json", content, "application/json")
        )
    hostile = st.sampled_from(HOSTILE_TEXT) | st.text(max_size=40)
    if name.endswith(("_day", "_month", "_year")):
        hostile = st.sampled_from(DATE_PARTS) | hostile
    choices = [hostile, st.lists(hostile, min_size=2, max_size=3)]
    if offered:
        choices.append(st.sampled_from(offered))
    return st.one_of(*choices)


def send(client, form, data):
    if form["method"] == "get":
        return client.get(form["url"], {k: v for k, v in data.items() if not hasattr(v, "read")})
    return client.post(form["url"], data)


ROLES = ["hv", "team_lead", "admin_user", "hv_b", "no_role_user"]


@pytest.mark.parametrize("role", ROLES)
def test_hostile_values_in_every_form_give_no_server_error_and_a_refusal_saves_nothing(
    world, sign_in, request, role
):
    client = sign_in(request.getfixturevalue(role))
    forms = forms_of(client, world)
    if role in {"hv", "team_lead", "admin_user"}:
        assert len(forms) > 5, "every page was refused: nothing would be tested"
    for form in forms:
        hostile_posts(client, form)()


def hostile_posts(client, form):
    """A Hypothesis test of one form: a few examples, each sent, none a server error."""
    fields = {name: value_for(name, field) for name, field in form["fields"].items()}

    @settings(
        max_examples=EXAMPLES_PER_FORM,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.fixed_dictionaries(fields))
    def check(data):
        before = table_counts()
        response = send(client, form, data)
        assert response.status_code < 500, (form["url"], response.status_code)
        accepted = form["method"] == "post" and response.status_code in (301, 302, 303)
        if not accepted and form["page_name"] not in SAVES_A_DRAFT_WHEN_REFUSED:
            assert table_counts() == before, f"{form['url']} refused the form but saved"

    return check
