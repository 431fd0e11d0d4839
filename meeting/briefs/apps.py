from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefsConfig(AppConfig):
    """Deliberation briefs (简报), speech summaries (发言要点) and the members' books."""

    name = "meeting.briefs"
    label = "briefs"
    verbose_name = _("Briefs")

    def ready(self) -> None:
        from meeting.briefs import receivers  # noqa: F401  (clip deletion → brief note)
