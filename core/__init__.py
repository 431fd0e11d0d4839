"""The shared core (共用底层): what every layer above stands on.

Models, the rulebook (``policy``), domain events and signals, errors, inputs, the clock,
the audit trail's writer, fonts and start-up checks. It imports nothing from the
packages above it (``lint-imports`` checks the layers named in ``pyproject.toml``).
"""
