"""Forms for signing in with a second factor and for administering accounts."""

from __future__ import annotations

from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal.auth import TOTP
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from attachment_app import permissions
from attachment_app.nhsuk_forms.helpers import too_long

from . import throttle
from .models import AccountEvent, Role, Team, User

Kind = AccountEvent.Kind

WRONG_CODE = "The code is not right, or it has been used already. Enter the current code."


def _counted_as_sign_in(user, check, *, detail: str, message: str | None = None):
    """Run ``check`` (a password or code check) as a sign-in attempt by ``user``.

    Refused at once while a sign-in lock is in force; a failure is recorded, so it counts
    towards the locks like a wrong password at sign-in.
    """
    from allauth.core import context

    request = context.request
    locked = throttle.check_not_locked(request, username=user.username, user=user)
    if locked:
        raise ValidationError(locked, code="sign_in_locked")
    try:
        return check()
    except ValidationError:
        throttle.record_sign_in_event(
            request, kind=Kind.SIGN_IN_FAILED, username=user.username, user=user, detail=detail
        )
        if message:
            raise ValidationError(message, code="incorrect_code") from None
        raise


class _ThrottledCodeMixin:
    """A second-factor code counts towards the sign-in locks like a password."""

    def clean_code(self):
        return _counted_as_sign_in(
            self.user,
            super().clean_code,
            detail="Wrong or reused second-factor code",
            message=WRONG_CODE,
        )


class SetUpAuthenticatorAppForm(ActivateTOTPForm):
    """Setting up the app: the code that proved it is then used up, like any other code."""

    def clean_code(self):
        code = super().clean_code()
        # allauth checks this code against the new secret but does not mark it used; a
        # sign-in with the same code in the same 30 seconds would otherwise pass.
        pending = Authenticator(user=self.user, type=Authenticator.Type.TOTP)
        TOTP(pending)._mark_code_used(code)
        return code


class SecondFactorForm(_ThrottledCodeMixin, AuthenticateForm):
    """The code step of signing in: an authenticator app code or a recovery code."""


class SecondFactorAgainForm(_ThrottledCodeMixin, ReauthenticateForm):
    """The code asked for again before a sensitive action."""


class ChangePasswordForm(AllauthChangePasswordForm):
    """A wrong current password counts as a failed sign-in, so it cannot be guessed freely."""

    def clean_oldpassword(self):
        return _counted_as_sign_in(
            self.user,
            super().clean_oldpassword,
            detail="Wrong current password on the password change page",
        )


class InvitePersonForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=150, error_messages={"required": "Enter a first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, error_messages={"required": "Enter a last name"}
    )
    email = forms.EmailField(
        label="Email address",
        help_text="The invitation link is sent here. Use their work address.",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
        },
    )
    username = forms.RegexField(
        label="Username",
        max_length=150,
        regex=r"^[a-z0-9.\-_]+$",
        help_text="What they type to sign in, for example amara.okafor. "
        "Lower-case letters, numbers, full stops, hyphens and underscores only.",
        error_messages={
            "required": "Enter a username",
            "invalid": "Username must contain only lower-case letters, numbers, full stops, "
            "hyphens and underscores",
            "max_length": too_long("Username", 150),
        },
    )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("That username is taken: choose another")
        return username

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError("Someone already has an account with that email address")
        return email


class RoleRequestForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a role"},
    )
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.all(),
        required=False,
        empty_label="Choose a team",
        help_text="Needed for a health visitor or team lead.",
    )
    # Required for some roles only: its label does not say "(optional)".
    team.conditionally_required = True

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role") or ""
        if permissions.role_is_clinical(role) and not cleaned.get("team"):
            self.add_error("team", "Choose the team for a health visitor or team lead")
        if permissions.role_is_admin(role):
            cleaned["team"] = None
        return cleaned


class DecisionForm(forms.Form):
    APPROVE = "approve"
    REFUSE = "refuse"
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(APPROVE, "Approve"), (REFUSE, "Refuse")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select approve or refuse"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Needed if you refuse.",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": too_long("Reason", 500)},
    )
    reason.conditionally_required = True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.REFUSE and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Enter the reason for refusing")
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason", "max_length": too_long("Reason", 200)},
    )


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "area", "phone", "email"]
        labels = {
            "name": "Team name",
            "area": "Area (optional)",
            "phone": "Phone number (optional)",
            "email": "Email address (optional)",
        }
        help_texts = {
            "phone": "Services use it to reach the team about a referral: it is on each "
            "referral letter and referral email.",
        }
        error_messages = {
            "name": {
                "required": "Enter the team's name",
                "unique": "A team with that name already exists",
                "max_length": too_long("Team name", 120),
            },
            "area": {"max_length": too_long("Area", 120)},
            "phone": {"max_length": too_long("Phone number", 30)},
            "email": {"invalid": "Enter an email address, like team@example.nhs.uk"},
        }


class ChoosePasswordForm(forms.Form):
    """The invited person chooses their own password."""

    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter the password again"},
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = " ".join(
            password_validation.password_validators_help_texts()
        )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords do not match")
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned
