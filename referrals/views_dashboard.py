"""The team dashboard and its CSV exports, for team leads (their team) and health visitors
(their own caseload). Admins and users without a clinical role get a 404.

Every figure comes from the ``dashboard`` package, which reads through ``visible_to(user)``. Every
export writes a row to the access log, saying what was exported and for which period.
"""

import hashlib
from typing import cast

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views import View

from attachment_app import permissions
from attachment_app.accounts.models import User
from attachment_app.accounts.second_factor import require_fresh_second_factor
from attachment_app.audit.access import Kind, families_named_in, note_listed
from attachment_app.csv_export import csv_response

from . import dashboard
from .forms_dashboard import DashboardPeriodForm, ReferralExportForm


class _DashboardView(View):
    """Only health visitors and team leads; everyone else is told there is nothing here."""

    def dispatch(self, request, *args, **kwargs):
        if not dashboard.may_see_dashboard(request.user):
            raise Http404("No dashboard for this account")
        self.today = timezone.localdate()
        self.period_form = DashboardPeriodForm(
            request.GET, today=self.today, action=reverse("dashboard")
        )
        return super().dispatch(request, *args, **kwargs)

    def export_query(self) -> str:
        """The period's parameters, for links to the exports."""
        query = self.request.GET.copy()
        query.pop("nhs_numbers", None)
        return query.urlencode()


class ShowDashboardView(_DashboardView):
    """What needs attention now, the figures for the chosen period with their charts, and how
    the services the period's referrals went to reply.

    What needs attention is read on every request. The period's figures are counts over
    months: they are worked out once for the team (or the health visitor's caseload), the
    period and the day, and kept for ``DASHBOARD_FIGURES_SECONDS`` (a few minutes), so the
    dashboard costs the same whether the team has 200 families or 20,000. The page says when
    they were worked out.
    """

    template_name = "referrals/dashboard.html"

    def get(self, request):
        period = self.period_form.period_chosen()
        now = timezone.now()
        attention = dashboard.needs_attention(user=request.user, now=now)
        note_listed(request, families=families_named_in(attention))
        return render(
            request,
            self.template_name,
            {
                "form": self.period_form,
                "period": period,
                "scope": dashboard.scope_label(request.user),
                "attention": attention,
                "figures_section": self.figures_section(period, now),
                "export_query": self.export_query(),
                "export_params": [
                    (key, value)
                    for key, values in request.GET.lists()
                    if key != "nhs_numbers"
                    for value in values
                ],
                "export_form": ReferralExportForm()
                if permissions.may_export_referral_list(request.user)
                else None,
                "now": now,
            },
        )

    def figures_section(self, period, now) -> dict:
        """The period's figures as HTML with the contents' links, from the cache when they
        were worked out in the last few minutes for the same people, period and day."""
        user = cast(User, self.request.user)
        seconds = settings.DASHBOARD_FIGURES_SECONDS
        scope = f"team-{user.team_id}" if permissions.sees_team_figures(user) else f"hv-{user.pk}"
        query = hashlib.sha256(self.export_query().encode()).hexdigest()[:16]
        key = f"dashboard-figures:{scope}:{period.start}:{period.end}:{self.today}:{query}"

        def work_out() -> dict:
            figures = dashboard.all_figures(user=user, period=period, today=self.today)
            html = render_to_string(
                "referrals/dashboard_figures.html",
                {
                    "figures": figures,
                    "service_replies": dashboard.service_replies(user=user, period=period, now=now),
                    "period": period,
                    "export_query": self.export_query(),
                    "worked_out_at": now,
                    "refresh_minutes": max(1, seconds // 60),
                },
                request=self.request,
            )
            return {"links": [(f.slug, f.title) for f in figures], "html": str(html)}

        section: dict = (
            cache.get_or_set(key, work_out, seconds) if seconds else None
        ) or work_out()
        return {"links": section["links"], "html": mark_safe(section["html"])}  # noqa: S308 - our own template's output


def _record_export(request, what: str, period, families=()) -> None:
    """Tell the access log what was exported; its middleware writes the row."""
    scope = "team" if permissions.sees_team_figures(request.user) else "own caseload"
    note_listed(
        request,
        families=families,
        kind=Kind.EXPORT,
        detail=f"Dashboard {what}, {scope}, {period.start:%Y-%m-%d} to {period.end:%Y-%m-%d}",
    )


class ExportDashboardFigureView(_DashboardView):
    """One figure for the period as CSV: the same rows as its table on the page."""

    def get(self, request, slug):
        if slug not in dashboard.FIGURES:
            raise Http404("No such figure")
        if self.period_form.is_bound and not self.period_form.is_valid():
            return HttpResponseBadRequest("The period is not valid.")
        period = self.period_form.period_chosen()
        found = dashboard.figure(slug, user=request.user, period=period, today=self.today)
        _record_export(request, f"figure {slug}", period)
        return csv_response(
            f"{slug}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv", found.columns, found.rows
        )


class ExportDashboardReferralListView(_DashboardView):
    """The period's referrals as CSV: ids, services, statuses and dates, never notes.

    Babies' NHS numbers are added only when a team lead ticks the box for them.
    """

    def get(self, request):
        if self.period_form.is_bound and not self.period_form.is_valid():
            return HttpResponseBadRequest("The period is not valid.")
        period = self.period_form.period_chosen()
        options = ReferralExportForm(request.GET)
        with_nhs_numbers = bool(
            permissions.may_export_referral_list(request.user)
            and options.is_valid()
            and options.cleaned_data["nhs_numbers"]
        )
        if with_nhs_numbers:
            # NHS numbers leave the service: the second factor again if not given recently.
            require_fresh_second_factor(request)
        rows = dashboard.referral_list(
            user=request.user, period=period, with_nhs_numbers=with_nhs_numbers
        )
        header = list(dashboard.REFERRAL_LIST_COLUMNS)
        if with_nhs_numbers:
            header.append("Babies' NHS numbers")
        _record_export(
            request,
            "referral list with NHS numbers" if with_nhs_numbers else "referral list",
            period,
            # The families the list names, by one query (the rows themselves are streamed).
            families=dashboard.referral_cohort(user=request.user, period=period)
            .order_by()
            .values_list("family_id", flat=True)
            .distinct(),
        )
        return csv_response(
            f"referrals-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv",
            header,
            rows.iterator(chunk_size=2000),
        )
