"""Why a backup or a restore refuses to go on: a code, and a message in two languages.

The operator reads the message in the interface language (Chinese by default, through
gettext); the English message and a stable ``code`` are kept beside it, so a runbook,
a log search or a support request names the same refusal whatever the language.
"""

from __future__ import annotations

from django.utils.translation import gettext


class Refused(Exception):
    """A backup or restore that stopped before doing harm (nothing was written).

    ``message`` is the English template, marked with ``gettext_noop`` where it is
    raised (so ``makemessages`` collects it) and translated here, when it is shown.
    """

    def __init__(self, code: str, message: str, **params: object) -> None:
        self.code = code
        self.english_template = message
        self.params = params
        super().__init__(self.english)

    @property
    def english(self) -> str:
        return self.english_template.format(**self.params)

    @property
    def localized(self) -> str:
        return gettext(self.english_template).format(**self.params)

    def for_operator(self) -> str:
        """The message in the interface language, then the code and the English."""
        english, local = self.english, self.localized
        if local == english:
            return f"[{self.code}] {english}"
        return f"{local}\n[{self.code}] {english}"
