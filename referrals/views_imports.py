"""The admin's pages for importing Open Referral UK feeds and files, and registering feeds.

Admins only, as every directory page: everyone else gets a 404. Every import runs in the
worker; its page shows "Checking…" until the report is there, then the report, and for a check
that refused nothing, the button that saves it.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from attachment_app.form_page import AdminOnlyMixin, FormPageView, PageView
from attachment_app.pagination import page_links, query_without

from .forms_imports import FeedForm, ImportForm
from .models import DirectoryFeed, DirectoryImport, Service
from .oruk.report import ACTIONS, Report
from .oruk.syncing import (
    directory_feed_save,
    directory_feed_sync_request,
    directory_import_check,
    directory_import_save,
)

IMPORTS_PER_PAGE = 25
FEEDS_PER_PAGE = 25
#: A feed can hold thousands of services: the report shows this many lines a page.
LINES_PER_PAGE = 100
RECENT_RUNS = 10

#: The colour of each outcome's tag, and of each line's action.
OUTCOME_COLOURS = {
    DirectoryImport.Outcome.RUNNING: "blue",
    DirectoryImport.Outcome.CHECKED: "aqua-green",
    DirectoryImport.Outcome.SAVED: "green",
    DirectoryImport.Outcome.REFUSED: "red",
    DirectoryImport.Outcome.FAILED: "red",
}
ACTION_COLOURS = {
    "created": "green",
    "changed": "blue",
    "unchanged": "grey",
    "refused": "red",
    "retired": "orange",
}
ACTION_LABELS = {
    "created": "New",
    "changed": "Changed",
    "unchanged": "Unchanged",
    "refused": "Refused",
    "retired": "Retired",
}


def _imports():
    return DirectoryImport.objects.select_related("feed", "requested_by").defer("upload")


# --- Importing --------------------------------------------------------------------------------


class StartDirectoryImportView(AdminOnlyMixin, FormPageView):
    """A feed's address or a JSON file, checked in the worker before anything is saved."""

    template_name = "referrals/directory_import_create.html"
    form_class = ImportForm
    submit = "Check the import"

    def make_form(self, data=None) -> forms.BaseForm:
        files = self.request.FILES if data is not None else None
        return ImportForm(data, files, initial=self.initial(), **self.form_kwargs())

    def cancel_url(self) -> str:
        return reverse("directory_import_list")

    def perform(self, form) -> DirectoryImport:
        upload = form.cleaned_data["upload"]
        return directory_import_check(
            actor=self.request.user,
            source=form.cleaned_data["source"],
            # One byte past the limit is enough to say the file is too big.
            upload=upload.read(settings.ORUK_FEED_MAX_BYTES + 1) if upload else None,
            file_name=upload.name if upload else "",
        )

    def success_url(self, result) -> str:
        return reverse("directory_import_detail", args=[result.pk])


class ShowDirectoryImportView(AdminOnlyMixin, FormPageView):
    """One import's report, a page of its services at a time; a check that refused nothing
    has the button that saves it (once: a check is confirmed once however often it is sent)."""

    template_name = "referrals/directory_import_detail.html"
    form_class = forms.Form
    submit = "Save these changes"

    def load(self, import_id: int) -> None:
        self.run = get_object_or_404(
            _imports().select_related("confirmed_as", "checked_first"), pk=import_id
        )

    def has_form(self) -> bool:
        run = self.run
        return (
            run.dry_run
            and run.outcome == DirectoryImport.Outcome.CHECKED
            and run.confirmed_as_id is None
        )

    def refuse(self):
        if self.request.method == "POST" and self.run.confirmed_as_id is not None:
            return redirect("directory_import_detail", self.run.confirmed_as_id)
        return None

    def form_kwargs(self) -> dict[str, Any]:
        return {}

    def perform(self, form) -> DirectoryImport:
        return directory_import_save(actor=self.request.user, checked=self.run)

    def success_url(self, result) -> str:
        return reverse("directory_import_detail", args=[result.pk])

    def context(self) -> dict[str, Any]:
        run = self.run
        running = run.outcome == DirectoryImport.Outcome.RUNNING
        report = None if running else Report.from_dict({"source": run.source, **run.report})
        context: dict[str, Any] = {
            "run": run,
            "running": running,
            "from_file": run.source.startswith("file:"),
            "outcome_colour": OUTCOME_COLOURS.get(run.outcome, "grey"),
            "report": report,
            "checked_first": getattr(run, "checked_first", None),
        }
        if report is not None:
            context.update(self._lines(report))
        return context

    def _lines(self, report: Report) -> dict[str, Any]:
        counts = report.counts()
        shown = self.request.GET.get("action", "")
        if shown not in ACTIONS:
            shown = ""
        lines = [line for line in report.services if not shown or line.action == shown]
        page = Paginator(lines, LINES_PER_PAGE).get_page(self.request.GET.get("page"))
        # The services the page's lines are, where they are in the directory: one query.
        ids = [line.source_id for line in page.object_list if line.action != "refused"]
        services = dict(
            Service.objects.filter(source=report.source, source_id__in=ids).values_list(
                "source_id", "pk"
            )
        )
        return {
            "counts": [(action, ACTION_LABELS[action], counts[action]) for action in ACTIONS],
            "shown": shown,
            "shown_label": ACTION_LABELS.get(shown, ""),
            "page": page,
            "page_links": page_links(page, query_without(self.request, "page")),
            "lines": [
                {
                    "line": line,
                    "label": ACTION_LABELS[line.action],
                    "colour": ACTION_COLOURS[line.action],
                    "service_id": services.get(line.source_id),
                }
                for line in page.object_list
            ],
            "unmapped_services": sum(line.unmapped for line in report.services),
        }


