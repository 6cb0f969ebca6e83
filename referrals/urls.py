"""Step 3 pages for health visitors and team leads."""

urlpatterns: list = []
