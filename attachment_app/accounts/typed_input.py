"""Nothing typed is lost when a session times out in the middle of a page.

When a signed-out user POSTs a form (their session ended while they typed), the sign-in
middleware keeps what they typed in the new, anonymous session, keyed by the page's path, and
sends them to sign in. Django's ``login()`` keeps an anonymous session's data (it only changes
the key), so once they are back on the page, :class:`RestoreTypedInputMixin` shows the form
again filled in with what they typed, not yet saved, and forgets it.

Personal data stays on the server, in the session: never in a URL, a cookie or a log. What was
typed is only given back to the user whose session ended, on the same path, in the same browser
session, and it goes when the session goes.
"""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.http import QueryDict

#: The session key holding ``{path: {"user": id, "data": {field: [values]}}}``.
TYPED_INPUT_KEY = "typed_input"
#: Only forms under these paths keep what was typed: the clinical records.
KEPT_PATH_PREFIXES = (
    "/conversations/",
    "/families/",
    "/contacts/",
    "/babies/",
    "/caregivers/",
    "/concerns/",
    "/screening/",
    "/referrals/",
    "/follow-ups/",
    "/signposts/",
)
#: At most this many pages' input is kept; the oldest goes first.
MAX_KEPT_PAGES = 5
#: Never kept: the CSRF token (a new one is issued) and anything that looks like a password.
NEVER_KEPT = ("csrfmiddlewaretoken",)

RESTORED_MESSAGE = "You were signed out. We kept what you typed: check it and save."


def previous_user_id(request) -> str | None:
    """Whose session the browser's session cookie belonged to, if it has only just expired.

    An expired session is invisible to the session store, but its row stays in the table until
    ``clearsessions`` runs, and says who was signed in.
    """
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return None
    row = Session.objects.filter(session_key=key).first()
    if row is None:
        return None
    return row.get_decoded().get(SESSION_KEY)


def stash_typed_input(request) -> bool:
    """Keep a signed-out user's POST in their anonymous session. True if it was kept."""
    path = request.path
    if request.method != "POST" or not path.startswith(KEPT_PATH_PREFIXES):
        return False
    owner = previous_user_id(request)
    if owner is None:
        # Without knowing whose words these are, we cannot give them back safely.
        return False
    data = {
        name: values
        for name, values in request.POST.lists()
        if name not in NEVER_KEPT and "password" not in name.lower()
    }
    kept = dict(request.session.get(TYPED_INPUT_KEY, {}))
    kept.pop(path, None)
    kept[path] = {"user": str(owner), "data": data}
    while len(kept) > MAX_KEPT_PAGES:
        kept.pop(next(iter(kept)))
    request.session[TYPED_INPUT_KEY] = kept
    return True


def take_typed_input(request) -> QueryDict | None:
    """What this user typed on this page before their session ended, once; then forget it."""
    kept = request.session.get(TYPED_INPUT_KEY)
    if not kept or request.path not in kept:
        return None
    entry = kept.pop(request.path)
    request.session[TYPED_INPUT_KEY] = kept
    if entry.get("user") != str(request.user.pk):
        return None
    data = QueryDict(mutable=True)
    for name, values in entry["data"].items():
        data.setlist(name, values)
    return data


class RestoreTypedInputMixin:
    """For a form view: on GET, bind the form to what was typed before a session timeout.

    The view calls :meth:`restored_input` when it builds its form for a GET; if that gives data,
    the form is shown bound to it (so the user sees exactly what they typed, and any problem
    with it) and a banner says so. Nothing is saved until the user saves.
    """

    restored = False

    def restored_input(self) -> QueryDict | None:
        data = take_typed_input(self.request)
        self.restored = data is not None
        return data
