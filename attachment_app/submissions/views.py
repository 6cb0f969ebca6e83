"""The browser's side of drafts: keep one, throw one away, and "is the server there?".

A draft is kept only for a page that keeps drafts (``FormPageView.keeps_drafts``) and only
after the page's own scoped fetch has found its record for this user: the path of another
team's record is a 404 here as it is on the page.
"""

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from attachment_app.formatting import format_time

from . import services


def _draft_page(request, path: str):
    """The form page at ``path``, loaded for this user, if it keeps drafts; else a 404."""
    from attachment_app.form_page import FormPageView

    if not path.startswith("/") or path.startswith("//"):
        raise Http404("No such page")
    try:
        match = resolve(path)
    except Resolver404:
        raise Http404("No such page") from None
    view_class = getattr(match.func, "view_class", None)
    if not (isinstance(view_class, type) and issubclass(view_class, FormPageView)):
        raise Http404("This page keeps no drafts")
    if not view_class.keeps_drafts:
        raise Http404("This page keeps no drafts")
    view = view_class()
    view.setup(request, *match.args, **match.kwargs)
    view.load(**match.kwargs)
    return view, match


@require_POST
def save_draft(request):
    """Keep what was typed on a page (sent by the page's script a moment after typing stops)."""
    path = request.POST.get("draft_path", "")
    view, match = _draft_page(request, path)
    data = services.draft_data(request.POST.lists(), view.form_for().fields)
    try:
        draft = services.draft_save(user=request.user, page=match.view_name, path=path, data=data)
    except ValueError as error:
        return JsonResponse({"error": str(error)}, status=413)
    return JsonResponse({"saved_at": format_time(draft.saved_at)})


@require_POST
def discard_draft(request):
    """Throw the user's draft of a page away, and go back to the page."""
    path = request.POST.get("draft_path", "")
    _draft_page(request, path)
    services.draft_discard(user=request.user, path=path)
    return redirect(path)


@never_cache
@require_GET
def connection(request):
    """An empty answer: the page's script asks it whether the server can be reached. (Signed
    out, it is the sign-in page's redirect: reached all the same, and Save then keeps what was
    typed through the sign-in, as every form page does.)"""
    return HttpResponse(status=204)
