"""The admin's directory pages: list, search, add, change and retire services and organisations.

Admins only: everyone else gets a 404 for every method, as for the instrument pages. The
directory holds no personal data, so its search terms may go in the query string.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from attachment_app.nhsuk_forms.helpers import add_service_errors
from attachment_app.pagination import page_links, query_without

from .forms_directory import OrganizationForm, ServiceFilterForm, ServiceForm
from .models import Organization, Service
from .selectors_directory import (
    ASSURANCE_STALE_AFTER,
    directory_search,
    is_assurance_stale,
    with_details,
)
from .services_directory import organization_retire, organization_save, service_retire, service_save

SERVICES_PER_PAGE = 25
ORGANIZATIONS_PER_PAGE = 25


class _DirectoryAdminView(View):
    """Refuse everyone but admins with a 404, for any method, before anything is read."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_directory_admin:
            raise Http404("No such page.")
        self.load(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load(self, **kwargs) -> None:
        """Fetch what the page is about (after the role check)."""


def _stale_only_query(request) -> str:
    """The current filters, narrowed to the services whose assurance is out of date."""
    query = request.GET.copy()
    query.pop("page", None)
    query["stale_only"] = "on"
    return query.urlencode()


# --- Services ---------------------------------------------------------------------------------


class ListServicesView(_DirectoryAdminView):
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


class _ServiceView(_DirectoryAdminView):
    """A page about one service, with everything its record shows."""

    def load(self, service_id):
        self.service = get_object_or_404(with_details(Service.objects.all()), pk=service_id)

    def detail_url(self) -> str:
        return reverse("directory_service_detail", args=[self.service.pk])


class ShowServiceView(_ServiceView):
    """One service as its record stands, with links to change or retire it."""

    def get(self, request, service_id):
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


class _ServiceFormMixin:
    template_name = ""

    def save(self, form: ServiceForm, service: Service | None):
        """Save through the service; on refusal, put its errors on the form and return None."""
        try:
            return service_save(actor=self.request.user, service=service, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
            return None

    def render_form(self, form: ServiceForm, **context):
        return render(self.request, self.template_name, {"form": form, **context})


class CreateServiceView(_ServiceFormMixin, _DirectoryAdminView):
    """Add a service to the directory."""

    template_name = "referrals/directory_service_create.html"

    def get(self, request):
        return self.render_form(
            ServiceForm(
                initial={"status": Service.Status.ACTIVE, "accepts_referrals": True},
                cancel_url=reverse("directory_service_list"),
            )
        )

    def post(self, request):
        form = ServiceForm(request.POST, cancel_url=reverse("directory_service_list"))
        if form.is_valid():
            service = self.save(form, None)
            if service is not None:
                messages.success(request, f"{service.name} added to the directory")
                return redirect("directory_service_detail", service.pk)
        return self.render_form(form)


class UpdateServiceView(_ServiceFormMixin, _ServiceView):
    """Change a service's details, categories, interventions and areas."""

    template_name = "referrals/directory_service_update.html"

    def get(self, request, service_id):
        return self.render_form(
            ServiceForm(
                initial=ServiceForm.initial_for(self.service),
                service=self.service,
                cancel_url=self.detail_url(),
            ),
            service=self.service,
        )

    def post(self, request, service_id):
        form = ServiceForm(request.POST, service=self.service, cancel_url=self.detail_url())
        if form.is_valid():
            # A copy, so a refused change leaves the page's heading as the service was.
            saved = self.save(form, Service.objects.get(pk=self.service.pk))
            if saved is not None:
                messages.success(request, f"{saved.name} saved")
                return redirect("directory_service_detail", saved.pk)
        return self.render_form(form, service=self.service)


class RetireServiceView(_ServiceView):
    """Ask, then retire a service: past referrals keep it, new ones cannot choose it."""

    def get(self, request, service_id):
        if self.service.status == Service.Status.DEFUNCT:
            return redirect(self.detail_url())
        return render(request, "referrals/directory_service_retire.html", {"service": self.service})

    def post(self, request, service_id):
        if self.service.status != Service.Status.DEFUNCT:
            service_retire(actor=request.user, service=self.service)
            messages.success(request, f"{self.service.name} retired")
        return redirect(self.detail_url())


# --- Organisations ----------------------------------------------------------------------------


class ListOrganizationsView(_DirectoryAdminView):
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


class _OrganizationView(_DirectoryAdminView):
    def load(self, organization_id):
        self.organization = get_object_or_404(Organization, pk=organization_id)


class _OrganizationFormMixin:
    template_name = ""

    def save(self, form: OrganizationForm, organization: Organization | None):
        try:
            return organization_save(
                actor=self.request.user, organization=organization, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return None

    def render_form(self, form: OrganizationForm, **context):
        return render(self.request, self.template_name, {"form": form, **context})


class CreateOrganizationView(_OrganizationFormMixin, _DirectoryAdminView):
    """Add an organisation that runs services."""

    template_name = "referrals/directory_organization_create.html"

    def get(self, request):
        return self.render_form(OrganizationForm(cancel_url=reverse("directory_organization_list")))

    def post(self, request):
        form = OrganizationForm(request.POST, cancel_url=reverse("directory_organization_list"))
        if form.is_valid():
            organization = self.save(form, None)
            if organization is not None:
                messages.success(request, f"{organization.name} added")
                return redirect("directory_organization_list")
        return self.render_form(form)


class UpdateOrganizationView(_OrganizationFormMixin, _OrganizationView):
    """Change an organisation's details."""

    template_name = "referrals/directory_organization_update.html"

    def get(self, request, organization_id):
        return self.render_form(
            OrganizationForm(
                initial=OrganizationForm.initial_for(self.organization),
                cancel_url=reverse("directory_organization_list"),
            ),
            organization=self.organization,
        )

    def post(self, request, organization_id):
        form = OrganizationForm(request.POST, cancel_url=reverse("directory_organization_list"))
        if form.is_valid():
            saved = self.save(form, Organization.objects.get(pk=self.organization.pk))
            if saved is not None:
                messages.success(request, f"{saved.name} saved")
                return redirect("directory_organization_list")
        return self.render_form(form, organization=self.organization)


class RetireOrganizationView(_OrganizationView):
    """Ask, then retire an organisation: none of its services can be chosen for new referrals."""

    def get(self, request, organization_id):
        if self.organization.retired_at is not None:
            return redirect("directory_organization_list")
        running = self.organization.services.exclude(status=Service.Status.DEFUNCT).order_by(
            "name", "pk"
        )
        return render(
            request,
            "referrals/directory_organization_retire.html",
            {"organization": self.organization, "running": running},
        )

    def post(self, request, organization_id):
        if self.organization.retired_at is None:
            organization_retire(actor=request.user, organization=self.organization)
            messages.success(request, f"{self.organization.name} retired")
        return redirect("directory_organization_list")
