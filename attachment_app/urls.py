from django.contrib import admin
from django.urls import include, path

from .health.views import healthz
from .views import ShowHomeView

urlpatterns = [
    path("", ShowHomeView.as_view(), name="home"),
    path("", include("attachment_app.accounts.urls")),
    path("healthz", healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
]
