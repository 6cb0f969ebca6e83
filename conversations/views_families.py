"""Placeholder views (being written)."""

from django.http import Http404
from django.views import View


class _NotBuiltYet(View):
    """Placeholder until the view is written."""

    def dispatch(self, request, *args, **kwargs):
        raise Http404


class ShowCaseloadView(_NotBuiltYet):
    pass


class CreateFamilyView(_NotBuiltYet):
    pass


class ShowFamilyView(_NotBuiltYet):
    pass


class UpdateFamilyView(_NotBuiltYet):
    pass


class CreateCaregiverView(_NotBuiltYet):
    pass


class UpdateCaregiverView(_NotBuiltYet):
    pass


class CreateBabyView(_NotBuiltYet):
    pass


class UpdateBabyView(_NotBuiltYet):
    pass
