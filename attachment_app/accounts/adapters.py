"""How allauth signs people in here: no sign-up, our throttle, the second factor first."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError

from . import throttle
from .models import AccountEvent
from .second_factor import PRIMARY_TYPES, has_second_factor, second_factor_is_fresh


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        """Nobody signs themselves up: an admin invites each person."""
        return False

    def get_client_ip(self, request):
        return throttle.client_address(request) or "0.0.0.0"  # noqa: S104 - never bound to

    def pre_authenticate(self, request, **credentials):
        """Refuse the password check while a sign-in lock is in force."""
        message = throttle.check_not_locked(request, username=credentials.get("username", ""))
        if message:
            raise ValidationError(message, code="sign_in_locked")

    def authentication_failed(self, request, **credentials):
        throttle.record_sign_in_event(
            request,
            kind=AccountEvent.Kind.SIGN_IN_FAILED,
            username=credentials.get("username", ""),
            detail="Wrong username or password",
        )

    def get_reauthentication_methods(self, user):
        """Someone with a second factor proves themselves again with it, not the password."""
        methods = super().get_reauthentication_methods(user)
        if user.is_authenticated and has_second_factor(user):
            return [m for m in methods if m["id"].startswith("mfa_")] or methods
        return methods

    def is_reauthentication_required(self, *, app, **kwargs):
        """Changing one's second factor asks for it again unless it was given in the last 15
        minutes; setting up the first one follows straight on from the password."""
        request = context.request
        if request is None or not request.user.is_authenticated:
            return True
        return has_second_factor(request.user) and not second_factor_is_fresh(request)

    def send_mail(self, template_prefix, email, context):
        """allauth sends no mail of its own here; our services send theirs."""
        return None


class SecondFactorAdapter(DefaultMFAAdapter):
    def get_totp_label(self, user):
        return user.username

    def can_delete_authenticator(self, authenticator):
        """A person keeps at least one authenticator app or passkey."""
        if authenticator.type not in PRIMARY_TYPES:
            return True
        others = Authenticator.objects.filter(
            user_id=authenticator.user_id, type__in=PRIMARY_TYPES
        ).exclude(pk=authenticator.pk)
        return others.exists()

    def send_notification_mail(self, *args, **kwargs):
        return None
