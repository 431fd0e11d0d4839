"""Handlers of the votes feature's commands (filled by its issue)."""
