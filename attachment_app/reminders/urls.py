from django.urls import path

from . import views

urlpatterns = [
    path("", views.ShowNotificationsView.as_view(), name="notification_list"),
    path("read-all/", views.ReadAllNotificationsView.as_view(), name="notification_read_all"),
    path(
        "<int:notification_id>/open/",
        views.ReadNotificationView.as_view(),
        name="notification_open",
    ),
]
