from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Background jobs (page rendering, clip finalisation, minutes) that survive restarts."""

    name = "jobs"
    label = "jobs"
    verbose_name = _("Background jobs")
