"""Session and caching rules that apply to every request."""

from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from allauth.account.internal.stagekit import LOGIN_SESSION_KEY as PENDING_SIGN_IN_KEY
from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.sessions.models import Session
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from .second_factor import has_second_factor, in_grace_period, last_second_factor_at
from .typed_input import stash_typed_input

SIGNED_IN_AT = "signed_in_at"
#: The sign-in page's flag saying why a session ended: a reason, never who or what was open.
SIGNED_OUT = "signed_out"
IDLE = "idle"
LIMIT = "limit"


def open_to_everyone(view):
    """Mark a view that serves public information, the same to everyone: it needs no sign-in and
    no second factor, and it sets its own caching (it holds no personal data to keep out of
    caches). Only for read-only views of public data, such as the published directory."""
    view = login_not_required(view)
    view.open_to_everyone = True
    return view


def _is_open_to_everyone(view_func) -> bool:
    return getattr(view_func, "open_to_everyone", False)


def with_signed_out_reason(url: str, reason: str) -> str:
    """``url`` with the reason the session ended added to its query string."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), (SIGNED_OUT, reason)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="/")))


def ended_by_idle_limit(request) -> bool:
    """Whether the browser's session cookie names a signed-in session that ran past the idle
    limit (its row stays until ``clearsessions`` runs), rather than no session at all."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    row = Session.objects.filter(session_key=key, expire_date__lte=timezone.now()).first()
    return row is not None and SESSION_KEY in row.get_decoded()


class AbsoluteSessionLimitMiddleware:
    """End a session a fixed time after sign-in, however active it has been.

    The idle timeout alone would let a session on a shared device live for ever as long as
    someone keeps using it; ASVS 3.3.2 asks for a limit on the whole session too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            now = timezone.now()
            if started is None:
                request.session[SIGNED_IN_AT] = now.isoformat()
            elif now - datetime.fromisoformat(started) > settings.SESSION_ABSOLUTE_LIMIT:
                logout(request)
                return redirect(with_signed_out_reason(reverse(settings.LOGIN_URL), LIMIT))
        return self.get_response(request)


class NoStoreMiddleware:
    """Tell browsers and proxies never to keep a copy of a page: they hold personal data.

    A view ``open_to_everyone`` holds none and says how long it may be kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "open_to_everyone", False):
            add_never_cache_headers(response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request.open_to_everyone = _is_open_to_everyone(view_func)


class KeepTypedInputLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every view needs sign-in; a form POSTed after the session ended is kept for after it.

    An HV typing a parent's words can be signed out by the idle timeout before pressing save.
    Their POST reaches here (the CSRF cookie outlives the session); what they typed is kept in
    the new session on the server (see ``typed_input``) and given back once they sign in again.
    """

    def handle_no_permission(self, request, view_func):
        stash_typed_input(request)
        if request.session.get(PENDING_SIGN_IN_KEY):
            # Past the password, not yet past the second factor: that is the step to finish.
            return redirect("mfa_authenticate")
        response = super().handle_no_permission(request, view_func)
        if ended_by_idle_limit(request):
            # The sign-in page then says why: the person did nothing for a while.
            response["Location"] = with_signed_out_reason(response["Location"], IDLE)
        return response


#: Pages a signed-in person without a second factor may still open: setting one up, signing out.
ENROLMENT_URL_NAMES = frozenset(
    {
        "second_factor_setup",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
        "account_logout",
    }
)


class SecondFactorRequiredMiddleware:
    """No page past the password without the second factor.

    - A person with an authenticator app or passkey whose session never passed it (signed in
      some other way than allauth's two steps) is signed out and sent to sign in.
    - A person with none yet may only set one up (or sign out), unless a rollout grace period
      set by ``SECOND_FACTOR_GRACE_UNTIL`` is still running.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if _is_open_to_everyone(view_func):
            # Public information: the same whoever asks, signed in or not.
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        if has_second_factor(user):
            if last_second_factor_at(request) is None:
                logout(request)
                return redirect(reverse(settings.LOGIN_URL))
            return None
        url_name = request.resolver_match.url_name if request.resolver_match else None
        if url_name in ENROLMENT_URL_NAMES or in_grace_period():
            return None
        return redirect("second_factor_setup")
