from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    """Speech recording: WebRTC peers, recordings that follow the floor, clips."""

    name = "media"
    label = "media"
    verbose_name = _("Media")

    def ready(self) -> None:
        from media import receivers  # noqa: F401  (connects to the floor's signals)
