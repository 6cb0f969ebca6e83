"""The NHS.UK crispy-forms template pack, the date field and the base layout."""

import datetime
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from allauth.mfa.models import Authenticator
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.contrib.messages import constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.template.loader import get_template
from django.test import Client, RequestFactory
from django.urls import reverse

from attachment_app.accounts.models import Team, User
from attachment_app.nhsuk_forms.fields import DateInputField
from attachment_app.nhsuk_forms.layout import ButtonGroup, ButtonLink, Field, Fieldset, Submit
from tests.signin import SecondFactorClient

# --- A small HTML reader: elements with their attributes, ancestors and text ------------------

VOID = {"input", "br", "img", "meta", "link", "hr", "source", "path"}


@dataclass
class Element:
    tag: str
    attrs: dict
    parent: "Element | None" = None
    children: list = field(default_factory=list)
    text: str = ""

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def find_all(self, tag=None, cls=None, **attrs):
        for child in self.children:
            if (
                (tag is None or child.tag == tag)
                and (cls is None or cls in child.classes())
                and all(child.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
            ):
                yield child
            yield from child.find_all(tag, cls, **attrs)

    def find(self, tag=None, cls=None, **attrs):
        return next(self.find_all(tag, cls, **attrs), None)

    def all_text(self) -> str:
        return " ".join(
            " ".join([self.text, *(child.all_text() for child in self.children)]).split()
        )


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: ("" if v is None else v) for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.text += data


def parse(html: str) -> Element:
    reader = _Reader()
    reader.feed(html)
    return reader.root


def by_id(doc: Element, element_id: str) -> Element | None:
    return doc.find(id=element_id)


def described_by(element: Element) -> list[str]:
    return element.attrs.get("aria-describedby", "").split()


# --- A form that uses every kind of control ---------------------------------------------------

CONTACT_CHOICES = [("email", "Email"), ("phone", "Phone")]
DAY_CHOICES = [("mon", "Monday"), ("tue", "Tuesday")]


class EveryControlForm(forms.Form):
    name = forms.CharField(
        label="Full name",
        help_text="As it appears on the record",
        error_messages={"required": "Enter a full name"},
    )
    email = forms.EmailField(required=False)
    notes = forms.CharField(widget=forms.Textarea, error_messages={"required": "Enter notes"})
    service = forms.ChoiceField(choices=[("", "Choose"), ("a", "A"), ("b", "B")])
    contact = forms.ChoiceField(
        label="How should we contact them?",
        choices=CONTACT_CHOICES,
        widget=forms.RadioSelect,
        help_text="Choose one",
        error_messages={"required": "Select how to contact them"},
    )
    days = forms.MultipleChoiceField(
        label="Which days suit them?",
        choices=DAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one day"},
    )
    consent = forms.BooleanField(
        label="The family agrees to a referral",
        help_text="Ask them before you tick",
        error_messages={"required": "Confirm the family agrees"},
    )
    birth_date = DateInputField(label="Date of birth", help_text="For example, 15 3 2024")

    def clean(self):
        if self.data.get("fail_whole_form"):
            raise ValidationError("This referral has already been sent")
        return super().clean()


def render(form, helper=None) -> str:
    if helper is not None:
        form.helper = helper
    return Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))


def invalid_form(**data) -> EveryControlForm:
    form = EveryControlForm(data={"email": "not-an-email", **data})
    assert not form.is_valid()
    return form


# --- Error summary ----------------------------------------------------------------------------


def test_error_summary_links_every_error_to_a_control_that_exists():
    doc = parse(render(invalid_form(fail_whole_form="1")))
    summary = doc.find("div", "nhsuk-error-summary")
    assert summary is not None
    assert summary.find("h2", "nhsuk-error-summary__heading").all_text() == "There is a problem"
    assert summary.find("div", role="alert") is not None

    items = list(summary.find("ul", "nhsuk-error-summary__list").find_all("li"))
    # An error of the whole form comes first and has nothing to link to.
    assert items[0].all_text() == "This referral has already been sent"
    assert items[0].find("a") is None

    links = {a.all_text(): a.attrs["href"] for item in items[1:] for a in item.find_all("a")}
    assert links == {
        "Enter a full name": "#id_name",
        "Enter a valid email address.": "#id_email",
        "Enter notes": "#id_notes",
        "This field is required.": "#id_service",
        "Select how to contact them": "#id_contact_0",
        "Select at least one day": "#id_days_0",
        "Confirm the family agrees": "#id_consent",
        "Enter date of birth": "#id_birth_date_day",
    }
    for href in links.values():
        assert by_id(doc, href[1:]) is not None, f"{href} points at nothing"


