from django.urls import path

from . import views

urlpatterns = [
    path("drafts/save/", views.save_draft, name="draft_save"),
    path("drafts/discard/", views.discard_draft, name="draft_discard"),
    path("connection/", views.connection, name="connection_check"),
]
