"""The service's pages: its secure link, the code, the referral and its replies (no account)."""

from django.urls import path, re_path

from . import views_service_link

urlpatterns = [
    re_path(
        r"^s/(?P<token>[A-Za-z0-9_-]{20,100})/$",
        views_service_link.OpenServiceLinkView.as_view(),
        name="service_link_open",
    ),
    path(
        "service-referral/",
        views_service_link.ShowServiceReferralView.as_view(),
        name="service_referral",
    ),
    path(
        "service-referral/code/",
        views_service_link.SendServiceCodeView.as_view(),
        name="service_referral_code",
    ),
    path(
        "service-referral/verify/",
        views_service_link.VerifyServiceCodeView.as_view(),
        name="service_referral_verify",
    ),
    path(
        "service-referral/reply/<slug:action>/",
        views_service_link.ReplyToReferralView.as_view(),
        name="service_referral_reply",
    ),
]
