"""The caseload and the family record: families, their parents and carers, their babies.

Views are thin: records come through ``visible_to(request.user)`` (another team's record is a
404), forms check the shape of the input and the services in ``services.py`` make every change.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from attachment_app import permissions
from attachment_app.audit.access import Kind, families_named_in, note_listed
from attachment_app.form_page import FormPageView
from attachment_app.pagination import page_links

from . import selectors, services
from .forms_families import (
    BabyForm,
    CaregiverForm,
    CaseloadFilterForm,
    CaseloadSearchForm,
    FamilyForm,
)
from .models import Baby, Caregiver, Family

#: Where the caseload search is kept between requests: in the session, never in the URL.
SEARCH_SESSION_KEY = "caseload_search"
FAMILIES_PER_PAGE = 25


class ShowCaseloadView(View):
    """The team's families, the user's own first; search (POST) and filters (GET)."""

    template_name = "conversations/caseload.html"

    def get(self, request):
        return self.render_caseload(CaseloadSearchForm(initial={"query": self.search_term}))

    def post(self, request):
        if request.POST.get("action") == "clear":
            request.session.pop(SEARCH_SESSION_KEY, None)
            return redirect(self.caseload_url())
        form = CaseloadSearchForm(request.POST)
        if not form.is_valid():
            return self.render_caseload(form)
        request.session[SEARCH_SESSION_KEY] = form.cleaned_data["query"]
        return redirect(self.caseload_url())

    @property
    def search_term(self) -> str:
        return self.request.session.get(SEARCH_SESSION_KEY, "")

    def filter_query(self) -> str:
        """The filters in the current query string, without the page number."""
        query = self.request.GET.copy()
        query.pop("page", None)
        return query.urlencode()

    def caseload_url(self) -> str:
        query = self.filter_query()
        return reverse("home") + (f"?{query}" if query else "")

    def render_caseload(self, search_form):
        user = self.request.user
        if not permissions.is_clinician(user):
            # Admins and users without a role see no families: say so rather than list nothing.
            return render(self.request, self.template_name, {"clinical": False})
        today = timezone.localdate()
        default = default_families(user, searching=bool(self.search_term))
        filter_form = CaseloadFilterForm({"families": default, **self.request.GET.dict()})
        filters = filter_form.filters(default=default)
        families = selectors.caseload_families(
            user=user, term=self.search_term, today=today, **filters
        )
        page = Paginator(families, FAMILIES_PER_PAGE).get_page(self.request.GET.get("page"))
        listed = list(page.object_list)
        notes = selectors.caseload_row_notes(user=user, families=listed, today=today)
        extras = selectors.home_page_extras(user=user)
        # The access log: which families this page showed; for a search, never the term.
        note_listed(
            self.request,
            families=[family.pk for family in listed] + sorted(families_named_in(extras)),
            kind=Kind.SEARCH if self.search_term else Kind.LIST,
        )
        return render(
            self.request,
            self.template_name,
            {
                "clinical": True,
                "search_form": search_form,
                "search_term": self.search_term,
                "filter_form": filter_form,
                "filters": filters,
                "filter_query": self.filter_query(),
                "page": page,
                "page_links": page_links(page, self.filter_query()),
                "rows": [
                    _caseload_row(family, today, notes.get(family.pk, [])) for family in listed
                ],
                **extras,
            },
        )


def default_families(user, *, searching: bool) -> str:
    """Which families the caseload lists until the user chooses.

    A health visitor starts on their own families, the ones they visit; a team lead on the
    whole team. A search looks across the whole team, so a colleague's family can be found
    to cover a visit.
    """
    if permissions.caseload_opens_on_own_families(user) and not searching:
        return selectors.MINE
    return selectors.TEAM


def _caseload_row(family: Family, today, notes: list) -> dict:
    return {
        "notes": notes,
        "family": family,
        "babies": [(baby, selectors.baby_age(baby, today)) for baby in family.babies.all()],
        "next_contact": selectors.next_contact(family, today),
        "unfinished": family.unfinished_conversations,
    }


class ShowFamilyView(View):
    """Everything about one family on one screen. Each opening is written to the access log."""

    template_name = "conversations/family_detail.html"

    def get(self, request, family_id):
        family = selectors.family_for_page(user=request.user, family_id=family_id)
        today = timezone.localdate()
        contacts = [
            {
                "contact": contact,
                "conversation": conversation,
                "state": _state(conversation),
            }
            for contact in selectors.contacts_in_record(family)
            for conversation in [selectors.conversation_of(contact)]
        ]
        extras = selectors.family_page_extras(user=request.user, family=family)
        entered_in_error = selectors.step_one_entered_in_error(family) + extras.pop(
            "entered_in_error"
        )
        return render(
            request,
            self.template_name,
            {
                "family": family,
                "babies": [(baby, selectors.baby_age(baby, today)) for baby in family.babies.all()],
                "next_contact": selectors.next_contact(family, today),
                "contacts": contacts,
                "caregivers": selectors.caregivers_in_record(family),
                "entered_in_error": entered_in_error,
                "may_mark_entered_in_error": permissions.may_mark_entered_in_error(
                    request.user, family
                ),
                "may_see_access_log": permissions.may_see_access_log(request.user, family),
                "may_export_record": permissions.may_export_record(request.user, family),
                "words_over_time": [
                    {
                        "conversation": conversation,
                        "contact_label": selectors.contact_type_label(
                            conversation.contact.contact_type
                        ),
                        "state": _state(conversation),
                    }
                    for conversation in selectors.words_over_time(family)
                ],
                **extras,
            },
        )


def _state(conversation) -> dict | None:
    if conversation is None:
        return None
    label, tag_class = selectors.CONVERSATION_STATES[conversation.state]
    return {"label": label, "tag_class": tag_class}


# --- Forms that change the family record ------------------------------------------------------


class _FamilyRecordPage(FormPageView):
    """A page that changes part of a family's record; back to the family page once saved."""

    family: Family

    def cancel_url(self) -> str:
        return reverse("family_detail", args=[self.family.pk])

    def success_url(self, result) -> str:
        return reverse("family_detail", args=[self.family.pk])

    def context(self) -> dict:
        return {"family": self.family, "record": getattr(self, "record", None)}


