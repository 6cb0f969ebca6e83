"""Sign in, sign out and change password."""

from django.contrib.auth import views as auth_views
from django.utils import timezone

from .middleware import SIGNED_IN_AT


class SignInView(auth_views.LoginView):
    """Sign in, and start the clock of the session's absolute limit."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session[SIGNED_IN_AT] = timezone.now().isoformat()
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["session_expired"] = self.request.GET.get("expired") == "1"
        return context


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only) and ask the browser to forget what it kept of the session."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


class ChangePasswordView(auth_views.PasswordChangeView):
    """Change one's own password."""

    template_name = "registration/password_change_form.html"


class ChangePasswordDoneView(auth_views.PasswordChangeDoneView):
    """Confirm the password was changed."""

    template_name = "registration/password_change_done.html"
