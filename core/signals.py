"""Signals the floor sends after commit, for the recorder and anyone else listening.

Both are sent from ``transaction.on_commit`` with keyword arguments:
``entry_id`` (the speaking-log row), ``sitting_id``, ``member_id``, ``agenda_item_id``
(may be None), ``started_at`` (aware datetime), and for ``floor_released`` also
``ended_at`` and ``ended_how`` ("finished", "time_limit", "revoked", "priority",
"override").
"""

from django.dispatch import Signal

floor_granted = Signal()
floor_released = Signal()
