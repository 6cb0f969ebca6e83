import pytest


@pytest.fixture(autouse=True)
def _feeds_served_here(settings):
    # The test feeds are served over plain HTTP on this machine, and need no politeness.
    settings.ORUK_FEED_HTTPS_ONLY = False
    settings.ORUK_FEED_REQUESTS_PER_SECOND = 0
    settings.ORUK_FEED_TIMEOUT_SECONDS = 5
