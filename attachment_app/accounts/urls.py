from django.urls import path

from . import views

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("account/password/", views.ChangePasswordView.as_view(), name="password_change"),
    path(
        "account/password/changed/",
        views.ChangePasswordDoneView.as_view(),
        name="password_change_done",
    ),
]