def test_error_summary_is_absent_for_an_unbound_or_valid_form():
    assert "nhsuk-error-summary" not in render(EveryControlForm())
    template = Template('{% include "nhsuk/error_summary.html" with form=form %}')
    valid = forms.Form(data={})
    assert valid.is_valid()
    assert template.render(Context({"form": valid})).strip() == ""


def test_error_summary_include_works_for_forms_rendered_by_hand():
    html = Template('{% include "nhsuk/error_summary.html" with form=form %}').render(
        Context({"form": invalid_form()})
    )
    doc = parse(html)
    assert doc.find("div", "nhsuk-error-summary") is not None
    assert doc.find("a", href="#id_contact_0") is not None


def test_helper_can_leave_the_summary_to_the_page():
    helper = FormHelper()
    helper.form_show_errors = False
    html = render(invalid_form(), helper)
    assert "nhsuk-error-summary" not in html
    # The message beside each field is still there.
    assert parse(html).find(id="id_name_error") is not None


# --- Error messages, hints and aria-describedby -----------------------------------------------


def test_each_error_message_is_announced_with_its_control():
    doc = parse(render(invalid_form()))
    for control_id in ("id_name", "id_email", "id_notes", "id_service", "id_consent"):
        control = by_id(doc, control_id)
        error = by_id(doc, f"{control_id}_error")
        assert error is not None
        assert "nhsuk-error-message" in error.classes()
        assert error.find("span", "nhsuk-u-visually-hidden").all_text() == "Error:"
        assert f"{control_id}_error" in described_by(control), control_id
        assert "nhsuk-form-group--error" in error.parent.classes()

    assert "nhsuk-input--error" in by_id(doc, "id_name").classes()
    assert "nhsuk-textarea--error" in by_id(doc, "id_notes").classes()
    assert "nhsuk-select--error" in by_id(doc, "id_service").classes()

    # Groups of radios or checkboxes carry the description on their fieldset.
    for name in ("contact", "days", "birth_date"):
        fieldset = by_id(doc, f"id_{name}_error").parent
        assert fieldset.tag == "fieldset"
        assert f"id_{name}_error" in described_by(fieldset)


def test_every_aria_describedby_and_label_for_points_at_an_element():
    html = render(invalid_form())
    doc = parse(html)
    ids = {element.attrs["id"] for element in doc.find_all() if "id" in element.attrs}
    for element in doc.find_all():
        for target in described_by(element):
            assert target in ids, f"aria-describedby={target} points at nothing"
    for label in doc.find_all("label"):
        assert label.attrs.get("for") in ids, label.all_text()


def test_hints_are_linked_to_their_controls():
    doc = parse(render(EveryControlForm()))
    hint = by_id(doc, "id_name_helptext")
    assert "nhsuk-hint" in hint.classes()
    assert hint.all_text() == "As it appears on the record"
    assert described_by(by_id(doc, "id_name")) == ["id_name_helptext"]
    assert by_id(doc, "id_email").attrs.get("aria-describedby") is None

    contact_fieldset = by_id(doc, "id_contact_helptext").parent
    assert contact_fieldset.tag == "fieldset"
    assert described_by(contact_fieldset) == ["id_contact_helptext"]

    assert "id_consent_helptext" in described_by(by_id(doc, "id_consent"))


def test_optional_questions_say_so_in_their_label():
    doc = parse(render(EveryControlForm()))
    assert doc.find(**{"for": "id_email"}).all_text() == "Email (optional)"
    assert doc.find(**{"for": "id_name"}).all_text() == "Full name"


# --- Radios, checkboxes and fieldsets ---------------------------------------------------------


@pytest.mark.parametrize(("name", "kind"), [("contact", "radios"), ("days", "checkboxes")])
def test_choices_are_grouped_in_a_fieldset_with_a_legend(name, kind):
    doc = parse(render(EveryControlForm()))
    inputs = list(doc.find_all("input", f"nhsuk-{kind}__input"))
    inputs = [element for element in inputs if element.attrs["name"] == name]
    assert [element.attrs["id"] for element in inputs] == [f"id_{name}_0", f"id_{name}_1"]
    for element in inputs:
        fieldset = next(a for a in element.ancestors() if a.tag == "fieldset")
        assert "nhsuk-fieldset" in fieldset.classes()
        legend = fieldset.find("legend", "nhsuk-fieldset__legend")
        assert legend is not None
        assert legend.all_text()
        container = next(a for a in element.ancestors() if f"nhsuk-{kind}" in a.classes())
        assert container.attrs["data-module"] == f"nhsuk-{kind}"
        assert f"nhsuk-{kind}__item" in element.parent.classes()
        label = doc.find("label", **{"for": element.attrs["id"]})
        assert f"nhsuk-{kind}__label" in label.classes()


