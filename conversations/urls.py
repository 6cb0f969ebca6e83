from django.urls import include, path

urlpatterns = [
    path("", include("conversations.urls_families")),
    path("", include("conversations.urls_visits")),
]
