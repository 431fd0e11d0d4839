"""Handlers of the media feature's commands (filled by its issue)."""
