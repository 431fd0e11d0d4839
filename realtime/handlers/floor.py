"""Handlers of the floor feature's commands (filled by its issue)."""
