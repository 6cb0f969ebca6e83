"""Who opened a family's record: for the team lead of the family's team, on a page and as CSV.

The report a family or the trust's information governance lead asks for. Everyone else gets a
404, as for any record they may not see. The page and its download are themselves logged
(the access-log middleware sees ``family_id`` in their URLs).
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from attachment_app import permissions
from attachment_app.audit import selectors as audit
from attachment_app.audit.models import AccessLog
from attachment_app.csv_export import csv_response
from attachment_app.form_page import PageView
from attachment_app.pagination import page_links

from .models import Family

ACCESSES_PER_PAGE = 50


class _FamilyAccessPage(PageView):
    """Team leads of the family's team only; a 404 for everyone else."""

    def load(self, family_id):
        user = self.request.user
        self.family = get_object_or_404(Family.objects.visible_to(user), pk=family_id)
        if not permissions.may_see_access_log(user, self.family):
            raise Http404("Team leads only")


class ShowFamilyAccessLogView(_FamilyAccessPage):
    """Who was shown this family's data, when and how, newest first."""

    template_name = "conversations/family_access_log.html"

    def get(self, request):
        accesses = audit.family_accesses(family_id=self.family.pk)
        page = Paginator(accesses, ACCESSES_PER_PAGE).get_page(request.GET.get("page"))
        return render(
            request,
            self.template_name,
            {
                "family": self.family,
                "page": page,
                "page_links": page_links(page),
                "rows": [audit.access_row(entry) for entry in page.object_list],
                "columns": audit.REPORT_COLUMNS,
            },
        )


class ExportFamilyAccessLogView(_FamilyAccessPage):
    """The same report as CSV, every row."""

    access_kind = AccessLog.Action.EXPORT

    def get(self, request):
        rows = (
            audit.access_row(entry).cells()
            for entry in audit.family_accesses(family_id=self.family.pk).iterator(chunk_size=2000)
        )
        stamp = timezone.localdate().strftime("%Y%m%d")
        return csv_response(
            f"family-{self.family.pk}-access-log-{stamp}.csv", audit.REPORT_COLUMNS, rows
        )
