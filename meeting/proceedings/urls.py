"""HTTP routes of this feature (filled by its issue)."""

urlpatterns: list = []
