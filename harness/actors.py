"""Actors for tests that call services directly (core/policy.py asks every service)."""

from core.models import Role
from core.policy import Acting

CLERK = Acting(role=Role.CLERK)
CHAIR = Acting(role=Role.CHAIR)
MEMBER = Acting(role=Role.MEMBER)
