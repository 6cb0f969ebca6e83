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
shows again what was typed before a session timeout (``typed_input``). The steps that must
happen once per submission (a submission key, drafts) belong in :meth:`FormPageView.submit_form`.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from attachment_app import permissions
from attachment_app.accounts.models import User
from attachment_app.accounts.typed_input import take_typed_input
from attachment_app.errors import ConsentRequired, StaleRecord
from attachment_app.nhsuk_forms.helpers import add_service_errors


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
            {**self.context(), "form": form, "restored": self.restored},
        )

    def get(self, request):
        refused = self.refuse()
        if refused is not None:
            return refused
        if not self.has_form():
            return self.render_page(None)
        typed = take_typed_input(request)
        self.restored = typed is not None
        return self.render_page(self.make_form(typed))

    def post(self, request):
        refused = self.refuse()
        if refused is not None:
            return refused
        if not self.has_form():
            return self.render_page(None)
        return self.submit_form(self.make_form(request.POST))

    def submit_form(self, form) -> HttpResponse:
        """Validate, make the change once, and answer: the next page or the form with errors."""
        if not form.is_valid():
            return self.render_page(form)
        try:
            result = self.perform(form)
        except ConsentRequired as error:
            return self.consent_required(error)
        except StaleRecord as error:
            self.stale(form, error)
        except ValidationError as error:
            self.show_errors(form, error)
        else:
            text = self.message(result)
            if text:
                messages.success(self.request, text)
            return redirect(self.success_url(result))
        return self.render_page(form)
