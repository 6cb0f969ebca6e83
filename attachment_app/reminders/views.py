"""A user's own notifications: the list, and marking them read."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from attachment_app.audit.access import note_listed
from attachment_app.form_page import PageView
from attachment_app.pagination import page_links

from . import rules, services
from .models import Notification

PER_PAGE = 25


class ShowNotificationsView(PageView):
    """The signed-in user's notifications, newest first; nobody else's."""

    template_name = "reminders/notification_list.html"

    def get(self, request):
        notifications = (
            Notification.objects.for_user(request.user)
            .select_related("reminder")
            .order_by("-created_at", "-pk")
        )
        page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
        texts = rules.in_app_texts(request.user, page.object_list)
        items = [(notification, texts[notification.pk]) for notification in page.object_list]
        named = {text.family_id for text in texts.values() if text.family_id is not None}
        if named:
            # The list names families in the app: the access log says which.
            note_listed(request, families=named)
        return render(
            request,
            self.template_name,
            {"page": page, "items": items, "page_links": page_links(page)},
        )


class ReadNotificationView(PageView):
    """Open a notification: mark it read and go to what it is about (POST, so it is a change)."""

    def load(self, notification_id):
        mine = Notification.objects.for_user(self.request.user)
        self.notification = mine.filter(pk=notification_id).first()

    def post(self, request):
        notification = self.notification
        if notification is None:
            return redirect("notification_list")
        services.notification_mark_read(actor=request.user, notification_ids=[notification.pk])
        return redirect(notification.link)


class ReadAllNotificationsView(PageView):
    """Mark every one of the user's notifications read."""

    def post(self, request):
        services.notification_mark_read(actor=request.user)
        return redirect("notification_list")
