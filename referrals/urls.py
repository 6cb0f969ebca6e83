"""Step 3 pages for health visitors and team leads."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "families/<int:family_id>/services/",
        views.ShowFamilyServicesView.as_view(),
        name="family_services",
    ),
    path(
        "families/<int:family_id>/services/<int:service_id>/",
        views.ShowFamilyServiceView.as_view(),
        name="family_service_detail",
    ),
    path(
        "families/<int:family_id>/signposts/new/",
        views.CreateSignpostView.as_view(),
        name="signpost_create",
    ),
    path(
        "families/<int:family_id>/services/<int:service_id>/refer/",
        views.CreateReferralView.as_view(),
        name="referral_create",
    ),
    path(
        "families/<int:family_id>/follow-ups/new/",
        views.CreateFollowUpView.as_view(),
        name="follow_up_create",
    ),
    path(
        "follow-ups/<int:follow_up_id>/close/",
        views.CloseFollowUpView.as_view(),
        name="follow_up_close",
    ),
    path("referrals/review/", views.ShowReviewQueueView.as_view(), name="referral_review_queue"),
    path("referrals/<int:referral_id>/", views.ShowReferralView.as_view(), name="referral_detail"),
    path(
        "referrals/<int:referral_id>/edit/",
        views.UpdateReferralView.as_view(),
        name="referral_update",
    ),
    path(
        "referrals/<int:referral_id>/review/",
        views.ReviewSentReferralView.as_view(),
        name="referral_review_after_sending",
    ),
    path(
        "referrals/<int:referral_id>/<slug:action>/",
        views.TransitionReferralView.as_view(),
        name="referral_transition",
    ),
]
