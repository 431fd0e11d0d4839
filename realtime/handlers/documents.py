"""Handlers of the documents feature's commands (filled by its issue)."""
