from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The committee's models under their historical label ``meeting``.

    The label is the tables' prefix and the migrations' app name, so the models kept it
    when they moved from ``meeting/`` to ``core/``.
    """

    name = "core"
    label = "meeting"
    verbose_name = _("Meeting")
