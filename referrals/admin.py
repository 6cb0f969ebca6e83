"""The directory's reference lists, which have no pages of their own in the app: local
authorities, service categories (with the concerns they match) and interventions (with their
evidence). Nothing here is deleted, as services and referrals point at these rows."""

from django import forms
from django.contrib import admin

from attachment_app.admin_site import ReferenceListAdmin

from .models import Intervention, LocalAuthority, TaxonomyTerm


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(ReferenceListAdmin):
    """Local authorities and the postcode districts each covers, for services that serve one."""

    list_display = ["name", "code", "districts"]
    search_fields = ["name", "code"]

    @admin.display(description="Postcode districts")
    def districts(self, obj: LocalAuthority) -> str:
        return ", ".join(obj.postcode_districts)


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(ReferenceListAdmin):
    """Service categories; the concern categories decide which services are suggested."""

    list_display = ["name", "code", "vocabulary"]
    search_fields = ["name", "code"]
    fields = ["name", "code", "description", "vocabulary", "concern_categories"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Ten or so categories: checkboxes, which need no script, beat a multiple select.
        kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Intervention)
class InterventionAdmin(ReferenceListAdmin):
    """Interventions and the strength of their evidence, which orders suggestions."""

    list_display = ["name", "code", "evidence_level"]
    list_editable = ["evidence_level"]
    list_filter = ["evidence_level"]
    search_fields = ["name", "code"]
