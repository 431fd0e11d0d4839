from django.apps import AppConfig


class MeetingConfig(AppConfig):
    name = "meeting"
    label = "meeting"
    verbose_name = "Meeting"
