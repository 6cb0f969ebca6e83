from django.urls import path

from . import views_visits as views
from .views_entered_in_error import MarkEnteredInErrorView

urlpatterns = [
    path(
        "families/<int:family_id>/contacts/new/",
        views.CreateContactView.as_view(),
        name="contact_create",
    ),
    path(
        "contacts/<int:contact_id>/conversation/",
        views.StartConversationView.as_view(),
        name="conversation_start",
    ),
    path(
        "conversations/<int:conversation_id>/",
        views.ShowConversationView.as_view(),
        name="conversation_detail",
    ),
    path(
        "conversations/<int:conversation_id>/consent/",
        views.RecordConsentView.as_view(),
        name="conversation_consent",
    ),
    path(
        "conversations/<int:conversation_id>/answers/",
        views.RecordAnswersView.as_view(),
        name="conversation_answers",
    ),
    path(
        "conversations/<int:conversation_id>/reflection/",
        views.RecordReflectionView.as_view(),
        name="conversation_reflection",
    ),
    path(
        "conversations/<int:conversation_id>/withdraw/",
        views.WithdrawConsentView.as_view(),
        name="conversation_withdraw",
    ),
    path(
        "contacts/<int:contact_id>/entered-in-error/",
        MarkEnteredInErrorView.as_view(kind="conversations.contact"),
        name="contact_entered_in_error",
    ),
]
