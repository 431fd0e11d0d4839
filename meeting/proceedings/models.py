"""Proceedings models: filled by the console/minutes issue."""
