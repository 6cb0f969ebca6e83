"""One page with one form: the shape of every page in the product that changes something.

A page says what it is about and what its form does; :class:`FormPageView` does the rest, the
same way everywhere (ADR 0008):

- ``load(**url_kwargs)`` fetches what the page is about, scoped to the user, before anything
  else and for every method, so another team's record is a 404 whatever is sent;
- ``refuse()`` may answer instead of the form when the page cannot be used now (consent not
  given, already closed); it is asked on GET and on POST alike;
- ``form_class``, ``form_kwargs()`` and ``initial()`` make the form; ``cancel_url()`` and
  ``submit`` go to the form's buttons;
- ``perform(form)`` makes the change through one service call and returns what it made;
- ``success_url(result)`` and ``success_message`` (or ``message(result)``) say where to go next;
- ``context()`` adds what else the template shows.

One place turns what a service refuses into the right answer: a ``ValidationError`` is shown on
the form with what was typed; :class:`ConsentRequired` and a stale record (someone changed it
first) have their own hooks; ``PermissionDenied`` is a 403 page, never a form error. One place
shows again what was typed before a session timeout (``typed_input``).

One place applies each submission once (ADR 0011): every form is shown with a submission key,
and :meth:`FormPageView.submit_form` makes the change in the same transaction that records the
key, so the same form sent again (a double press, Back then Save, a resend when the connection
returns) is answered with what the first one made. Pages where a parent is talking set
``keeps_drafts``: the browser keeps a draft of them as the user types, offered when they return.
"""

import uuid
from typing import Any

from crispy_forms.layout import Field
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from attachment_app import permissions
from attachment_app.accounts.models import User
from attachment_app.accounts.typed_input import take_typed_input
from attachment_app.errors import ConsentRequired, StaleRecord
from attachment_app.formatting import format_time
from attachment_app.nhsuk_forms.helpers import add_service_errors
from attachment_app.submissions import services as submissions
from attachment_app.submissions.models import Draft, Submission

KEY_FIELD = submissions.KEY_FIELD
ALREADY_SAVED = "This was already saved at {time}. It has not been saved a second time."
CHANGED_AFTER_SAVE = (
    "You already saved this form at {time}. What you changed since has not been saved: "
    "check it, then save again to record it as well."
)


class SignedInRequest(HttpRequest):
    """A request to a page behind sign-in (``LoginRequiredMiddleware``): its user is a User."""

    user: User


class PageView(View):
    """A page about something fetched once, in scope, before any method runs."""

    request: SignedInRequest

    def dispatch(self, request, *args, **kwargs):
        self.load(**kwargs)
        return super().dispatch(request)

    def load(self, *args: Any, **url_kwargs: Any) -> None:
        """Fetch (scoped to ``self.request.user``) what the page is about."""


