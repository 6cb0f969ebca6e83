"""Step 3 for health visitors and team leads: the services suggested for a family, a search of
the directory, one service seen for the family, and signposting.

The family comes through ``visible_to(request.user)`` before anything else, so another team's
family is a 404 for every method, admins included. Forms check shape; the services enforce the
rules. How each service replies to referrals (``response_figures``) is the service's record with
every team, counts and medians only, so it is read without ``visible_to``.
"""

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from attachment_app.form_page import FormPageView, PageView
from attachment_app.pagination import page_links, query_without
from conversations.models import Family

from . import selectors, services
from .eligibility import eligibility_problems
from .forms import DirectorySearchForm, SignpostForm
from .models import Service
from .response_figures import response_records
from .selectors_directory import directory_search, with_details

SERVICES_PER_PAGE = 20


def visible_family(user, family_id: int) -> Family:
    """The family, if it is on the user's team; a 404 otherwise."""
    return get_object_or_404(Family.objects.visible_to(user), pk=family_id)


def family_url(family: Family) -> str:
    return reverse("family_detail", args=[family.pk])


def services_url(family: Family) -> str:
    return reverse("family_services", args=[family.pk])


def directory_service(service_id: int) -> Service:
    """A service chosen from the directory, named by its id in the URL (not personal data)."""
    return get_object_or_404(with_details(Service.objects.all()), pk=service_id)


class FamilyFormPageView(FormPageView):
    """A step 3 form about one family; back to the family page once saved."""

    def load(self, *args: Any, **url_kwargs: Any) -> None:
        # A subclass's own load names the rest of its URL and calls this with family_id.
        self.family = visible_family(self.request.user, url_kwargs["family_id"])

    def cancel_url(self) -> str | None:
        return family_url(self.family)

    def success_url(self, result) -> str:
        return family_url(self.family)

    def context(self) -> dict[str, Any]:
        return {"family": self.family}


class ShowFamilyServicesView(PageView):
    """Services suggested by the family's concerns, and a search of the whole directory."""

    template_name = "referrals/family_services.html"

    def load(self, family_id: int) -> None:
        self.family = visible_family(self.request.user, family_id)

    def get(self, request):
        found = selectors.suggestions_for_family(
            user=request.user, family=self.family, today=timezone.localdate()
        )
        search_form = DirectorySearchForm(request.GET or None)
        page = links = None
        if search_form.is_bound and search_form.is_valid():
            results = directory_search(
                term=search_form.cleaned_data["term"],
                category=search_form.cleaned_data["category"],
            )
            page = Paginator(results, SERVICES_PER_PAGE).get_page(request.GET.get("page"))
            links = page_links(page, query_without(request, "page"))
        shown = [s.service.pk for group in found.groups for s in group.suggestions]
        if page is not None:
            shown += [service.pk for service in page.object_list]
        return render(
            request,
            self.template_name,
            {
                "family": self.family,
                "concerns": found.concerns,
                "facts": found.facts,
                "groups": found.groups,
                "search_form": search_form,
                "page": page,
                "page_links": links,
                # Each listed service's replies to every team's referrals: aggregates only.
                "replies": response_records(shown, now=timezone.now()),
            },
        )


class ShowFamilyServiceView(PageView):
    """One service, seen for one family: whether it takes them, and how to signpost or refer."""

    template_name = "referrals/family_service_detail.html"

    def load(self, family_id: int, service_id: int) -> None:
        self.family = visible_family(self.request.user, family_id)
        self.service = directory_service(service_id)

    def get(self, request):
        facts = selectors.family_facts(
            user=request.user, family=self.family, today=timezone.localdate()
        )
        records = response_records([self.service.pk], now=timezone.now())
        return render(
            request,
            self.template_name,
            {
                "family": self.family,
                "service": self.service,
                "problems": eligibility_problems(self.service, facts),
                "replies": records[self.service.pk],
                "back_url": services_url(self.family),
            },
        )


class CreateSignpostView(FamilyFormPageView):
    """Record information given to the parent, about a directory service or another resource."""

    form_class = SignpostForm
    template_name = "referrals/signpost_create.html"
    submit = "Record signposting"
    success_message = "Signposting recorded"

    def load(self, family_id: int) -> None:
        super().load(family_id=family_id)
        # The service comes in the query string, on the form's GET and its POST alike.
        service_id = self.request.GET.get("service")
        self.service = None
        if service_id:
            if not service_id.isdigit():
                raise Http404("No such service")
            self.service = get_object_or_404(Service.objects.all(), pk=int(service_id))

    def cancel_url(self) -> str:
        return services_url(self.family)

    def form_kwargs(self) -> dict[str, Any]:
        return {**super().form_kwargs(), "service": self.service}

    def initial(self) -> dict[str, Any]:
        return {"given_on": timezone.localdate()}

    def perform(self, form):
        data = form.cleaned_data
        return services.signpost_record(
            actor=self.request.user,
            family=self.family,
            service=self.service,
            resource_name=data.get("resource_name", ""),
            resource_url=data.get("resource_url", ""),
            given_on=data["given_on"],
            note=data["note"],
        )

    def context(self) -> dict[str, Any]:
        return {**super().context(), "service": self.service}
