"""Routes of the briefs and books (mounted at /briefs/)."""

app_name = "briefs"
urlpatterns: list = []
