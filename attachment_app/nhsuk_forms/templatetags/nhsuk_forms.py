"""Template helpers behind the ``nhsuk`` crispy-forms template pack.

The templates decide the markup; these helpers do what a template cannot do tidily: work out
which NHS.UK component a field needs, merge CSS classes, and find the id an error summary link
should point at.
"""

from django import forms, template
from django.forms.formsets import BaseFormSet
from django.forms.utils import flatatt
from django.utils.html import format_html

from ..widgets import DATE_PARTS, NHSDateWidget

register = template.Library()

_DATE_PART_NAMES = tuple(name for name, _label, _width in DATE_PARTS)

#: The class NHS.UK frontend gives each kind of single control, and its error modifier.
_CONTROL_CLASSES = {
    "input": ("nhsuk-input", "nhsuk-input--error"),
    "textarea": ("nhsuk-textarea", "nhsuk-textarea--error"),
    "select": ("nhsuk-select", "nhsuk-select--error"),
    "checkbox": ("nhsuk-checkboxes__input", None),
    "file": ("nhsuk-file-upload__input", None),
}


@register.filter
def nhsuk_kind(field) -> str:
    """The NHS.UK component a bound field is drawn as: "input", "radios", "date" and so on."""
    widget = field.field.widget
    if field.is_hidden:
        return "hidden"
    if isinstance(widget, NHSDateWidget):
        return "date"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.MultiWidget):
        return "multi"
    return "input"


def _join_classes(*groups) -> str:
    classes = []
    for group in groups:
        classes.extend((group or "").split())
    return " ".join(dict.fromkeys(classes))


@register.simple_tag
def nhsuk_widget(field, controls=""):
    """Render a single control with its NHS.UK classes, plus the error modifier if it has errors.

    Classes already on the widget (for example ``nhsuk-input--width-10``) are kept; autofocus is
    not. Django adds ``aria-describedby`` for the hint (``<id>_helptext``) and error
    (``<id>_error``) itself.
    """
    base, error = _CONTROL_CLASSES.get(nhsuk_kind(field), (None, None))
    # No autofocus (Django's sign-in and password forms set it): it takes keyboard and screen
    # reader users past the skip link, the header and the page's heading.
    attrs = {"autofocus": False}
    if controls:
        # NHS.UK frontend promotes this to aria-controls once its JavaScript has started.
        attrs["data-aria-controls"] = controls
    if base:
        attrs["class"] = _join_classes(
            base, error if field.errors else None, field.field.widget.attrs.get("class")
        )
    return field.as_widget(attrs=attrs)


@register.simple_tag
def nhsuk_choices(field, item_hints=None, conditionals=None):
    """The options of a radios or checkboxes field, each with its ``<input>`` rendered.

    ``item_hints`` maps an option's value to a hint shown under that option; ``conditionals``
    maps it to the questions the option reveals (rendered HTML).
    """
    kind = nhsuk_kind(field)
    hints = {str(value): hint for value, hint in (item_hints or {}).items()}
    conditionals = conditionals or {}
    options = []
    for option in field.subwidgets:
        data = option.data
        attrs = dict(data["attrs"])
        option_id = attrs.get("id")
        attrs["class"] = _join_classes(f"nhsuk-{kind}__input", attrs.get("class"))
        hint = hints.get(str(data["value"]))
        hint_id = f"{option_id}_hint" if hint and option_id else None
        if hint_id:
            attrs["aria-describedby"] = hint_id
        conditional = conditionals.get(str(data["value"]))
        conditional_id = f"conditional-{option_id}" if conditional and option_id else None
        if conditional_id:
            attrs["data-aria-controls"] = conditional_id
        options.append(
            {
                "id": option_id,
                "label": data["label"],
                "hint": hint,
                "hint_id": hint_id,
                "conditional": conditional if conditional_id else None,
                "conditional_id": conditional_id,
                "checked": bool(attrs.get("checked")),
                "input": format_html(
                    '<input type="{}" name="{}" value="{}"{}>',
                    data["type"],
                    data["name"],
                    data["value"],
                    flatatt(attrs),
                ),
            }
        )
    return options


def date_error_parts(field) -> tuple[str, ...]:
    """Which of day, month and year to mark as wrong: the whole date unless an error says."""
    if not field.errors:
        return ()
    parts = set()
    for error in field.errors.as_data():
        error_parts = (error.params or {}).get("error_parts")
        if not error_parts:
            return _DATE_PART_NAMES
        parts.update(error_parts)
    return tuple(name for name in _DATE_PART_NAMES if name in parts)


def _widget_id(field) -> str:
    return field.field.widget.attrs.get("id") or field.auto_id or ""


@register.simple_tag
def nhsuk_date_widget(field):
    """The date input's widget context, with only the wrong boxes styled as errors."""
    widget = field.field.widget
    attrs = {"id": _widget_id(field)} if _widget_id(field) else {}
    attrs = field.build_widget_attrs(attrs, widget)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    wrong = date_error_parts(field)
    for part in context["subwidgets"]:
        part_attrs = part["attrs"]
        part_attrs.pop("aria-invalid", None)
        if part["part"] in wrong:
            part_attrs["class"] = _join_classes(part_attrs.get("class"), "nhsuk-input--error")
            part_attrs["aria-invalid"] = "true"
    return context


def error_target_id(field) -> str | None:
    """The id of the control an error summary link for this field should move focus to."""
    if field.is_hidden:
        return None
    kind = nhsuk_kind(field)
    if kind == "date":
        container = _widget_id(field)
        if not container:
            return None
        return f"{container}_{(date_error_parts(field) or _DATE_PART_NAMES)[0]}"
    if kind in ("radios", "checkboxes"):
        options = field.subwidgets
        return options[0].id_for_label if options else None
    if kind == "multi":
        return f"{_widget_id(field)}_0" if _widget_id(field) else None
    return field.id_for_label or None


@register.simple_tag
def nhsuk_error_summary_items(form):
    """Every error in a form or formset as ``{"text", "href"}``, in the order of the page.

    Errors that belong to no field come first and have no link.
    """
    if form is None or not hasattr(form, "errors"):
        return []
    if isinstance(form, BaseFormSet):
        items = [{"text": error, "href": None} for error in form.non_form_errors()]
        for member in form.forms:
            items.extend(nhsuk_error_summary_items(member))
        return items
    if not form.errors:
        return []
    items = [{"text": error, "href": None} for error in form.non_field_errors()]
    for field in form:
        if field.errors:
            target = error_target_id(field)
            href = f"#{target}" if target else None
            items.extend({"text": error, "href": href} for error in field.errors)
    return items
