"""The team dashboard and its exports."""

from django.urls import path

from . import views_dashboard as views

urlpatterns = [
    path("", views.ShowDashboardView.as_view(), name="dashboard"),
    path(
        "referrals.csv",
        views.ExportDashboardReferralListView.as_view(),
        name="dashboard_referral_list_export",
    ),
    path(
        "<slug:slug>.csv",
        views.ExportDashboardFigureView.as_view(),
        name="dashboard_figure_export",
    ),
]
