"""What the consumer needs of Daphne's socket below Channels: pending bytes, a fast lane.

Daphne gives the application a ``send`` that is ``partial(server.handle_reply,
protocol)``; the protocol is autobahn's ``WebSocketServerProtocol`` and its Twisted
transport holds what is still to be written.

* ``pending_probe``: how many bytes are on their way to a socket's tablet and not yet
  acknowledged by it (queued in Twisted or in the kernel). A tablet that stops reading (asleep, a dead Wi-Fi link the kernel has not noticed yet)
  makes the server queue every event for it; the consumer closes it past a bound.
* ``fast_writer``: the fan-out's fast lane (Phoenix calls its own "fastlane"). A
  server's text frame is the same bytes for every socket (no mask, no per-socket
  compression: Daphne negotiates none), so the hub frames an event once
  (``text_frame``) and writes those bytes to each socket's transport. Through
  ``send`` each socket instead ran Daphne's reply dispatch, autobahn's ``sendMessage``
  checks, its frame building and its eager debug-log arguments: most of a broadcast's
  per-socket CPU. The lane is taken only while autobahn could not tell the
  difference — the socket open, no fragmented message or queued chop in progress —
  and otherwise the caller sends the usual way. The bytes go to the kernel at once
  when nothing is queued before them (``_write_now``).

Both return None where there is no such protocol (the test communicator).
"""

from __future__ import annotations

import fcntl
import functools
import struct
import termios
from collections.abc import Callable

from autobahn.websocket.protocol import WebSocketProtocol as _WS

_OUTQ = getattr(termios, "TIOCOUTQ", None)  # Linux's SIOCOUTQ: a socket's send queue


def _twisted_pending(transport) -> int:
    """Bytes queued in Twisted plus bytes the kernel holds that the tablet has not acked.

    The kernel's share counts: the fast lane hands frames to the kernel at once, and on
    Linux its send buffer grows to ``tcp_wmem``'s maximum (4 MiB here) for a tablet that
    stopped reading, so Twisted's queue alone would say nothing until then.
    """
    # twisted.internet.abstract.FileDescriptor: dataBuffer[offset:] + _tempDataBuffer
    queued = len(transport.dataBuffer) - transport.offset + transport._tempDataLen
    return queued + _kernel_pending(getattr(transport, "socket", None))


def _kernel_pending(sock) -> int:
    """The socket's send queue in the kernel (unsent + unacknowledged), 0 if unknown."""
    if sock is None or _OUTQ is None:
        return 0
    try:
        return struct.unpack("i", fcntl.ioctl(sock.fileno(), _OUTQ, b"\0\0\0\0"))[0]
    except (OSError, ValueError):  # closed meanwhile: nothing is pending any more
        return 0


def _protocol(send: Callable, depth: int = 0):
    """The autobahn protocol behind the middleware's wrappers of Daphne's ``send``."""
    if depth > 8 or send is None:
        return None
    if isinstance(send, functools.partial):
        for arg in send.args:
            transport = getattr(arg, "transport", None)
            if transport is not None and hasattr(transport, "_tempDataLen"):
                return arg
        return _protocol(send.func, depth + 1)
    owner = getattr(send, "__self__", None)
    inner = getattr(owner, "real_send", None)  # channels.sessions.InstanceSessionWrapper
    if inner is not None:
        return _protocol(inner, depth + 1)
    return None


def pending_probe(send: Callable) -> Callable[[], int] | None:
    """A zero-argument function giving the pending bytes of this socket, if knowable."""
    protocol = _protocol(send)
    if protocol is None:
        return None
    return functools.partial(_twisted_pending, protocol.transport)


def text_frame(text: str) -> bytes:
    """One unfragmented, unmasked WebSocket text frame (RFC 6455 §5.2) carrying ``text``."""
    payload = text.encode("utf-8")
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", 0x81, n)
    elif n < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, n)
    else:
        header = struct.pack("!BBQ", 0x81, 127, n)
    return header + payload


def _write_frame(protocol, frame: bytes) -> bool:
    if (
        protocol.state != _WS.STATE_OPEN
        or protocol.send_state != _WS.SEND_STATE_GROUND
        or protocol.send_queue
        or protocol._perMessageCompress is not None
        or protocol.transport is None
    ):
        return False
    _write_now(protocol.transport, frame)
    return True


def _write_now(transport, frame: bytes) -> None:
    """Send ``frame`` on the socket now if nothing is queued before it, else queue it.

    Twisted's ``write`` always queues and registers the socket for writability, then
    unregisters it once drained: two ``epoll_ctl`` calls and asyncio's selector
    bookkeeping per socket per event, most of a broadcast's cost at 2,000 sockets
    (py-spy). asyncio's own transports try the send first; so does this. What the
    kernel does not take (a full buffer) is queued behind it in Twisted as usual, and
    an error is left for Twisted to meet on its own path.
    """
    sock = getattr(transport, "socket", None)
    idle = (
        sock is not None
        and not getattr(transport, "TLS", False)
        and transport.connected
        and not transport.disconnecting
        and not transport._writeDisconnected
        and transport._tempDataLen == 0
        and len(transport.dataBuffer) == transport.offset
    )
    if not idle:
        transport.write(frame)
        return
    try:
        sent = sock.send(frame)
    except (BlockingIOError, InterruptedError):
        sent = 0
    except OSError:
        transport.write(frame)
        return
    if sent < len(frame):
        transport.write(frame[sent:])


def fast_writer(send: Callable) -> Callable[[bytes], bool] | None:
    """``write(frame) -> bool``: the frame written as is, or False (send it the usual way)."""
    protocol = _protocol(send)
    if protocol is None or not hasattr(protocol, "send_state"):
        return None
    return functools.partial(_write_frame, protocol)
