from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background jobs (page rendering, clip finalisation, minutes) that survive restarts."""

    name = "jobs"
    label = "jobs"
    verbose_name = "Background jobs"