class ListDirectoryImportsView(AdminOnlyMixin, PageView):
    """Every import, newest first: from feeds on their schedule, by hand, and from files."""

    def get(self, request):
        page = Paginator(_imports(), IMPORTS_PER_PAGE).get_page(request.GET.get("page"))
        return render(
            request,
            "referrals/directory_import_list.html",
            {
                "page": page,
                "page_links": page_links(page, query_without(request, "page")),
                "rows": [_row(run) for run in page.object_list],
            },
        )


def _row(run: DirectoryImport) -> dict[str, Any]:
    counts = run.report.get("counts", {})
    return {
        "run": run,
        "colour": OUTCOME_COLOURS.get(run.outcome, "grey"),
        "counts": ", ".join(
            f"{counts[action]} {ACTION_LABELS[action].lower()}"
            for action in ACTIONS
            if counts.get(action)
        ),
    }


# --- Feeds ------------------------------------------------------------------------------------


class ListDirectoryFeedsView(AdminOnlyMixin, PageView):
    """The feeds the directory is kept in step with, and when each last ran."""

    def get(self, request):
        page = Paginator(DirectoryFeed.objects.all(), FEEDS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        latest = {}
        for run in (
            _imports()
            .filter(feed__in=list(page.object_list))
            .order_by("feed_id", "-started_at", "-pk")
            .distinct("feed_id")
        ):
            latest[run.feed_id] = _row(run)
        return render(
            request,
            "referrals/directory_feed_list.html",
            {
                "page": page,
                "page_links": page_links(page, query_without(request, "page")),
                "rows": [(feed, latest.get(feed.pk)) for feed in page.object_list],
            },
        )


class _FeedFormPageView(AdminOnlyMixin, FormPageView):
    form_class = FeedForm
    submit = "Save feed"

    def cancel_url(self) -> str:
        return reverse("directory_feed_list")

    def success_url(self, result) -> str:
        return reverse("directory_feed_update", args=[result.pk])

    def message(self, result) -> str:
        return f"{result.name} saved"


class CreateDirectoryFeedView(_FeedFormPageView):
    """Register a feed to sync on a schedule."""

    template_name = "referrals/directory_feed_create.html"

    def initial(self) -> dict[str, Any]:
        return {"schedule": DirectoryFeed.Schedule.DAILY, "notify": [self.request.user]}

    def perform(self, form) -> DirectoryFeed:
        return directory_feed_save(actor=self.request.user, feed=None, **form.cleaned_data)


def _feed(feed_id: int) -> DirectoryFeed:
    return get_object_or_404(DirectoryFeed, pk=feed_id)


class UpdateDirectoryFeedView(_FeedFormPageView):
    """A feed's name, address, schedule and who is told; its recent runs; "Sync now"."""

    template_name = "referrals/directory_feed_update.html"

    def load(self, feed_id: int) -> None:
        self.feed = _feed(feed_id)

    def initial(self) -> dict[str, Any]:
        return FeedForm.initial_for(self.feed)

    def perform(self, form) -> DirectoryFeed:
        copy = DirectoryFeed.objects.get(pk=self.feed.pk)
        return directory_feed_save(actor=self.request.user, feed=copy, **form.cleaned_data)

    def context(self) -> dict[str, Any]:
        # The "Sync now" button is the sync page's form, with its own submission key.
        sync_form = forms.Form()
        self.add_submission_key(sync_form)
        recent = _imports().filter(feed=self.feed)[:RECENT_RUNS]
        return {
            "feed": self.feed,
            "sync_form": sync_form,
            "recent": [_row(run) for run in recent],
        }


class SyncDirectoryFeedView(AdminOnlyMixin, FormPageView):
    """Sync a feed now, whatever its schedule: handed to the worker, under the feed's lock."""

    template_name = "referrals/directory_feed_sync.html"
    form_class = forms.Form

    def load(self, feed_id: int) -> None:
        self.feed = _feed(feed_id)

    def form_kwargs(self) -> dict[str, Any]:
        return {}

    def perform(self, form) -> DirectoryFeed:
        return directory_feed_sync_request(actor=self.request.user, feed=self.feed)

    def success_url(self, result) -> str:
        return reverse("directory_feed_update", args=[result.pk])

    def message(self, result) -> str:
        return (
            f"{result.name} is being synced. Its report will be listed under Recent runs: "
            "refresh the page to see it."
        )

    def context(self) -> dict[str, Any]:
        return {"feed": self.feed}