def test_radios_remember_the_choice_and_can_have_a_hint_per_option():
    form = EveryControlForm(data={"contact": "phone"})
    form.is_valid()
    helper = FormHelper()
    helper.layout = Layout(Field("contact", item_hints={"email": "Only if they agree"}))
    doc = parse(render(form, helper))
    email, phone = by_id(doc, "id_contact_0"), by_id(doc, "id_contact_1")
    assert "checked" in phone.attrs
    assert "checked" not in email.attrs
    hint = by_id(doc, "id_contact_0_hint")
    assert hint.all_text() == "Only if they agree"
    assert "nhsuk-radios__hint" in hint.classes()
    assert described_by(email) == ["id_contact_0_hint"]


def test_single_checkbox_is_one_checkbox_item_with_its_own_label():
    doc = parse(render(EveryControlForm()))
    box = by_id(doc, "id_consent")
    assert box.attrs["type"] == "checkbox"
    assert "nhsuk-checkboxes__input" in box.classes()
    assert "nhsuk-checkboxes__item" in box.parent.classes()
    label = doc.find("label", **{"for": "id_consent"})
    assert label.all_text() == "The family agrees to a referral"
    assert not any(a.tag == "fieldset" for a in box.ancestors())


def test_an_option_reveals_its_questions_with_nhsuk_conditional_reveal():
    form = EveryControlForm(data={"contact": "phone"})
    form.is_valid()
    helper = FormHelper()
    helper.layout = Layout(
        Field("contact", conditional={"email": ["email"], "phone": [Field("notes", rows=2)]})
    )
    doc = parse(render(form, helper))
    email, phone = by_id(doc, "id_contact_0"), by_id(doc, "id_contact_1")
    assert email.attrs["data-aria-controls"] == "conditional-id_contact_0"
    assert phone.attrs["data-aria-controls"] == "conditional-id_contact_1"
    email_block, phone_block = (
        by_id(doc, "conditional-id_contact_0"),
        by_id(doc, "conditional-id_contact_1"),
    )
    # Inside the radios, after its own option; hidden (by CSS, once JavaScript runs) unless
    # chosen, so without JavaScript every question shows.
    assert email_block.parent is email.parent.parent
    assert email_block.classes() == {
        "nhsuk-radios__conditional",
        "nhsuk-radios__conditional--hidden",
    }
    assert phone_block.classes() == {"nhsuk-radios__conditional"}
    assert by_id(email_block, "id_email") is not None
    assert by_id(phone_block, "id_notes") is not None
    # Each revealed question is drawn once, inside its block.
    assert len(list(doc.find_all("textarea"))) == 1


def test_a_single_checkbox_reveals_its_question():
    helper = FormHelper()
    helper.layout = Layout(Field("consent", conditional={True: ["notes"]}))
    doc = parse(render(EveryControlForm(), helper))
    box = by_id(doc, "id_consent")
    assert box.attrs["data-aria-controls"] == "conditional-id_consent"
    block = by_id(doc, "conditional-id_consent")
    assert "nhsuk-checkboxes__conditional--hidden" in block.classes()
    assert by_id(block, "id_notes") is not None
    checked = EveryControlForm(data={"consent": "on"})
    checked.is_valid()
    block = by_id(parse(render(checked, helper)), "conditional-id_consent")
    assert "nhsuk-checkboxes__conditional--hidden" not in block.classes()


def test_fieldset_layout_has_a_legend_a_linked_hint_and_a_page_heading():
    helper = FormHelper()
    helper.layout = Layout(
        Fieldset(
            "Contact details", "name", "email", legend_size="l", page_heading=True, hint="Both"
        )
    )
    doc = parse(render(EveryControlForm(), helper))
    fieldset = doc.find("fieldset", "nhsuk-fieldset")
    legend = fieldset.find("legend")
    assert "nhsuk-fieldset__legend--l" in legend.classes()
    assert legend.find("h1", "nhsuk-fieldset__heading").all_text() == "Contact details"
    hint = by_id(doc, described_by(fieldset)[0])
    assert hint.all_text() == "Both"
    assert by_id(doc, "id_name") is not None
    assert by_id(doc, "id_notes") is None


