from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The committee's models under their historical label ``meeting``.

    The label is the tables' prefix and the migrations' app name, so the models kept it
    when they moved from ``meeting/`` to ``core/``.
    """

    name = "core"
    label = "meeting"
    verbose_name = "Meeting"
