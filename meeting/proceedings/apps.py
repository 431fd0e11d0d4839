from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceedingsConfig(AppConfig):
    """Running a session end to end: preparation, the audit trail and the minutes (会议纪要)."""

    name = "meeting.proceedings"
    label = "proceedings"
    verbose_name = _("Proceedings")

    def ready(self) -> None:
        from meeting.proceedings import logins

        logins.connect()
