from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "attachment_app.fhir"
    label = "fhir"
    verbose_name = "FHIR export"
