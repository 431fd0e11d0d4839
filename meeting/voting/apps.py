from django.apps import AppConfig


class VotingConfig(AppConfig):
    """Votes (表决), ballots, results and their audit chain."""

    name = "meeting.voting"
    label = "voting"
    verbose_name = "Voting"
