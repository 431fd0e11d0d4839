from django.apps import AppConfig


class MediaConfig(AppConfig):
    """Speech recording: WebRTC peers, recordings that follow the floor, clips."""

    name = "media"
    label = "media"
    verbose_name = "Media"

    def ready(self) -> None:
        from media import receivers  # noqa: F401  (connects to the floor's signals)
