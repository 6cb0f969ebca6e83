"""The template pack's error summary, error messages, hints and aria-describedby links, and
optional questions' labels."""

from crispy_forms.helper import FormHelper
from django import forms
from django.template import Context, Template

from tests.nhsuk_forms.every_control_form import EveryControlForm, invalid_form, render
from tests.nhsuk_forms.html_reader import by_id, described_by, parse

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
