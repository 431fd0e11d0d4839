"""This server process's name, and whether another one is still alive.

Several layers name the process that holds something (a socket, a WebRTC peer, a
recording): ``SERVER_ID`` is ``host:pid``. Whether a process on another host is alive
is known only to the delivery layer, which sees its sockets refresh; it registers that
answer here at start (``register_seen``) so the layers below can ask without importing it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable

SERVER_ID = f"{socket.gethostname()}:{os.getpid()}"

_seen: Callable[[str], bool] | None = None


def register_seen(check: Callable[[str], bool]) -> None:
    """Install the delivery layer's answer to "was ``server`` seen recently?"."""
    global _seen
    _seen = check


def seen_recently(server: str) -> bool:
    """Has ``server`` (``host:pid``) shown signs of life lately? False if nobody can tell."""
    return _seen(server) if _seen is not None else False
