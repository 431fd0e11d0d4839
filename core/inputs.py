"""Values from the outside (query strings, forms, JSON bodies, socket frames), parsed once.

Every number a client sends is parsed here with bounds, every string is checked to be
valid Unicode, before a service or the database sees it. A bad value becomes a
``DomainError("invalid", …, field=name)`` that views answer with HTTP 400 and the
field named; nothing reaches ``int()`` or a query unparsed.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError

# The largest integer every client (JavaScript) represents exactly; ids and counts
# beyond it are no one's, and beyond 2**63 the database cannot even hold them.
MAX_INT = 2**53 - 1
_ASCII_INT = re.compile(r"[+-]?[0-9]{1,16}", re.ASCII)


def bad_value(obj: object) -> str | None:
    """``"unicode"`` or ``"number"`` when a value in decoded JSON cannot be used, else None.

    JSON lets a client escape a lone surrogate (``"\\ud800"``); Python decodes it into a
    string that can be neither sent back nor stored. JSON integers are unbounded.
    """
    stack = [obj]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if not value.isascii() and not valid_text(value):
                return "unicode"
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int):
            if not -MAX_INT <= value <= MAX_INT:
                return "number"
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return None


def valid_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def validate_text(value: object) -> None:
    """Form validator: no lone surrogates, no NUL (neither can be stored or echoed)."""
    if isinstance(value, str) and (not valid_text(value) or "\x00" in value):
        raise ValidationError(gettext_lazy("This text holds characters that are not allowed."))


class BoundedIntegerField(forms.IntegerField):
    """An integer in ASCII digits within ``[min_value, max_value]`` (default ±MAX_INT).

    Django's own field accepts any Unicode digit and no bound unless told; ``"²"``
    then fails later in ``int()`` and ``10**23`` in the database.
    """

    def __init__(self, *, min_value: int = -MAX_INT, max_value: int = MAX_INT, **kw) -> None:
        super().__init__(min_value=min_value, max_value=max_value, **kw)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not _ASCII_INT.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


class IdField(BoundedIntegerField):
    """The id of a row: 1 … MAX_INT."""

    def __init__(self, **kw) -> None:
        kw.setdefault("min_value", 1)
        super().__init__(**kw)


class TextField(forms.CharField):
    """A CharField that refuses lone surrogates and NUL with a message, not a 500."""

    default_validators = [validate_text]

    def to_python(self, value):
        if isinstance(value, str) and not valid_text(value):
            raise ValidationError(gettext_lazy("This text holds characters that are not allowed."))
        return super().to_python(value)


def form_error(form: forms.Form) -> DomainError:
    """The first bad field of ``form`` as ``invalid`` naming it, every field in details."""
    fields = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    first = next(iter(fields))
    return DomainError(
        "invalid",
        _("“%(field)s” is not valid: %(problem)s") % {"field": first, "problem": fields[first][0]},
        field=first,
        fields=fields,
    )


def parse(form_class: type[forms.Form], data) -> dict:
    """``form_class(data)``'s cleaned data, or ``DomainError("invalid")`` naming the field."""
    form = form_class(data)
    if not form.is_valid():
        raise form_error(form)
    return form.cleaned_data


def parse_id(name: str, raw: object) -> int | None:
    """One optional id from the outside (``None`` when absent or empty)."""
    field = IdField(required=False)
    try:
        return field.clean(raw)
    except ValidationError as exc:
        raise DomainError(
            "invalid",
            _("“%(field)s” must be a whole number from 1 to %(max)s.")
            % {"field": name, "max": MAX_INT},
            field=name,
            problem=exc.messages[0],
        ) from None
