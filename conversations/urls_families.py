from django.urls import path

from . import views_access
from . import views_families as views
from .views_entered_in_error import MarkEnteredInErrorView

urlpatterns = [
    path("", views.ShowCaseloadView.as_view(), name="home"),
    path("families/new/", views.CreateFamilyView.as_view(), name="family_create"),
    path("families/<int:family_id>/", views.ShowFamilyView.as_view(), name="family_detail"),
    path("families/<int:family_id>/edit/", views.UpdateFamilyView.as_view(), name="family_update"),
    path(
        "families/<int:family_id>/caregivers/new/",
        views.CreateCaregiverView.as_view(),
        name="caregiver_create",
    ),
    path(
        "caregivers/<int:caregiver_id>/edit/",
        views.UpdateCaregiverView.as_view(),
        name="caregiver_update",
    ),
    path(
        "families/<int:family_id>/babies/new/", views.CreateBabyView.as_view(), name="baby_create"
    ),
    path("babies/<int:baby_id>/edit/", views.UpdateBabyView.as_view(), name="baby_update"),
    path(
        "families/<int:family_id>/access-log/",
        views_access.ShowFamilyAccessLogView.as_view(),
        name="family_access_log",
    ),
    path(
        "families/<int:family_id>/access-log.csv",
        views_access.ExportFamilyAccessLogView.as_view(),
        name="family_access_log_export",
    ),
    path(
        "caregivers/<int:caregiver_id>/entered-in-error/",
        MarkEnteredInErrorView.as_view(kind="conversations.caregiver"),
        name="caregiver_entered_in_error",
    ),
]
