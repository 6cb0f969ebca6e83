from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    """Each form submission applied once, by its key, and the drafts kept as a page is typed."""

    name = "attachment_app.submissions"
    label = "submissions"
    verbose_name = "Submissions and drafts"
