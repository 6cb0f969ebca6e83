"""Concerns, strengths and needs: flag a concern (at a contact or from the family page),
acknowledge an urgent one, close one; record a strength or an area of need; and the whole list
of urgent concerns awaiting acknowledgement, whose oldest few top the home page.

A concern can always be flagged, whatever was decided about consent (hazard H-037).
"""

from typing import Any

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from attachment_app import permissions
from attachment_app.audit.access import families_named_in, note_listed
from attachment_app.form_page import ClinicianOnlyMixin, PageView
from attachment_app.pagination import page_links, query_without
from conversations.models import Family

from . import services
from .forms import AcknowledgeConcernForm, CloseConcernForm, ConcernForm, ObservationForm
from .models import Concern, Observation
from .selectors_family import urgent_concerns_awaiting, with_rule_labels
from .views_base import ContactFormPage, ScreeningFormPage

URGENT_CONCERN_FLAGGED = (
    "Urgent concern flagged. It shows on your home page and your team lead's until one of you "
    "records the action taken."
)


CONCERNS_PER_PAGE = 25


class ListUrgentConcernsView(ClinicianOnlyMixin, PageView):
    """Every urgent concern in the user's team awaiting acknowledgement, oldest first, a page
    at a time: the home page shows the oldest few and links here. Health visitors and team
    leads; everyone else (admins too) gets a 404."""

    template_name = "screening/urgent_concern_list.html"

    def get(self, request):
        page = Paginator(urgent_concerns_awaiting(user=request.user), CONCERNS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        concerns = with_rule_labels(page.object_list)
        note_listed(request, families=families_named_in(concerns))
        return render(
            request,
            self.template_name,
            {
                "page": page,
                "concerns": concerns,
                "page_links": page_links(page, query_without(request, "page")),
            },
        )


class _FlagConcernPage(ScreeningFormPage):
    """Flag a concern, urgent if it cannot wait; then the concern's page, which leads on to
    services for the family. No consent is asked for (hazard H-037)."""

    keeps_drafts = True

    template_name = "screening/concern_create.html"
    form_class = ConcernForm

    def raised_about(self) -> dict[str, Any]:
        """The contact or the family the concern is about, as ``concern_raise`` takes it."""
        raise NotImplementedError

    def perform(self, form) -> Concern:
        return services.concern_raise(actor=self.actor, **self.raised_about(), **form.cleaned_data)

    def success_url(self, concern: Concern) -> str:
        return reverse("concern_acknowledge", args=[concern.pk])

    def message(self, concern: Concern) -> str:
        return URGENT_CONCERN_FLAGGED if concern.urgent else "Concern flagged"


class CreateConcernView(_FlagConcernPage, ContactFormPage):
    """Flag a concern about the family at this contact, whatever was decided about consent."""

    def raised_about(self) -> dict[str, Any]:
        return {"contact": self.contact}


class CreateFamilyConcernView(_FlagConcernPage):
    """Flag a concern straight from the family page, with no contact: a safeguarding worry
    heard on the phone or from another professional is recorded when it arises."""

    def load(self, family_id: int) -> None:
        self.family = get_object_or_404(Family.objects.visible_to(self.request.user), pk=family_id)

    def cancel_url(self) -> str:
        return reverse("family_detail", args=[self.family.pk])

    def raised_about(self) -> dict[str, Any]:
        return {"family": self.family}

    def context(self) -> dict[str, Any]:
        return {"family": self.family, "contact": None, "back_url": self.cancel_url()}


class CreateObservationView(ContactFormPage):
    """Record a strength of the family or an area where they need support."""

    keeps_drafts = True

    template_name = "screening/observation_create.html"
    form_class = ObservationForm

    def perform(self, form) -> Observation:
        return services.observation_record(
            actor=self.actor, contact=self.contact, **form.cleaned_data
        )

    def success_url(self, observation: Observation) -> str:
        return self.start_url()

    def message(self, observation: Observation) -> str:
        return f"{observation.get_kind_display()} recorded"


class _ConcernFormPage(ScreeningFormPage):
    """A page about one concern; once saved, back to where the concern came from."""

    def load(self, concern_id: int) -> None:
        self.concern = get_object_or_404(
            Concern.objects.visible_to(self.request.user).select_related(
                "family",
                "contact",
                "category",
                "source_result__definition",
                "raised_by",
                "acknowledged_by",
                "closed_by",
                "entered_in_error_by",
            ),
            pk=concern_id,
        )

    def back_url(self) -> str:
        """Where the concern came from: its result, else its contact's step 2 page."""
        concern = self.concern
        if concern.source_result_id:
            return reverse("screening_result_detail", args=[concern.source_result_id])
        if concern.contact_id:
            return reverse("screening_start", args=[concern.contact_id])
        return reverse("family_detail", args=[concern.family_id])

    def cancel_url(self) -> str:
        return self.back_url()

    def success_url(self, result) -> str:
        return self.back_url()

    @property
    def needs_acknowledging(self) -> bool:
        return (
            self.concern.urgent
            and self.concern.acknowledged_at is None
            and not self.concern.is_entered_in_error
        )

    @property
    def may_close(self) -> bool:
        """Open, standing, and not an urgent concern still awaiting acknowledgement."""
        return (
            self.concern.closed_at is None
            and not self.concern.is_entered_in_error
            and not self.needs_acknowledging
        )

    def context(self) -> dict[str, Any]:
        return {
            "concern": self.concern,
            "family": self.concern.family,
            "contact": self.concern.contact,
            "back_url": self.back_url(),
            "may_close": self.may_close,
            "may_mark_entered_in_error": permissions.may_mark_entered_in_error(
                self.request.user, self.concern.family
            ),
        }


class AcknowledgeConcernView(_ConcernFormPage):
    """Record what was done about an urgent concern: by the family's HV or their team lead.

    For a concern that needs no acknowledging (any more), this is the concern's own page.
    """

    template_name = "screening/concern_acknowledge.html"
    form_class = AcknowledgeConcernForm
    success_message = "Urgent concern acknowledged"

    def has_form(self) -> bool:
        return self.needs_acknowledging

    def perform(self, form) -> Concern:
        return services.concern_acknowledge(
            actor=self.actor, concern=self.concern, **form.cleaned_data
        )


class CloseConcernView(_ConcernFormPage):
    """Close a concern that needs no more attention, saying why: the family's HV or team lead.

    An urgent concern is acknowledged, with the action taken, before it can be closed; until
    then this page says so and links to the acknowledgement instead of offering the form.
    """

    template_name = "screening/concern_close.html"
    form_class = CloseConcernForm
    success_message = "Concern closed"
    #: ``?from=family`` when the family page linked here, so saving goes back there. A fixed
    #: choice, never a URL taken from the request.
    FROM_FAMILY = "family"

    def back_url(self) -> str:
        if self.request.GET.get("from") == self.FROM_FAMILY:
            return reverse("family_detail", args=[self.concern.family_id])
        return super().back_url()

    def has_form(self) -> bool:
        return self.may_close

    def perform(self, form) -> Concern:
        return services.concern_close(actor=self.actor, concern=self.concern, **form.cleaned_data)
