"""Reading a download's name back from its ``Content-Disposition`` (RFC 6266).

The header must carry both forms, ASCII first: ``filename="…"`` for old clients and
``filename*=UTF-8''…`` (RFC 5987 percent-encoding) with the name people read.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import unquote

SHAPE = re.compile(
    r"^(?P<kind>attachment|inline); filename=\"(?P<ascii>[\x20-\x21\x23-\x5b\x5d-\x7e]+)\"; "
    r"filename\*=UTF-8''(?P<name>[A-Za-z0-9%!#$&+.^_`|~-]+)$"
)


class Named(NamedTuple):
    kind: str
    ascii: str
    name: str


def download_name(response) -> Named:
    header = response["Content-Disposition"]
    m = SHAPE.match(header)
    assert m, f"not an RFC 6266 header with an ASCII and a UTF-8 name: {header!r}"
    return Named(m["kind"], m["ascii"], unquote(m["name"], encoding="utf-8", errors="strict"))
