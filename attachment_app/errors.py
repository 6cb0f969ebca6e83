"""What a service refuses besides a ValidationError, named once for every app and for
:class:`attachment_app.form_page.FormPageView`, which turns each into the right answer."""

from django.core.exceptions import PermissionDenied


class ConsentRequired(PermissionDenied):
    """Something was to be recorded without the parent's current consent; nothing was saved."""


class StaleRecord(Exception):
    """The record changed after the form was opened; nothing was saved.

    ``version`` is the record's version now: the page puts it back on the form, so saving again
    after reading what changed is possible.
    """

    def __init__(self, message: str, *, version: int):
        self.version = version
        super().__init__(message)
