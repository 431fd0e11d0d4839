"""Voting services (表决): plain functions over the voting models, each one transaction.

- ``definition``: prepare a vote, start a new round
- ``lifecycle``: open (quorum), close (count), announce, cancel
- ``casting``: a member's ballot, exactly once
- ``counting``: counts, did-not-vote, the outcome by ``meeting.rules``
- ``audit``: the hash-chained record
- ``views_data``: what each role sees (snapshot part, result sheet)
"""

from meeting.voting.services.casting import CastReceipt, cast
from meeting.voting.services.definition import VoteSpec, prepare, revote
from meeting.voting.services.lifecycle import announce, cancel, close_vote, open_vote

__all__ = [
    "CastReceipt",
    "VoteSpec",
    "announce",
    "cancel",
    "cast",
    "close_vote",
    "open_vote",
    "prepare",
    "revote",
]
