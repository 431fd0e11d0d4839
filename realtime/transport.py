"""How many bytes a socket's server has not yet handed to the kernel (slow readers).

A tablet that stops reading (asleep, a dead Wi-Fi link the kernel has not noticed yet)
makes the server queue every event for it. Daphne gives the application a ``send``
that is ``partial(server.handle_reply, protocol)``; the protocol's Twisted transport
holds what is still to be written. ``pending_probe`` finds that transport behind the
middleware's send wrappers and returns a function of the pending byte count, or None
where there is no such transport (the test communicator).
"""

from __future__ import annotations

import functools
from collections.abc import Callable


def _twisted_pending(transport) -> int:
    # twisted.internet.abstract.FileDescriptor: dataBuffer[offset:] + _tempDataBuffer
    return len(transport.dataBuffer) - transport.offset + transport._tempDataLen


def pending_probe(send: Callable, depth: int = 0) -> Callable[[], int] | None:
    """A zero-argument function giving the pending bytes of this socket, if knowable."""
    if depth > 8 or send is None:
        return None
    if isinstance(send, functools.partial):
        for arg in send.args:
            transport = getattr(arg, "transport", None)
            if transport is not None and hasattr(transport, "_tempDataLen"):
                return functools.partial(_twisted_pending, transport)
        return pending_probe(send.func, depth + 1)
    owner = getattr(send, "__self__", None)
    inner = getattr(owner, "real_send", None)  # channels.sessions.InstanceSessionWrapper
    if inner is not None:
        return pending_probe(inner, depth + 1)
    return None
