from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    """Votes (表决), ballots, results and their audit chain."""

    name = "meeting.voting"
    label = "voting"
    verbose_name = _("Voting")
