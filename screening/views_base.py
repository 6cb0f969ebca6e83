"""What step 2's pages share: forms that name their own buttons, and one contact in scope.

Records come through ``visible_to(request.user)`` before anything else, so another team's record
is a 404 for every method. Forms check shape; the services score, check the parent's agreement to
each questionnaire and raise the urgent concerns. Nothing here waits for consent to the
relationship conversation: step 2 is open at every contact whatever was decided there.
"""

from typing import Any

from django.urls import reverse

from attachment_app.accounts.models import User
from attachment_app.form_page import FormPageView
from conversations.models import Contact, Family

from .selectors_contact import contact_for_page


class ScreeningFormPage(FormPageView):
    """A step 2 form page. Its forms name their own buttons, so they take only where Cancel goes."""

    def form_kwargs(self) -> dict[str, Any]:
        return {"cancel_url": self.cancel_url()}

    @property
    def actor(self) -> User:
        """Who is making the change: signed in, as every page but the sign-in page requires."""
        return self.request.user


class ContactFormPage(ScreeningFormPage):
    """A step 2 form at one contact; Cancel goes back to the contact's step 2 page."""

    contact: Contact
    family: Family

    def load(self, *args: Any, **url_kwargs: Any) -> None:
        # A page whose URL names more than the contact has its own load and calls load_contact.
        self.load_contact(url_kwargs["contact_id"])

    def load_contact(self, contact_id: int) -> None:
        self.contact = contact_for_page(user=self.request.user, contact_id=contact_id)
        self.family = self.contact.family

    def start_url(self) -> str:
        return reverse("screening_start", args=[self.contact.pk])

    def cancel_url(self) -> str:
        return self.start_url()

    def context(self) -> dict[str, Any]:
        return {"contact": self.contact, "family": self.family}
