"""Domain services: plain functions over models, each in one transaction.

A service changes state, records the event with ``core.events.emit`` inside the
same transaction, and the event is broadcast only after the commit.
"""

from core.errors import DomainError

__all__ = ["DomainError"]
