"""A user's own notifications: the list, and marking them read."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views import View

from attachment_app.pagination import page_links

from . import services
from .models import Notification

PER_PAGE = 25


class ShowNotificationsView(View):
    """The signed-in user's notifications, newest first; nobody else's."""

    template_name = "reminders/notification_list.html"

    def get(self, request):
        notifications = Notification.objects.for_user(request.user).order_by("-created_at", "-pk")
        page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
        return render(request, self.template_name, {"page": page, "page_links": page_links(page)})


class ReadNotificationView(View):
    """Open a notification: mark it read and go to what it is about (POST, so it is a change)."""

    def post(self, request, notification_id):
        notification = (
            Notification.objects.for_user(request.user).filter(pk=notification_id).first()
        )
        if notification is None:
            return redirect("notification_list")
        services.notification_mark_read(actor=request.user, notification_ids=[notification.pk])
        return redirect(notification.link)


class ReadAllNotificationsView(View):
    def post(self, request):
        services.notification_mark_read(actor=request.user)
        return redirect("notification_list")
