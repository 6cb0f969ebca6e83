"""The template pack's radios, checkboxes and fieldsets, conditional reveal, the layout objects'
sizes and classes, and buttons."""

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout

from attachment_app.nhsuk_forms.layout import ButtonGroup, ButtonLink, Field, Fieldset, Submit
from tests.nhsuk_forms.every_control_form import EveryControlForm, render
from tests.nhsuk_forms.html_reader import by_id, described_by, parse

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
