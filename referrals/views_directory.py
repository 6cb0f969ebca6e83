"""The admin's directory pages: list, search, add, change and retire services and organisations.

Admins only: everyone else gets a 404 for every method, as for the instrument pages. The
directory holds no personal data, so its search terms may go in the query string.
"""

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from attachment_app.form_page import AdminOnlyMixin, FormPageView, PageView
from attachment_app.pagination import page_links, query_without

from .forms_directory import OrganizationForm, ServiceFilterForm, ServiceForm
from .models import Organization, Service
from .selectors_directory import (
    ASSURANCE_STALE_AFTER,
    directory_search,
    is_assurance_stale,
    with_details,
)
from .services_directory import (
    organization_retire,
    organization_save,
    service_retire,
    service_save,
)

SERVICES_PER_PAGE = 25
ORGANIZATIONS_PER_PAGE = 25


def _stale_only_query(request) -> str:
    """The current filters, narrowed to the services whose assurance is out of date."""
    query = request.GET.copy()
    query.pop("page", None)
    query["stale_only"] = "on"
    return query.urlencode()


# --- Services ---------------------------------------------------------------------------------


class ListServicesView(AdminOnlyMixin, PageView):
    """Every service, searchable, with those whose details have not been assured for a year."""

    def get(self, request):
        form = ServiceFilterForm(request.GET)
        filters = form.filters()
        today = timezone.localdate()
        services = directory_search(
            term=filters["term"], category=filters["category"], include_retired=True
        )
        if not filters["include_retired"]:
            services = services.exclude(status=Service.Status.DEFUNCT)
        # The same test as is_assurance_stale, in SQL, for the count over every page.
        stale = Q(assured_date__isnull=True) | Q(assured_date__lt=today - ASSURANCE_STALE_AFTER)
        stale_count = services.filter(stale).count()
        if filters["stale_only"]:
            services = services.filter(stale)
        page = Paginator(services, SERVICES_PER_PAGE).get_page(request.GET.get("page"))
        query = query_without(request, "page")
        return render(
            request,
            "referrals/directory_service_list.html",
            {
                "filter_form": form,
                "filters": filters,
                "filtered": any(filters.values()),
                "page": page,
                "page_links": page_links(page, query),
                "rows": [
                    {"service": service, "stale": is_assurance_stale(service, today)}
                    for service in page.object_list
                ],
                "stale_count": stale_count,
                "stale_only_query": _stale_only_query(request),
            },
        )


def _service(service_id: int) -> Service:
    """A service with everything its record shows."""
    return get_object_or_404(with_details(Service.objects.all()), pk=service_id)


class _ServicePageView(AdminOnlyMixin, PageView):
    """A page about one service."""

    def load(self, service_id: int) -> None:
        self.service = _service(service_id)

    def detail_url(self) -> str:
        return reverse("directory_service_detail", args=[self.service.pk])


class ShowServiceView(_ServicePageView):
    """One service as its record stands, with links to change or retire it."""

    def get(self, request):
        return render(
            request,
            "referrals/directory_service_detail.html",
            {
                "service": self.service,
                "stale": is_assurance_stale(self.service, timezone.localdate()),
                "retired": self.service.status == Service.Status.DEFUNCT,
                "subjects": [
                    Service.Subject(value).label for value in self.service.referral_subjects
                ],
            },
        )


class _ServiceFormPageView(AdminOnlyMixin, FormPageView):
    """The service form, saved through ``service_save``; its errors go on their own fields."""

    form_class = ServiceForm
    submit = "Save service"

    def show_errors(self, form, error) -> None:
        form.add_service_errors(error)

    def success_url(self, result) -> str:
        return reverse("directory_service_detail", args=[result.pk])


class CreateServiceView(_ServiceFormPageView):
    """Add a service to the directory."""

    template_name = "referrals/directory_service_create.html"

    def initial(self) -> dict[str, Any]:
        return {"status": Service.Status.ACTIVE, "accepts_referrals": True}

    def cancel_url(self) -> str:
        return reverse("directory_service_list")

    def perform(self, form):
        return service_save(actor=self.request.user, service=None, **form.cleaned_data)

    def message(self, result) -> str:
        return f"{result.name} added to the directory"


