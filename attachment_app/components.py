"""NHS.UK frontend components as template tags, built into every template (``TEMPLATES``
``builtins``, no ``{% load %}``): one place holds each component's markup, in
``templates/components/``, so a page never writes it out by hand and an nhsuk-frontend upgrade
changes one file.

Each tag renders ``templates/components/<name>.html``; the block tags pass what is between the
tags as ``content`` (trimmed). The same templates can be included directly, with the same names.

``{% back_link "family_detail" family.pk %}Back to the {{ family.name }} family{% endback_link %}``
    the first argument is a URL name and the rest its arguments, as for ``{% url %}``; or
    ``href=back_url`` for a URL already built, and ``fragment="support"`` for ``#support``.
``{% tag "red" %}Urgent{% endtag %}``
    a colour of nhsuk-frontend's tag, or ``classes="nhsuk-tag--blue"`` when a view chose it.
``{% summary_row "Phone number" %}{{ phone }}{% endsummary_row %}``
    one row of a summary list; ``action_href``, ``action_text`` (``Change``) and
    ``action_hidden`` (the visually hidden words that say what changes) add its action;
    ``no_actions=True`` marks a row without one in a list where others have one.
``{% inset_text %}<p>…</p>{% endinset_text %}``
``{% warning_callout "Heading" %}<p>…</p>{% endwarning_callout %}`` (``level=3`` for an h3)
``{% details "Summary" summary_hidden=" for "|add:name open=form.errors %}…{% enddetails %}``
``{% button_group %}<button …>…</button>{% endbutton_group %}``

Pagination and the action link are includes: ``{% include "components/pagination.html" with
links=page_links label="Pages of …" %}`` and ``{% include "components/action_link.html" with
href=url text="Do this" %}``.
"""

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _render(context, name: str, **values) -> SafeString:
    """Render ``components/<name>.html`` with only ``values``, as an inclusion tag would."""
    component = context.template.engine.get_template(f"components/{name}.html")
    return mark_safe(component.render(context.new(values)).strip())  # noqa: S308 - our template


def _trim(content: str) -> SafeString:
    # The content was rendered (and escaped) by the template engine already.
    return mark_safe(content.strip())  # noqa: S308


@register.simple_block_tag(takes_context=True)
def back_link(context, content, *url_args, href="", fragment=""):
    """The NHS.UK back link, in its ``Back`` navigation landmark."""
    if url_args:
        href = reverse(url_args[0], args=url_args[1:])
    if fragment:
        href = f"{href}#{fragment}"
    return _render(context, "back_link", href=href, content=_trim(content) or "Back")


@register.simple_block_tag(takes_context=True)
def tag(context, content, colour="", classes=""):
    """The NHS.UK tag: a short status in a coloured box."""
    return _render(context, "tag", colour=colour, classes=classes, content=_trim(content))


@register.simple_block_tag(takes_context=True)
def summary_row(
    context, content, key, action_href="", action_text="Change", action_hidden="", no_actions=False
):
    """One row of an NHS.UK summary list, with at most one action."""
    return _render(
        context,
        "summary_list_row",
        key=key,
        content=_trim(content),
        action_href=action_href,
        action_text=action_text,
        action_hidden=action_hidden,
        no_actions=no_actions,
    )


@register.simple_block_tag(takes_context=True)
def inset_text(context, content, classes=""):
    """NHS.UK inset text: information the reader should not miss, announced as such."""
    return _render(context, "inset_text", classes=classes, content=_trim(content))


@register.simple_block_tag(takes_context=True)
def warning_callout(context, content, heading, level=2):
    """The NHS.UK warning callout, its heading announced as important."""
    return _render(context, "warning_callout", heading=heading, level=level, content=_trim(content))


@register.simple_block_tag(takes_context=True)
def details(context, content, summary, summary_hidden="", open=False, classes=""):
    """The NHS.UK details component; ``summary_hidden`` tells a screen reader which one it is."""
    return _render(
        context,
        "details",
        summary=summary,
        summary_hidden=summary_hidden,
        open=open,
        classes=classes,
        content=_trim(content),
    )


@register.simple_block_tag(takes_context=True)
def button_group(context, content, classes=""):
    """NHS.UK buttons (and links) side by side, spaced as the frontend expects."""
    return _render(context, "button_group", classes=classes, content=_trim(content))
