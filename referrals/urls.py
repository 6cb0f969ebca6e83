"""Step 3 pages for health visitors and team leads."""

from django.urls import path

from . import views_follow_ups, views_referrals, views_services

urlpatterns = [
    path(
        "families/<int:family_id>/services/",
        views_services.ShowFamilyServicesView.as_view(),
        name="family_services",
    ),
    path(
        "families/<int:family_id>/services/<int:service_id>/",
        views_services.ShowFamilyServiceView.as_view(),
        name="family_service_detail",
    ),
    path(
        "families/<int:family_id>/signposts/new/",
        views_services.CreateSignpostView.as_view(),
        name="signpost_create",
    ),
    path(
        "families/<int:family_id>/services/<int:service_id>/refer/",
        views_referrals.CreateReferralView.as_view(),
        name="referral_create",
    ),
    path(
        "families/<int:family_id>/follow-ups/new/",
        views_follow_ups.CreateFollowUpView.as_view(),
        name="follow_up_create",
    ),
    path(
        "follow-ups/<int:follow_up_id>/close/",
        views_follow_ups.CloseFollowUpView.as_view(),
        name="follow_up_close",
    ),
    path(
        "referrals/review/",
        views_referrals.ShowReviewQueueView.as_view(),
        name="referral_review_queue",
    ),
    path(
        "referrals/returned/",
        views_referrals.ListReturnedReferralsView.as_view(),
        name="returned_referral_list",
    ),
    path(
        "referrals/<int:referral_id>/",
        views_referrals.ShowReferralView.as_view(),
        name="referral_detail",
    ),
    path(
        "referrals/<int:referral_id>/edit/",
        views_referrals.UpdateReferralView.as_view(),
        name="referral_update",
    ),
    path(
        "referrals/<int:referral_id>/letter/",
        views_referrals.ShowReferralLetterView.as_view(),
        name="referral_letter",
    ),
    path(
        "referrals/<int:referral_id>/review/",
        views_referrals.ReviewSentReferralView.as_view(),
        name="referral_review_after_sending",
    ),
    path(
        "referrals/<int:referral_id>/<slug:action>/",
        views_referrals.TransitionReferralView.as_view(),
        name="referral_transition",
    ),
]
