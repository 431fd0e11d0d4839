from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingConfig(AppConfig):
    """The committee's features: sittings and agenda, attendance, seating, the demo.

    Its models live in ``core`` (label ``meeting``); this app has none of its own and
    is installed for its admin pages and management commands.
    """

    name = "meeting"
    label = "committee"
    verbose_name = _("Committee")
