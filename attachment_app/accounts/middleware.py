"""Session and caching rules that apply to every request."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from .typed_input import stash_typed_input

SIGNED_IN_AT = "signed_in_at"


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
                return redirect(reverse(settings.LOGIN_URL) + "?expired=1")
        return self.get_response(request)


class NoStoreMiddleware:
    """Tell browsers and proxies never to keep a copy of a page: they hold personal data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class KeepTypedInputLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every view needs sign-in; a form POSTed after the session ended is kept for after it.

    An HV typing a parent's words can be signed out by the idle timeout before pressing save.
    Their POST reaches here (the CSRF cookie outlives the session); what they typed is kept in
    the new session on the server (see ``typed_input``) and given back once they sign in again.
    """

    def handle_no_permission(self, request, view_func):
        stash_typed_input(request)
        return super().handle_no_permission(request, view_func)
