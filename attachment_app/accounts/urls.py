"""Sign-in (allauth's views, only those used here) and account administration."""

from allauth.account import views as account_views
from allauth.mfa.base import views as mfa_views
from allauth.mfa.recovery_codes import views as recovery_views
from allauth.mfa.totp import views as totp_views
from allauth.mfa.webauthn import views as webauthn_views
from django.urls import path

from . import views

sign_in = [
    path("sign-in/", views.SignInView.as_view(), name="account_login"),
    path("sign-in/second-factor/", mfa_views.authenticate, name="mfa_authenticate"),
    path("sign-out/", views.SignOutView.as_view(), name="account_logout"),
    path("account/inactive/", account_views.account_inactive, name="account_inactive"),
    path("account/password/", account_views.password_change, name="account_change_password"),
    path("account/confirm/", account_views.reauthenticate, name="account_reauthenticate"),
    path("account/second-factor/", mfa_views.index, name="mfa_index"),
    path(
        "account/second-factor/set-up/",
        views.SetUpSecondFactorView.as_view(),
        name="second_factor_setup",
    ),
    path("account/second-factor/confirm/", mfa_views.reauthenticate, name="mfa_reauthenticate"),
    path("account/second-factor/app/", totp_views.activate_totp, name="mfa_activate_totp"),
    path(
        "account/second-factor/app/remove/", totp_views.deactivate_totp, name="mfa_deactivate_totp"
    ),
    path(
        "account/second-factor/recovery-codes/",
        recovery_views.view_recovery_codes,
        name="mfa_view_recovery_codes",
    ),
    path(
        "account/second-factor/recovery-codes/new/",
        recovery_views.generate_recovery_codes,
        name="mfa_generate_recovery_codes",
    ),
    path(
        "account/second-factor/recovery-codes/download/",
        recovery_views.download_recovery_codes,
        name="mfa_download_recovery_codes",
    ),
    path("account/second-factor/passkeys/", webauthn_views.list_webauthn, name="mfa_list_webauthn"),
    path(
        "account/second-factor/passkeys/add/", webauthn_views.add_webauthn, name="mfa_add_webauthn"
    ),
    path(
        "account/second-factor/passkeys/confirm/",
        webauthn_views.reauthenticate_webauthn,
        name="mfa_reauthenticate_webauthn",
    ),
    path(
        "account/second-factor/passkeys/<int:pk>/remove/",
        webauthn_views.remove_webauthn,
        name="mfa_remove_webauthn",
    ),
    path(
        "account/second-factor/passkeys/<int:pk>/rename/",
        webauthn_views.edit_webauthn,
        name="mfa_edit_webauthn",
    ),
    path("invitation/<str:token>/", views.AcceptInvitationView.as_view(), name="invitation_accept"),
]

people = [
    path("people/", views.ListPeopleView.as_view(), name="person_list"),
    path("people/invite/", views.InvitePersonView.as_view(), name="person_invite"),
    path("people/<int:person_id>/", views.ShowPersonView.as_view(), name="person_detail"),
    path(
        "people/<int:person_id>/deactivate/",
        views.DeactivatePersonView.as_view(),
        name="person_deactivate",
    ),
    path(
        "people/<int:person_id>/reset-second-factor/",
        views.ResetSecondFactorView.as_view(),
        name="person_reset_second_factor",
    ),
    path(
        "people/<int:person_id>/request-role/",
        views.RequestRoleView.as_view(),
        name="person_request_role",
    ),
    path("people/role-requests/", views.ListRoleRequestsView.as_view(), name="role_request_list"),
    path(
        "people/role-requests/<int:request_id>/",
        views.DecideRoleRequestView.as_view(),
        name="role_request_decide",
    ),
    path("people/history/", views.ListAccountEventsView.as_view(), name="account_event_list"),
    path("teams/", views.ListTeamsView.as_view(), name="team_list"),
    path("teams/add/", views.SaveTeamView.as_view(), name="team_create"),
    path("teams/<int:team_id>/change/", views.SaveTeamView.as_view(), name="team_update"),
]

urlpatterns = sign_in + people
