"""The one error type services raise; its ``code`` is a protocol error code."""

from __future__ import annotations


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
        (``realtime.protocol.messages``), the service's English kept as ``detail``."""
        from realtime.protocol.messages import localize

        message, original = localize(self.code, self.message)
        out: dict = {"code": self.code, "message": message}
        if original:
            out["detail"] = original
        if self.details:
            out["details"] = self.details
        return out
