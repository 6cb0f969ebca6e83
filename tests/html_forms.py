"""A page's POST forms read from its HTML as a browser reads them, and what a press sends."""

from html.parser import HTMLParser


class _Forms(HTMLParser):
    """The POST forms of a page: their action and fields (name, kind, value, checked)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: dict | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._form = {"action": attributes.get("action") or "", "fields": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            self._form["fields"].append(
                {
                    "name": name,
                    "kind": kind,
                    "value": attributes.get("value") or ("on" if kind == "checkbox" else ""),
                    "checked": "checked" in attributes,
                }
            )
        elif tag == "button" and name:
            field = {"name": name, "kind": "submit", "value": attributes.get("value") or ""}
            self._form["fields"].append({**field, "checked": False})
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "kind": "textarea", "value": "", "checked": False}
            self._form["fields"].append(self._textarea)
        elif tag == "select" and name:
            self._select = {"name": name, "kind": "select", "value": "", "checked": False}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._option(self._select, attributes)

    @staticmethod
    def _option(select: dict, attributes: dict) -> None:
        """A select sends its selected option, else its first one."""
        if select["checked"]:
            return
        if "selected" in attributes or "first" not in select:
            select["value"] = attributes.get("value") or ""
            select["first"] = True
            select["checked"] = "selected" in attributes

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            if self._textarea is not None:
                self._textarea["value"] = self._textarea["value"].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None


def page_form(html: str, path: str) -> list[dict]:
    """The fields of the page's own form (not the header's sign-out form)."""
    parser = _Forms()
    parser.feed(html)
    own = [form for form in parser.forms if form["action"] in ("", path)]
    assert own, f"{path}: no form posting to the page"
    return own[0]["fields"]


def as_sent(fields: list[dict]) -> dict[str, list[str]]:
    """What pressing the form's first button sends, as the page was shown."""
    data: dict[str, list[str]] = {}
    pressed = False
    for field in fields:
        kind = field["kind"]
        if kind in ("radio", "checkbox") and not field["checked"]:
            continue
        if kind == "submit":
            if pressed:
                continue
            pressed = True
        data.setdefault(field["name"], []).append(field["value"])
    return data