def test_field_layout_sizes_the_label_and_keeps_extra_classes():
    helper = FormHelper()
    helper.layout = Layout(
        Field("name", label_size="l", page_heading=True, css_class="nhsuk-input--width-20")
    )
    doc = parse(render(EveryControlForm(), helper))
    label = doc.find("label", **{"for": "id_name"})
    assert "nhsuk-label--l" in label.classes()
    assert label.parent.tag == "h1"
    assert "nhsuk-label-wrapper" in label.parent.classes()
    assert {"nhsuk-input", "nhsuk-input--width-20"} <= by_id(doc, "id_name").classes()


def test_sizes_and_variants_are_checked():
    with pytest.raises(ValueError, match="Size"):
        Field("name", label_size="huge")
    with pytest.raises(ValueError, match="Variant"):
        Submit("Save", variant="purple")


# --- Buttons ----------------------------------------------------------------------------------


def test_buttons_render_as_nhs_buttons():
    helper = FormHelper()
    helper.layout = Layout(
        "name",
        ButtonGroup(
            Submit("Save and continue"),
            Submit("Save as draft", variant="secondary", name="action", value="draft"),
            ButtonLink("Cancel", "/somewhere"),
        ),
    )
    doc = parse(render(EveryControlForm(), helper))
    group = doc.find("div", "nhsuk-button-group")
    primary, secondary = list(group.find_all("button"))
    assert primary.classes() == {"nhsuk-button"}
    assert primary.attrs["type"] == "submit"
    assert primary.attrs["data-module"] == "nhsuk-button"
    assert primary.all_text() == "Save and continue"
    assert {"nhsuk-button", "nhsuk-button--secondary"} == secondary.classes()
    assert (secondary.attrs["name"], secondary.attrs["value"]) == ("action", "draft")
    link = group.find("a")
    assert link.attrs["href"] == "/somewhere"
    assert link.attrs["role"] == "button"


def test_whole_form_has_csrf_and_no_browser_validation():
    doc = parse(render(EveryControlForm()))
    form = doc.find("form")
    assert form.attrs["method"] == "post"
    assert "novalidate" in form.attrs


# --- The date field ---------------------------------------------------------------------------


class DateForm(forms.Form):
    birth_date = DateInputField(label="Date of birth")
    review_date = DateInputField(required=False)


def date_form(day="", month="", year="", **other):
    data = {"birth_date_day": day, "birth_date_month": month, "birth_date_year": year, **other}
    return DateForm(data=data)


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("15", "3", "2024", datetime.date(2024, 3, 15)),
        (" 01 ", "02", "2025", datetime.date(2025, 2, 1)),
        ("29", "2", "2024", datetime.date(2024, 2, 29)),
        ("7", "March", "2024", datetime.date(2024, 3, 7)),
        ("7", "sept", "2024", datetime.date(2024, 9, 7)),
    ],
)
def test_date_field_reads_real_dates(day, month, year, expected):
    form = date_form(day, month, year)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["birth_date"] == expected
    assert form.cleaned_data["review_date"] is None


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "wrong_parts"),
    [
        ("31", "2", "2025", "Date of birth must be a real date", ["day", "month", "year"]),
        ("29", "2", "2025", "Date of birth must be a real date", ["day", "month", "year"]),
        ("0", "1", "2025", "Date of birth must be a real date", ["day", "month", "year"]),
        ("12", "13", "2025", "Date of birth must be a real date", ["month"]),
        ("12", "", "2025", "Date of birth must include a month", ["month"]),
        ("", "", "2025", "Date of birth must include a day and month", ["day", "month"]),
        ("12", "x", "2025", "Date of birth must be a real date", ["month"]),
        ("12", "3", "²⁰²⁵", "Date of birth must be a real date", ["year"]),
        ("12", "3", "25", "Year must include 4 numbers", ["year"]),
        ("12", "9" * 5000, "2025", "Date of birth must be a real date", ["month"]),
        ("9" * 5000, "3", "2025", "Date of birth must be a real date", ["day"]),
        ("12", "3", "9" * 5000, "Year must include 4 numbers", ["year"]),
        ("", "", "", "Enter date of birth", ["day", "month", "year"]),
    ],
)
def test_date_field_explains_what_is_wrong_and_marks_only_those_boxes(
    day, month, year, message, wrong_parts
):
    form = date_form(day, month, year)
    assert not form.is_valid()
    assert form.errors["birth_date"] == [message]

    doc = parse(render(form))
    marked = [
        part
        for part in ("day", "month", "year")
        if "nhsuk-input--error" in by_id(doc, f"id_birth_date_{part}").classes()
    ]
    assert marked == wrong_parts
    # The summary link goes to the first box that needs fixing.
    link = doc.find("ul", "nhsuk-error-summary__list").find("a")
    assert link.attrs["href"] == f"#id_birth_date_{wrong_parts[0]}"
    assert link.all_text() == message


