"""Crispy-forms layout objects for NHS.UK frontend.

Use these instead of their namesakes in ``crispy_forms.layout``::

    from attachment_app.nhsuk_forms.layout import ButtonGroup, ButtonLink, Field, Fieldset, Submit

Crispy's own ``Layout``, ``Div`` and ``HTML`` work as they are.
"""

from crispy_forms import layout as crispy
from crispy_forms.utils import TEMPLATE_PACK, flatatt, render_field
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.text import slugify

#: Sizes NHS.UK frontend has for labels and legends.
SIZES = frozenset({"s", "m", "l", "xl"})
#: Button variants NHS.UK frontend v10 has (the default, green, needs none).
VARIANTS = frozenset({"secondary", "secondary-solid", "reverse", "warning", "login"})


def _check_size(size):
    if size is not None and size not in SIZES:
        raise ValueError(f"Size must be one of {sorted(SIZES)}, not {size!r}.")
    return size


class Field(crispy.Field):
    """A field with NHS.UK options.

    label_size: "s", "m", "l" or "xl" for the label, or the legend of radios, checkboxes and
        dates. page_heading: the label or legend is the page's h1 (one question per page).
    item_hints: for radios and checkboxes, a hint under an option, keyed by the option's value.
    inline: radios side by side (for two short options such as Yes and No).
    conditional: for radios and checkboxes, the questions an option reveals when it is chosen
        (NHS.UK's conditional reveal), keyed by the option's value, each a list of field names
        or layout objects; for a single checkbox, keyed by ``True``. Without JavaScript every
        revealed question is shown, as NHS.UK frontend does by design, so the form's clean or
        the service ignores what belongs to an option not chosen.
    Other keyword arguments are crispy's: ``css_class`` adds classes to the control (for example
    ``nhsuk-input--width-10``), and the rest become HTML attributes of the control.
    """

    def __init__(
        self,
        *fields,
        label_size=None,
        page_heading=False,
        item_hints=None,
        inline=False,
        conditional=None,
        **kwargs,
    ):
        super().__init__(*fields, **kwargs)
        self.nhsuk_context = {
            "nhsuk_label_size": _check_size(label_size),
            "nhsuk_page_heading": page_heading,
            "nhsuk_item_hints": item_hints or {},
            "nhsuk_inline": inline,
        }
        self.conditional = {str(value): list(items) for value, items in (conditional or {}).items()}

    def render(self, form, context, template_pack=TEMPLATE_PACK, extra_context=None, **kwargs):
        revealed = {
            value: mark_safe(  # noqa: S308 - rendered by the pack's own templates, escaped there
                "".join(
                    render_field(item, form, context, template_pack=template_pack) for item in items
                )
            )
            for value, items in self.conditional.items()
        }
        extra_context = {
            **self.nhsuk_context,
            "nhsuk_conditionals": revealed,
            **(extra_context or {}),
        }
        return super().render(form, context, template_pack, extra_context=extra_context, **kwargs)


class Fieldset(crispy.Fieldset):
    """Questions grouped under one legend, such as the lines of an address.

    legend_size: "s", "m", "l" or "xl". page_heading: the legend is the page's h1.
    hint: a hint under the legend, linked to the fieldset with aria-describedby.
    """

    def __init__(self, legend, *fields, legend_size=None, page_heading=False, hint=None, **kwargs):
        super().__init__(legend, *fields, **kwargs)
        self.legend_size = _check_size(legend_size)
        self.page_heading = page_heading
        self.hint = hint
        self.hint_id = f"{self.css_id or 'fieldset-' + slugify(legend)}-hint" if hint else None


class Submit:
    """An NHS.UK button that submits the form. Use in a layout or with ``helper.add_input``.

    ``Submit("Save and continue")`` is the primary (green) button;
    ``Submit("Save as draft", variant="secondary", name="action", value="draft")`` a second
    one whose name and value tell the view which was pressed. Buttons that create or change
    records ignore a second click, so a double click cannot submit twice.
    """

    template = "%s/layout/nhsuk_button.html"
    input_type = "submit"
    href = None
    #: Tells the pack's inputs.html this is not one of crispy's own <input> buttons.
    nhsuk_button = True

    def __init__(
        self,
        text,
        *,
        name=None,
        value=None,
        variant=None,
        prevent_double_click=True,
        css_id=None,
        css_class=None,
        template=None,
        **attrs,
    ):
        if variant is not None and variant not in VARIANTS:
            raise ValueError(f"Variant must be one of {sorted(VARIANTS)}, not {variant!r}.")
        self.text = text
        self.name = name
        self.value = value
        self.variant = variant
        self.prevent_double_click = prevent_double_click
        self.id = css_id
        self.css_class = css_class
        self.template = template or self.template
        self.flat_attrs = flatatt(attrs)

    @property
    def classes(self) -> str:
        classes = ["nhsuk-button"]
        if self.variant:
            classes.append(f"nhsuk-button--{self.variant}")
        if self.css_class:
            classes.append(self.css_class)
        return " ".join(classes)

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        template = self.template % template_pack if "%s" in self.template else self.template
        return render_to_string(template, {"input": self})


class ButtonLink(Submit):
    """A link that looks like a button, for example "Cancel" back to the previous page."""

    input_type = "link"

    def __init__(self, text, href, *, variant="secondary", **kwargs):
        super().__init__(text, variant=variant, prevent_double_click=False, **kwargs)
        self.href = href


class ButtonGroup(crispy.ButtonHolder):
    """Buttons and links side by side in an NHS.UK button group."""
