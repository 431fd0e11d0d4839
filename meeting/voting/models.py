"""Voting models: filled by the voting issue."""