def test_date_input_is_a_group_of_three_labelled_boxes_that_keep_what_was_typed():
    doc = parse(render(date_form("31", "2", "2025")))
    container = by_id(doc, "id_birth_date")
    assert "nhsuk-date-input" in container.classes()
    fieldset = next(a for a in container.ancestors() if a.tag == "fieldset")
    assert fieldset.attrs["role"] == "group"
    assert fieldset.find("legend").all_text() == "Date of birth"
    for part, label, value, width in [
        ("day", "Day", "31", "2"),
        ("month", "Month", "2", "2"),
        ("year", "Year", "2025", "4"),
    ]:
        box = by_id(doc, f"id_birth_date_{part}")
        assert box.attrs["name"] == f"birth_date_{part}"
        assert box.attrs["value"] == value
        assert box.attrs["inputmode"] == "numeric"
        assert f"nhsuk-input--width-{width}" in box.classes()
        assert doc.find("label", **{"for": box.attrs["id"]}).all_text() == label


def test_date_input_shows_an_initial_date():
    form = DateForm(initial={"birth_date": datetime.date(2024, 3, 5)})
    doc = parse(render(form))
    values = [by_id(doc, f"id_birth_date_{p}").attrs["value"] for p in ("day", "month", "year")]
    assert values == ["5", "3", "2024"]


def test_date_field_error_messages_can_be_replaced():
    field = DateInputField(error_messages={"invalid": "The review must be on a real day"})
    with pytest.raises(ValidationError) as caught:
        field.clean(["30", "2", "2026"])
    assert caught.value.messages == ["The review must be on a real day"]


# --- The page layout --------------------------------------------------------------------------


@pytest.fixture
def admin_client(db):
    admin = User.objects.create_user(
        username="admin.pack", password="x-unused-password-1", role="admin"
    )
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "A"})
    client = SecondFactorClient()
    client.force_login(admin)
    return client


@pytest.mark.django_db
def test_pages_have_no_inline_styles_or_scripts(admin_client):
    for html in (
        admin_client.get(reverse("home")).content.decode(),
        admin_client.get(reverse("account_change_password")).content.decode(),
        Client().get(reverse("account_login")).content.decode(),
    ):
        assert " style=" not in html
        assert "<style" not in html
        scripts = re.findall(r"<script[^>]*>", html)
        assert scripts, "the page loads no script"
        for script in scripts:
            assert 'type="module"' in script, script
            assert "src=" in script, script


@pytest.mark.django_db
def test_header_shows_who_is_signed_in_and_signs_out_with_a_post(admin_client):
    doc = parse(admin_client.get(reverse("home")).content.decode())
    header = doc.find("header", "nhsuk-header")
    account = header.find("nav", "nhsuk-header__account")
    items = [item.all_text() for item in account.find_all("li")]
    # An admin has no team, so the header shows their role instead.
    assert items[:2] == ["admin.pack", "Admin"]
    change_password = account.find("a", href=reverse("account_change_password"))
    assert change_password.all_text() == "Change password"
    sign_out = account.find("form")
    assert sign_out.attrs["method"] == "post"
    assert sign_out.attrs["action"] == reverse("account_logout")
    assert sign_out.find("input", type="hidden", name="csrfmiddlewaretoken") is not None
    assert sign_out.find("button").all_text() == "Sign out"
    service = header.find("a", "nhsuk-header__service-logo")
    assert service.attrs["href"] == reverse("home")