class AdminOnlyMixin:
    """Everyone but an admin gets a 404, for any method, before anything is read."""

    def dispatch(self, request, *args, **kwargs):
        if not permissions.is_admin(request.user):
            raise Http404("No such page.")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class ClinicianOnlyMixin:
    """Everyone but a health visitor or team lead (admins too) gets a 404, before anything is
    read: for the team's lists, which show families."""

    def dispatch(self, request, *args, **kwargs):
        if not permissions.is_clinician(request.user):
            raise Http404("No families for this account")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class FormPageView(PageView):
    """A page with one form that calls one service. See the module docstring for the hooks."""

    template_name = ""
    form_class: type[forms.BaseForm] | None = None
    #: The form's main button.
    submit = "Save"
    success_message = ""
    #: Set when the form was filled in from what was typed before a session timeout.
    restored = False
    #: True on pages where a parent is talking: the browser keeps a draft as the user types.
    keeps_drafts = False
    #: The user's draft of this page, offered on the page (or in use when ``?draft=use``).
    draft: Draft | None = None
    draft_in_use = False
    #: The earlier submission of this form, when changed answers came with its key.
    saved_before: Submission | None = None

    def refuse(self) -> HttpResponse | None:
        """A response instead of the form when the page cannot be used now."""
        return None

    def has_form(self) -> bool:
        """False for a page that is shown without its form now (a concern already closed)."""
        return True

    # --- The form ---------------------------------------------------------------------------

    def initial(self) -> dict[str, Any]:
        return {}

    def cancel_url(self) -> str | None:
        return None

    def form_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for the form, besides its data and initial values."""
        kwargs: dict[str, Any] = {"submit": self.submit}
        cancel_url = self.cancel_url()
        if cancel_url is not None:
            kwargs["cancel_url"] = cancel_url
        return kwargs

    def make_form(self, data=None) -> forms.BaseForm:
        if self.form_class is None:
            raise NotImplementedError(f"{type(self).__name__} names no form_class")
        return self.form_class(data, initial=self.initial(), **self.form_kwargs())

    def form_for(self, data=None, draft: Draft | None = None) -> forms.BaseForm:
        """The page's form (``make_form``) with its submission key, and a draft's values."""
        form = self.make_form(data)
        if draft is not None:
            form.initial = {**form.initial, **self.draft_initial(form, draft)}
        self.add_submission_key(form)
        return form

    def add_submission_key(self, form) -> None:
        """Give the form its submission key: a new one each time the form is first shown."""
        # The field's own initial value: read only where the form is shown unbound.
        form.fields[KEY_FIELD] = forms.UUIDField(
            widget=forms.HiddenInput, required=False, initial=uuid.uuid4()
        )
        helper = getattr(form, "helper", None)
        if helper is not None and helper.layout is not None:
            helper.layout.insert(0, Field(KEY_FIELD))
            if self.keeps_drafts:
                helper.attrs = {**helper.attrs, "data-app-draft": reverse("draft_save")}

    # --- The change -------------------------------------------------------------------------

    def perform(self, form) -> Any:
        """Make the change with one service call; return what it made or changed."""
        raise NotImplementedError

    def success_url(self, result) -> str:
        raise NotImplementedError

    def message(self, result) -> str:
        """What the next page says was done; nothing when empty."""
        return self.success_message

    def consent_required(self, error: ConsentRequired) -> HttpResponse:
        """The parent's consent is not (or no longer) given: by default a 403."""
        raise error

    def stale(self, form, error: StaleRecord) -> None:
        """Someone changed the record first: say so on the form, keep what was typed."""
        form.add_error(None, str(error))
        data = form.data.copy()
        data["version"] = error.version
        form.data = data

    def show_errors(self, form, error: ValidationError) -> None:
        """A service's ValidationError on the form, by field where the form has that field."""
        add_service_errors(form, error)

    # --- The page ---------------------------------------------------------------------------

    def context(self) -> dict[str, Any]:
        """What the template shows besides the form."""
        return {}

    def render_page(self, form) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                **self.context(),
                "form": form,
                "restored": self.restored,
                "draft": self.draft,
                "draft_in_use": self.draft_in_use,
                "saved_before": self.saved_before,
            },
        )

    def get(self, request):
        refused = self.refuse()
        if refused is not None:
            return refused
        if not self.has_form():
            return self.render_page(None)
        typed = take_typed_input(request)
        self.restored = typed is not None
        if typed is None and self.keeps_drafts:
            self.draft = submissions.draft_for(user=request.user, path=request.path)
            if self.draft is not None and request.GET.get("draft") == "use":
                self.draft_in_use = True
                return self.render_page(self.form_for(draft=self.draft))
        return self.render_page(self.form_for(typed))

    @staticmethod
    def draft_initial(form, draft: Draft) -> dict[str, Any]:
        """A draft's values as the form's initial values (one value, or a list for a choice
        of many), so the page shows them without calling half-typed answers errors."""
        initial: dict[str, Any] = {}
        for name, values in draft.data.items():
            field = form.fields.get(name)
            if field is None or name == KEY_FIELD:
                continue
            many = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
            initial[name] = list(values) if many else (values[0] if values else "")
        return initial

    def post(self, request):
        earlier = self.earlier_submission()
        if earlier is not None and earlier.fingerprint == self.fingerprint():
            return self.already_saved(earlier)
        refused = self.refuse()
        if refused is not None:
            return refused
        if not self.has_form():
            return self.render_page(None)
        if earlier is not None:
            # Changed answers sent with the key of a form already saved (Back, then a change):
            # never taken as a repeat, never saved unseen. Shown again, with a new key.
            self.saved_before = earlier
            data = request.POST.copy()
            data[KEY_FIELD] = str(uuid.uuid4())
            return self.render_page(self.form_for(data))
        return self.submit_form(self.form_for(request.POST))

    # --- Once per submission ----------------------------------------------------------------

    def submitter(self) -> submissions.Party:
        """Who sends the form: the signed-in user. A page open without signing in names the
        outside party instead (the service replying through its link)."""
        if self.request.user.is_authenticated:
            return submissions.Party(user=self.request.user)
        return submissions.Party(outside="signed-out")

    def submission_key(self) -> uuid.UUID | None:
        return submissions.parse_key(self.request.POST.get(KEY_FIELD))

    def fingerprint(self) -> str:
        return submissions.fingerprint(self.request.POST.lists())

    def earlier_submission(self) -> Submission | None:
        key = self.submission_key()
        if key is None:
            return None
        return submissions.submission_earlier(
            key=key, party=self.submitter(), path=self.request.path
        )

    def already_saved(self, earlier: Submission) -> HttpResponse:
        """A repeat of a submission already made: where it went, saying so."""
        time = format_time(earlier.created_at)
        messages.info(self.request, ALREADY_SAVED.format(time=time))
        return redirect(earlier.result_url)

    def apply(self, form) -> submissions.Applied:
        """Make the change, once for the form's key (or plainly when a form sent no key)."""

        def change():
            result = self.perform(form)
            return result, self.success_url(result)

        key = self.submission_key()
        if key is None:
            result, url = change()
            return submissions.Applied(url=url, result=result)
        match = self.request.resolver_match
        return submissions.submission_apply_once(
            key=key,
            party=self.submitter(),
            page=match.view_name if match else "",
            path=self.request.path,
            fingerprint=self.fingerprint(),
            change=change,
        )

    def submit_form(self, form) -> HttpResponse:
        """Validate, make the change once, and answer: the next page or the form with errors."""
        if not form.is_valid():
            return self.render_page(form)
        # The key is this view's, never the service's: pages pass their cleaned data on whole.
        form.cleaned_data.pop(KEY_FIELD, None)
        try:
            applied = self.apply(form)
        except ConsentRequired as error:
            return self.consent_required(error)
        except StaleRecord as error:
            self.stale(form, error)
        except ValidationError as error:
            self.show_errors(form, error)
        else:
            if applied.earlier is not None:
                return self.already_saved(applied.earlier)
            text = self.message(applied.result)
            if text:
                messages.success(self.request, text)
            return redirect(applied.url)
        return self.render_page(form)
