"""Placeholder views (being written)."""

from django.http import Http404
from django.views import View


class _NotBuiltYet(View):
    """Placeholder until the view is written."""

    def dispatch(self, request, *args, **kwargs):
        raise Http404


class CreateContactView(_NotBuiltYet):
    pass


class StartConversationView(_NotBuiltYet):
    pass


class ShowConversationView(_NotBuiltYet):
    pass


class RecordConsentView(_NotBuiltYet):
    pass


class RecordAnswersView(_NotBuiltYet):
    pass


class RecordReflectionView(_NotBuiltYet):
    pass


class WithdrawConsentView(_NotBuiltYet):
    pass
