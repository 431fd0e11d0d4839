from django.apps import AppConfig


class ProceedingsConfig(AppConfig):
    """Running a session end to end: preparation, the audit trail and the minutes (会议纪要)."""

    name = "meeting.proceedings"
    label = "proceedings"
    verbose_name = "Proceedings"

    def ready(self) -> None:
        from meeting.proceedings import logins

        logins.connect()
