"""The directory pages for admins."""

urlpatterns: list = []
