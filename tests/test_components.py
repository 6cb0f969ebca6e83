"""The NHS.UK components in templates/components/ render the markup nhsuk-frontend expects."""

import re

import pytest
from django.template import engines
from django.urls import reverse


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def squash(html: str) -> str:
    """Whitespace between tags does not matter to a browser; drop it to compare markup."""
    return re.sub(r">\s+<", "><", html.strip())


def test_back_link_resolves_a_url_name_and_sits_in_a_back_landmark():
    html = render('{% back_link "home" %}Back to caseload{% endback_link %}')
    assert squash(html) == (
        f'<nav aria-label="Back"><a class="nhsuk-back-link" href="{reverse("home")}">'
        "Back to caseload</a></nav>"
    )


def test_back_link_takes_a_built_href_a_fragment_and_escapes_its_text():
    html = render(
        '{% back_link href=url fragment="support" %}Back to {{ name }}{% endback_link %}',
        url="/families/1/",
        name="<b>Smith</b>",
    )
    assert 'href="/families/1/#support"' in html
    assert ">Back to &lt;b&gt;Smith&lt;/b&gt;</a>" in html


def test_back_link_without_text_says_back():
    html = render('{% back_link href="/x/" %}{% endback_link %}')
    assert '<a class="nhsuk-back-link" href="/x/">Back</a>' in html


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            '{% tag "red" %}Urgent{% endtag %}',
            '<strong class="nhsuk-tag nhsuk-tag--red">Urgent</strong>',
        ),
        ("{% tag %}Active{% endtag %}", '<strong class="nhsuk-tag">Active</strong>'),
        (
            '{% tag classes="nhsuk-tag--blue" %}Planned{% endtag %}',
            '<strong class="nhsuk-tag nhsuk-tag--blue">Planned</strong>',
        ),
    ],
)
def test_tag_renders_one_strong_with_its_colour(source, expected):
    assert render(source) == expected


def test_summary_row_without_action():
    html = render('{% summary_row "Phone number" %} {{ phone }} {% endsummary_row %}', phone="0113")
    assert squash(html) == (
        '<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">Phone number</dt>'
        '<dd class="nhsuk-summary-list__value">0113</dd></div>'
    )


def test_summary_row_with_action_names_what_it_changes():
    html = render(
        '{% summary_row "Name" action_href="/change/" action_hidden="the name" %}'
        "Ann{% endsummary_row %}"
    )
    assert squash(html).endswith(
        '<dd class="nhsuk-summary-list__actions"><a class="nhsuk-link" href="/change/">Change'
        '<span class="nhsuk-u-visually-hidden"> the name</span></a></dd></div>'
    )


def test_summary_row_marked_without_actions():
    html = render('{% summary_row "Key" no_actions=True %}Value{% endsummary_row %}')
    assert 'class="nhsuk-summary-list__row nhsuk-summary-list__row--no-actions"' in html
    assert "nhsuk-summary-list__actions" not in html


def test_inset_text_announces_information():
    html = render("{% inset_text %}<p>Read this</p>{% endinset_text %}")
    assert squash(html) == (
        '<div class="nhsuk-inset-text"><span class="nhsuk-u-visually-hidden">Information: </span>'
        "<p>Read this</p></div>"
    )


def test_warning_callout_heading_is_announced_as_important_at_its_level():
    html = render(
        "{% warning_callout heading level=3 %}<p>Body</p>{% endwarning_callout %}", heading="Stop"
    )
    assert squash(html) == (
        '<div class="nhsuk-warning-callout"><h3 class="nhsuk-warning-callout__label">'
        '<span role="text"><span class="nhsuk-u-visually-hidden">Important: </span>Stop</span></h3>'
        "<p>Body</p></div>"
    )


def test_warning_callout_heading_defaults_to_h2():
    html = render('{% warning_callout "Stop" %}<p>Body</p>{% endwarning_callout %}')
    assert '<h2 class="nhsuk-warning-callout__label">' in html


def test_details_closed_by_default_with_hidden_summary_words():
    html = render(
        '{% details "History" summary_hidden=" of the referral" %}<p>Text</p>{% enddetails %}'
    )
    assert squash(html) == (
        '<details class="nhsuk-details"><summary class="nhsuk-details__summary">'
        '<span class="nhsuk-details__summary-text">History'
        '<span class="nhsuk-u-visually-hidden"> of the referral</span></span></summary>'
        '<div class="nhsuk-details__text"><p>Text</p></div></details>'
    )


def test_details_open_with_classes():
    html = render(
        '{% details "More" open=errors classes="nhsuk-u-margin-top-2" %}x{% enddetails %}',
        errors=True,
    )
    assert html.startswith('<details class="nhsuk-details nhsuk-u-margin-top-2" open>')


def test_button_group_wraps_its_buttons():
    html = render(
        '{% button_group %}<button class="nhsuk-button">Save</button>{% endbutton_group %}'
    )
    assert squash(html) == (
        '<div class="nhsuk-button-group"><button class="nhsuk-button">Save</button></div>'
    )


def test_pagination_include_links_pages_and_marks_the_current_one():
    links = {
        "show": True,
        "previous": "?page=1",
        "next": "?page=3",
        "items": [
            {"number": 1, "href": "?page=1"},
            {"number": 2, "href": "?page=2", "current": True},
            {"ellipsis": True},
            {"number": 9, "href": "?page=9"},
        ],
    }
    html = render(
        '{% include "components/pagination.html" with links=links label="Pages of people" %}',
        links=links,
    )
    assert (
        '<nav class="nhsuk-pagination nhsuk-pagination--numbered" role="navigation" '
        'aria-label="Pages of people">' in html
    )
    assert 'class="nhsuk-pagination__previous" rel="prev"' in html
    assert 'class="nhsuk-pagination__next" rel="next"' in html
    assert 'aria-label="Page 2" aria-current="page">2</a>' in html
    assert "nhsuk-pagination__item nhsuk-pagination__item--current" in html
    assert "nhsuk-pagination__item--ellipsis" in html


def test_pagination_include_is_empty_for_one_page():
    assert (
        render(
            '{% include "components/pagination.html" with links=links %}', links={"show": False}
        ).strip()
        == ""
    )


def test_action_link_include():
    html = render(
        '{% include "components/action_link.html" with href="/go/" text="Flag a concern" %}'
    )
    assert '<a class="nhsuk-action-link" href="/go/">' in html
    assert '<span class="nhsuk-action-link__text">Flag a concern</span>' in html