def _visible_family(request, family_id) -> Family:
    return get_object_or_404(Family.objects.visible_to(request.user), pk=family_id)


class CreateFamilyView(_FamilyRecordPage):
    """Add a family to the team's caseload."""

    form_class = FamilyForm
    template_name = "conversations/family_create.html"
    submit = "Add family"
    success_message = "Family added"

    def load(self):
        if not permissions.may_add_family(self.request.user):
            raise PermissionDenied("Only health visitors and team leads add families.")

    def cancel_url(self):
        return reverse("home")

    def success_url(self, result) -> str:
        return reverse("family_detail", args=[result.pk])

    def context(self) -> dict:
        return {"family": None, "record": None}

    def form_kwargs(self):
        return {**super().form_kwargs(), "team": self.request.user.team}

    def initial(self):
        user = self.request.user
        return {"named_hv": user.pk if permissions.named_hv_by_default(user) else None}

    def perform(self, form):
        return services.family_create(actor=self.request.user, **form.cleaned_data)


class UpdateFamilyView(_FamilyRecordPage):
    """Change a family's details or named health visitor."""

    form_class = FamilyForm
    template_name = "conversations/family_update.html"
    submit = "Save changes"
    success_message = "Family details updated"

    def load(self, family_id):
        self.family = _visible_family(self.request, family_id)

    def form_kwargs(self):
        return {**super().form_kwargs(), "team": self.family.team}

    def initial(self):
        fields = ["name", "address_line_1", "address_line_2", "town", "postcode", "area"]
        return {
            "named_hv": self.family.named_hv_id,
            **{field: getattr(self.family, field) for field in fields},
        }

    def perform(self, form):
        services.family_update(actor=self.request.user, family=self.family, **form.cleaned_data)


class CreateCaregiverView(_FamilyRecordPage):
    """Add a parent or carer to a family."""

    form_class = CaregiverForm
    template_name = "conversations/caregiver_create.html"
    submit = "Add parent or carer"
    success_message = "Parent or carer added"

    def load(self, family_id):
        self.family = _visible_family(self.request, family_id)

    def perform(self, form):
        services.caregiver_add(actor=self.request.user, family=self.family, **form.cleaned_data)


class UpdateCaregiverView(_FamilyRecordPage):
    """Change a parent's or carer's details."""

    form_class = CaregiverForm
    template_name = "conversations/caregiver_update.html"
    submit = "Save changes"
    success_message = "Parent or carer updated"

    def load(self, caregiver_id):
        self.caregiver = get_object_or_404(
            Caregiver.objects.visible_to(self.request.user).select_related("family"),
            pk=caregiver_id,
        )
        self.family = self.caregiver.family
        self.record = self.caregiver

    def initial(self):
        return {field: getattr(self.caregiver, field) for field in CaregiverForm.base_fields}

    def perform(self, form):
        services.caregiver_update(
            actor=self.request.user, caregiver=self.caregiver, **form.cleaned_data
        )


class CreateBabyView(_FamilyRecordPage):
    """Add a baby, born or expected, to a family."""

    form_class = BabyForm
    template_name = "conversations/baby_create.html"
    submit = "Add baby"
    success_message = "Baby added"

    def load(self, family_id):
        self.family = _visible_family(self.request, family_id)

    def perform(self, form):
        services.baby_add(actor=self.request.user, family=self.family, **form.cleaned_data)


class UpdateBabyView(_FamilyRecordPage):
    """Change a baby's details, for example the date of birth once born."""

    form_class = BabyForm
    template_name = "conversations/baby_update.html"
    submit = "Save changes"
    success_message = "Baby's details updated"

    def load(self, baby_id):
        self.baby = get_object_or_404(
            Baby.objects.visible_to(self.request.user).select_related("family"), pk=baby_id
        )
        self.family = self.baby.family
        self.record = self.baby

    def initial(self):
        return {field: getattr(self.baby, field) for field in BabyForm.base_fields}

    def perform(self, form):
        services.baby_update(actor=self.request.user, baby=self.baby, **form.cleaned_data)
