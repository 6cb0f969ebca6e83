"""A team lead's bulk FHIR export: ask for one, watch it being built, download its files.

Team leads only: everyone else gets a 404 on every page, for any method, before anything is
read. An export is seen by the team lead who asked for it and nobody else (another team lead of
the same team gets a 404 too): every fetch goes through ``visible_to``. Asking and downloading
need the second factor within the last few minutes. Each file can be downloaded once; each
download is written to the access log as an export naming the families in the file.
"""

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from attachment_app import permissions
from attachment_app.accounts.second_factor import FreshSecondFactorMixin
from attachment_app.audit.access import Kind, note_listed
from attachment_app.form_page import FormPageView, PageView

from . import bulk
from .forms_bulk import BulkExportForm
from .models import BulkExport, BulkExportFile

#: The exports listed on the team lead's page: the recent ones (older ones have expired).
RECENT_EXPORTS = 20
#: What the "changed since" date is, unless the team lead types another.
DEFAULT_MONTHS_BACK = 3

STATUS_COLOURS: dict[str, str] = {
    BulkExport.Status.QUEUED: "grey",
    BulkExport.Status.RUNNING: "blue",
    BulkExport.Status.DONE: "green",
    BulkExport.Status.FAILED: "red",
}


class TeamLeadOnlyMixin:
    """Everyone who may not export the team's records gets a 404, before anything is read."""

    def dispatch(self, request, *args, **kwargs):
        if not permissions.may_bulk_export(request.user):
            raise Http404("No exports for this account")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def _exports(user):
    return BulkExport.objects.visible_to(user).defer("family_ids")


def _files(export: BulkExport):
    return export.files.defer("content", "family_ids")


def _number(count: int) -> str:
    """``5,000``: a count as the NHS.UK style writes it."""
    return f"{count:,}"


def _export_row(export: BulkExport) -> dict[str, Any]:
    expired = export.purged_at is not None or export.expires_at <= timezone.now()
    if expired and export.status == BulkExport.Status.DONE:
        label, colour = "Files deleted", "grey"
    else:
        label, colour = export.get_status_display(), STATUS_COLOURS.get(export.status, "grey")
    return {"export": export, "status_label": label, "colour": colour, "expired": expired}


class ListBulkExportsView(TeamLeadOnlyMixin, PageView):
    """The team lead's recent exports, newest first, and the way to ask for another."""

    def get(self, request):
        exports = _exports(request.user)[:RECENT_EXPORTS]
        return render(
            request,
            "fhir/bulk_export_list.html",
            {
                "rows": [_export_row(export) for export in exports],
                "create_url": reverse("fhir:bulk_export_create"),
                "keep_hours": settings.FHIR_BULK_EXPORT_KEEP_HOURS,
            },
        )


class RequestBulkExportView(TeamLeadOnlyMixin, FreshSecondFactorMixin, FormPageView):
    """The day from which the team's changed families are exported; built in the worker."""

    template_name = "fhir/bulk_export_create.html"
    form_class = BulkExportForm
    submit = "Ask for the export"

    def initial(self) -> dict[str, Any]:
        since: date = timezone.localdate() - relativedelta(months=DEFAULT_MONTHS_BACK)
        return {"since": since}

    def cancel_url(self) -> str:
        return reverse("fhir:bulk_export_list")

    def perform(self, form) -> BulkExport:
        return bulk.bulk_export_request(actor=self.request.user, since=form.cleaned_data["since"])

    def success_url(self, result) -> str:
        return reverse("fhir:bulk_export_detail", args=[result.pk])

    def context(self) -> dict[str, Any]:
        return {"keep_hours": settings.FHIR_BULK_EXPORT_KEEP_HOURS}


class ShowBulkExportView(TeamLeadOnlyMixin, PageView):
    """One export: its progress while it is built, then its files to download, each once."""

    def load(self, export_id: int) -> None:
        self.export = get_object_or_404(_exports(self.request.user), pk=export_id)

    def get(self, request):
        export = self.export
        now = timezone.now()
        files = [
            {
                "file": export_file,
                "lines": _number(export_file.line_count),
                "gone": bulk.gone_reason(export_file, now),
            }
            for export_file in _files(export)
        ]
        total = export.families_total
        resources = sum(row["file"].line_count for row in files)
        return render(
            request,
            "fhir/bulk_export_detail.html",
            {
                **_export_row(export),
                "files": files,
                "families_done": _number(export.families_done),
                "families_total": _number(total or 0),
                "percent": (100 * export.families_done // total) if total else None,
                "resources": _number(resources),
                "resource_count": resources,
                "keep_hours": settings.FHIR_BULK_EXPORT_KEEP_HOURS,
            },
        )


class DownloadBulkExportFileView(TeamLeadOnlyMixin, FreshSecondFactorMixin, PageView):
    """One file of an export, once: the NDJSON of one resource type. A second attempt, or one
    after the export's time is up, is a page saying so (410 Gone)."""

    # A HEAD would use up the one download without the file.
    http_method_names = ["get"]

    def load(self, export_id: int, file_id: int) -> None:
        self.export_file = get_object_or_404(
            BulkExportFile.objects.visible_to(self.request.user)
            .select_related("export")
            .defer("content", "export__family_ids"),
            pk=file_id,
            export_id=export_id,
        )

    def get(self, request):
        export_file = self.export_file
        try:
            content = bulk.bulk_export_file_take(actor=request.user, export_file=export_file)
        except bulk.FileGone as gone:
            return render(
                request,
                "fhir/bulk_export_file_gone.html",
                {
                    "export": export_file.export,
                    "file": export_file,
                    "reason": gone.reason,
                    "keep_hours": settings.FHIR_BULK_EXPORT_KEEP_HOURS,
                },
                status=410,
            )
        note_listed(
            request,
            families=export_file.family_ids,
            kind=Kind.EXPORT,
            record=export_file.export.team,
            detail=f"FHIR bulk export {export_file.export_id}: {export_file.resource_type} file",
        )
        response = StreamingHttpResponse(content, content_type=BulkExportFile.CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{export_file.file_name}"'
        return response