@pytest.mark.django_db
def test_header_shows_a_health_visitors_full_name_and_team():
    team = Team.objects.create(name="Riverside Team")
    hv = User.objects.create_user(
        username="hv.pack",
        password="x-unused-password-1",
        role="health_visitor",
        team=team,
        first_name="Amara",
        last_name="Okafor",
    )
    Authenticator.objects.create(user=hv, type=Authenticator.Type.TOTP, data={"secret": "A"})
    client = SecondFactorClient()
    client.force_login(hv)
    doc = parse(client.get(reverse("home")).content.decode())
    items = [li.all_text() for li in doc.find("nav", "nhsuk-header__account").find_all("li")]
    assert items[:2] == ["Amara Okafor", "Riverside Team"]
    assert doc.find("h1").all_text() == "Caseload"


@pytest.mark.django_db
def test_page_has_landmarks_one_h1_and_a_skip_link(admin_client):
    doc = parse(admin_client.get(reverse("home")).content.decode())
    assert doc.find("html").attrs["lang"] == "en-GB"
    assert doc.find("a", "nhsuk-skip-link").attrs["href"] == "#maincontent"
    assert doc.find("main", id="maincontent") is not None
    assert doc.find("footer", "nhsuk-footer") is not None
    assert len(list(doc.find_all("h1"))) == 1
    assert doc.find("title").all_text() == "Home \N{EN DASH} Starting Relationships"


@pytest.mark.django_db
def test_messages_show_as_notification_banners(admin_client):
    request = RequestFactory().get("/")
    request.user = User.objects.get(username="admin.pack")
    request.session = admin_client.session
    storage = FallbackStorage(request)
    storage.add(constants.SUCCESS, "Referral sent")
    storage.add(constants.INFO, "Nothing else to do")
    html = get_template("conversations/caseload.html").render({"messages": storage}, request)
    doc = parse(html)
    banners = list(doc.find_all("div", "nhsuk-notification-banner"))
    assert len(banners) == 2
    assert "nhsuk-notification-banner--success" in banners[0].classes()
    assert banners[0].attrs["role"] == "alert"
    assert banners[1].attrs["role"] == "region"
    for banner in banners:
        assert by_id(doc, banner.attrs["aria-labelledby"]) is not None
    assert "Referral sent" in banners[0].all_text()


@pytest.mark.django_db
def test_failed_sign_in_puts_the_error_in_the_summary_above_the_heading(client):
    response = client.post(
        reverse("account_login"), {"login": "nobody", "password": "wrong"}, REMOTE_ADDR="192.0.2.77"
    )
    html = response.content.decode()
    doc = parse(html)
    summary = doc.find("div", "nhsuk-error-summary")
    assert "username and/or password you specified are not correct" in summary.all_text()
    assert html.index("nhsuk-error-summary") < html.index("<h1")
    assert doc.find("title").all_text().startswith("Error: Sign in")
    assert doc.find("label", **{"for": "id_login"}).all_text() == "Username"
    assert by_id(doc, "id_password").attrs["type"] == "password"


@pytest.mark.django_db
def test_sign_in_page_explains_a_session_that_reached_its_limit(client):
    html = client.get(reverse("account_login") + "?signed_out=limit").content.decode()
    doc = parse(html)
    banner = doc.find("div", cls="nhsuk-notification-banner")
    assert banner.attrs["role"] == "region"
    assert "signed in for 12 hours" in banner.all_text()
    plain = client.get(reverse("account_login")).content.decode()
    assert "nhsuk-notification-banner" not in plain


# --- Error pages ------------------------------------------------------------------------------


def test_server_error_page_needs_no_request_or_context():
    html = get_template("500.html").render({})
    doc = parse(html)
    assert doc.find("h1").all_text() == "Sorry, there is a problem with the service"
    assert doc.find("main", id="maincontent") is not None


@pytest.mark.django_db
def test_csrf_failure_page_is_in_plain_words():
    response = Client(enforce_csrf_checks=True).post(reverse("account_login"), {"username": "x"})
    assert response.status_code == 403
    doc = parse(response.content.decode())
    assert doc.find("h1").all_text() == "This page has expired"


@pytest.mark.django_db
def test_not_found_page_uses_the_layout(admin_client):
    response = admin_client.get("/no-such-page/")
    assert response.status_code == 404
    doc = parse(response.content.decode())
    assert doc.find("h1").all_text() == "Page not found"
    assert doc.find("nav", "nhsuk-header__account") is not None


def test_the_lock_message_never_shows_the_username():
    from attachment_app.accounts.throttle import locked_message

    message = locked_message()
    assert "Try again later, or ask your team lead or admin" in message
    assert "15 minutes" in message
