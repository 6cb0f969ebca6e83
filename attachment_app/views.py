"""Pages that belong to no single app."""

from django.views.generic import TemplateView


class ShowHomeView(TemplateView):
    """The signed-in home page."""

    template_name = "home.html"