class UpdateServiceView(_ServiceFormPageView):
    """Change a service's details, categories, interventions and areas."""

    template_name = "referrals/directory_service_update.html"

    def load(self, service_id: int) -> None:
        self.service = _service(service_id)

    def initial(self) -> dict[str, Any]:
        return ServiceForm.initial_for(self.service)

    def form_kwargs(self) -> dict[str, Any]:
        return {**super().form_kwargs(), "service": self.service}

    def cancel_url(self) -> str:
        return reverse("directory_service_detail", args=[self.service.pk])

    def perform(self, form):
        # A copy, so a refused change leaves the page's heading as the service was.
        copy = Service.objects.get(pk=self.service.pk)
        return service_save(actor=self.request.user, service=copy, **form.cleaned_data)

    def message(self, result) -> str:
        return f"{result.name} saved"

    def context(self) -> dict[str, Any]:
        return {"service": self.service}


class RetireServiceView(AdminOnlyMixin, FormPageView):
    """Ask, then retire a service: past referrals keep it, new ones cannot choose it.

    A form with no fields but its submission key; a service already retired goes to its page.
    """

    template_name = "referrals/directory_service_retire.html"
    form_class = forms.Form

    def load(self, service_id: int) -> None:
        self.service = _service(service_id)

    def detail_url(self) -> str:
        return reverse("directory_service_detail", args=[self.service.pk])

    def refuse(self):
        if self.service.status == Service.Status.DEFUNCT:
            return redirect(self.detail_url())
        return None

    def form_kwargs(self) -> dict[str, Any]:
        return {}

    def perform(self, form) -> Service:
        return service_retire(actor=self.request.user, service=self.service)

    def success_url(self, result) -> str:
        return self.detail_url()

    def message(self, result) -> str:
        return f"{result.name} retired"

    def context(self) -> dict[str, Any]:
        return {"service": self.service}


# --- Organisations ----------------------------------------------------------------------------


class ListOrganizationsView(AdminOnlyMixin, PageView):
    """Every organisation, running ones first, with how many services each still runs."""

    def get(self, request):
        organizations = Organization.objects.annotate(
            service_count=Count("services", filter=~Q(services__status=Service.Status.DEFUNCT))
        ).order_by(F("retired_at").asc(nulls_first=True), "name", "pk")
        page = Paginator(organizations, ORGANIZATIONS_PER_PAGE).get_page(request.GET.get("page"))
        return render(
            request,
            "referrals/directory_organization_list.html",
            {"page": page, "page_links": page_links(page, query_without(request, "page"))},
        )


def _organization(organization_id: int) -> Organization:
    return get_object_or_404(Organization, pk=organization_id)


class _OrganizationFormPageView(AdminOnlyMixin, FormPageView):
    """The organisation form, saved through ``organization_save``; back to the list once saved."""

    form_class = OrganizationForm
    submit = "Save organisation"

    def cancel_url(self) -> str:
        return reverse("directory_organization_list")

    def success_url(self, result) -> str:
        return reverse("directory_organization_list")


class CreateOrganizationView(_OrganizationFormPageView):
    """Add an organisation that runs services."""

    template_name = "referrals/directory_organization_create.html"

    def perform(self, form):
        return organization_save(actor=self.request.user, organization=None, **form.cleaned_data)

    def message(self, result) -> str:
        return f"{result.name} added"


class UpdateOrganizationView(_OrganizationFormPageView):
    """Change an organisation's details."""

    template_name = "referrals/directory_organization_update.html"

    def load(self, organization_id: int) -> None:
        self.organization = _organization(organization_id)

    def initial(self) -> dict[str, Any]:
        return OrganizationForm.initial_for(self.organization)

    def perform(self, form):
        # A copy, so a refused change leaves the page's heading as the organisation was.
        copy = Organization.objects.get(pk=self.organization.pk)
        return organization_save(actor=self.request.user, organization=copy, **form.cleaned_data)

    def message(self, result) -> str:
        return f"{result.name} saved"

    def context(self) -> dict[str, Any]:
        return {"organization": self.organization}


class RetireOrganizationView(AdminOnlyMixin, FormPageView):
    """Ask, then retire an organisation: none of its services can be chosen for new referrals.

    A form with no fields but its submission key; one already retired goes back to the list.
    """

    template_name = "referrals/directory_organization_retire.html"
    form_class = forms.Form

    def load(self, organization_id: int) -> None:
        self.organization = _organization(organization_id)

    def refuse(self):
        if self.organization.retired_at is not None:
            return redirect("directory_organization_list")
        return None

    def form_kwargs(self) -> dict[str, Any]:
        return {}

    def perform(self, form) -> Organization:
        return organization_retire(actor=self.request.user, organization=self.organization)

    def success_url(self, result) -> str:
        return reverse("directory_organization_list")

    def message(self, result) -> str:
        return f"{result.name} retired"

    def context(self) -> dict[str, Any]:
        running = self.organization.services.exclude(status=Service.Status.DEFUNCT).order_by(
            "name", "pk"
        )
        return {"organization": self.organization, "running": running}
