"""The one error type services raise; its ``code`` is a protocol error code."""

from __future__ import annotations

from collections.abc import Callable

# (code, English message) -> (message for the reader, the English kept or None); set by
# the protocol app at start (realtime.apps: realtime.protocol.messages.localize), so the
# domain imports nothing from realtime. Unset: the service's message as it is.
Localizer = Callable[[str, str], tuple[str, str | None]]
_localize: Localizer | None = None


def register_localizer(fn: Localizer) -> None:
    """Install the translation of messages by code (once, from ``AppConfig.ready``)."""
    global _localize
    _localize = fn


class DomainError(Exception):
    """A rule of the committee refused the action.

    ``code`` is one of the error codes in ``realtime.protocol.errors`` so the consumer
    can answer the client without translating; ``message`` is for people.
    """

    def __init__(self, code: str, message: str, **details: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def as_dict(self) -> dict:
        """The answer for the client: on a Chinese interface the message is Chinese
        (the registered localizer), the service's English kept as ``detail``."""
        message, original = (
            _localize(self.code, self.message) if _localize else (self.message, None)
        )
        out: dict = {"code": self.code, "message": message}
        if original:
            out["detail"] = original
        if self.details:
            out["details"] = self.details
        return out
