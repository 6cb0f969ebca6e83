"""The width check every journey runs through ``assert_accessible``: it must fail on a page that
scrolls sideways at a phone's width, say what sticks out, and leave the window as it was."""

import pytest

from .conftest import FIT_WIDTHS, assert_fits_narrow_screens


def page_with(body: str, style: str = "") -> str:
    return (
        '<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width">'
        f"<style>body {{ margin: 0 }} {style}</style></head><body><main>{body}</main></body></html>"
    )


@pytest.fixture
def blank(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def test_a_page_that_fits_passes_and_the_window_is_restored(blank):
    blank.set_content(page_with("<p>Short text that wraps as it needs to.</p>"))
    before = blank.viewport_size
    assert_fits_narrow_screens(blank)
    assert blank.viewport_size == before


def test_a_page_wider_than_a_phone_fails_and_names_what_sticks_out(blank):
    blank.set_content(page_with('<div><p class="wide">Wide</p></div>', ".wide { width: 500px }"))
    before = blank.viewport_size
    with pytest.raises(AssertionError) as failure:
        assert_fits_narrow_screens(blank)
    message = str(failure.value)
    assert "At 320px the page is 500px wide" in message
    assert "At 390px the page is 500px wide" in message
    assert "At 768px" not in message
    # The innermost element that sticks out, not the containers around it.
    assert 'p.wide right edge at 500px: "Wide"' in message
    assert "div right edge" not in message
    assert blank.viewport_size == before


def test_every_width_is_checked(blank):
    blank.set_content(page_with('<p class="wide">x</p>', ".wide { width: 800px }"))
    with pytest.raises(AssertionError) as failure:
        assert_fits_narrow_screens(blank)
    for width in FIT_WIDTHS:
        assert f"At {width}px the page is 800px wide" in str(failure.value)
