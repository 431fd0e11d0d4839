from django.apps import AppConfig


class FloorConfig(AppConfig):
    """The speaking queue (发言排队), the floor and the speaking log."""

    name = "meeting.floor"
    label = "floor"
    verbose_name = "Floor"
