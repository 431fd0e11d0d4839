"""The fan-out's fast lane (realtime/transport.py): the frame bytes, and when it is taken.

End to end, over real Daphne processes, tests/e2e/test_redis_cluster.py checks that
events reach every socket through this lane (the process's frame counters).
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

import pytest
from autobahn.websocket.protocol import WebSocketProtocol as WS
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from realtime.transport import _write_frame, fast_writer, pending_probe, text_frame


def _parse(data: bytes) -> Frame:
    reader = StreamReader()
    reader.feed_data(data)
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        return done.value
    raise AssertionError("the frame was incomplete")


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 200_000])
def test_text_frame_is_one_final_unmasked_text_frame(size):
    text = ("议" * size)[:size]  # three bytes per character: lengths cross every boundary
    frame = _parse(text_frame(text))
    assert frame.opcode == Opcode.TEXT and frame.fin
    assert not (frame.rsv1 or frame.rsv2 or frame.rsv3)
    assert frame.data.decode("utf-8") == text


class _Transport:
    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.dataBuffer, self.offset, self._tempDataLen = b"", 0, 0

    def write(self, data: bytes) -> None:
        self.written.append(data)
        self._tempDataLen += len(data)


def _protocol(**over):
    state = dict(
        state=WS.STATE_OPEN,
        send_state=WS.SEND_STATE_GROUND,
        send_queue=[],
        _perMessageCompress=None,
        transport=_Transport(),
    )
    state.update(over)
    return SimpleNamespace(**state)


async def _daphne_send(protocol, message):  # Daphne's send is partial(handle_reply, protocol)
    raise AssertionError("not called")


def test_the_lane_writes_the_frame_as_is_to_an_open_socket():
    protocol = _protocol()
    write = fast_writer(functools.partial(_daphne_send, protocol))
    assert write(b"\x81\x02hi") is True
    assert protocol.transport.written == [b"\x81\x02hi"]
    assert pending_probe(functools.partial(_daphne_send, protocol))() == 4


@pytest.mark.parametrize(
    "over",
    [
        {"state": WS.STATE_CLOSING},  # closing: autobahn would drop it; so does the lane
        {"state": WS.STATE_CLOSED},
        {"send_state": WS.SEND_STATE_INSIDE_MESSAGE},  # inside a fragmented message
        {"send_queue": [(b"x", True)]},  # a chopped write still queued: order first
        {"_perMessageCompress": object()},  # compression: frames differ per socket
        {"transport": None},
    ],
)
def test_the_lane_declines_whenever_autobahn_could_tell_the_difference(over):
    protocol = _protocol(**over)
    assert _write_frame(protocol, b"\x81\x00") is False
    if protocol.transport is not None:
        assert protocol.transport.written == []


def test_no_lane_without_daphne():
    """The test communicator's send has no protocol behind it: the usual send is used."""

    async def send(message):
        return None

    assert fast_writer(send) is None and pending_probe(send) is None


class _SocketTransport(_Transport):
    """The parts of Twisted's TCP transport ``_write_now`` reads, over a real socket."""

    def __init__(self, sock) -> None:
        super().__init__()
        self.socket, self.TLS = sock, False
        self.connected, self.disconnecting, self._writeDisconnected = True, False, False


@pytest.fixture
def pair():
    import socket

    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    yield a, b
    a.close()
    b.close()


def _drain(sock) -> bytes:
    out = b""
    while True:
        try:
            chunk = sock.recv(1 << 20)
        except BlockingIOError:
            return out
        if not chunk:
            return out
        out += chunk


def test_an_idle_socket_gets_the_frame_at_once_without_queueing(pair):
    from realtime.transport import _write_now

    a, b = pair
    transport = _SocketTransport(a)
    _write_now(transport, text_frame("第一项"))
    assert transport.written == []  # nothing handed to Twisted's queue
    assert _parse(_drain(b)).data.decode() == "第一项"


def test_what_the_kernel_does_not_take_is_queued_behind_it_in_order(pair):
    import socket

    from realtime.transport import _write_now

    a, b = pair
    a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    frame = text_frame("页" * 400_000)  # 1.2 MB: far more than the socket buffer
    transport = _SocketTransport(a)
    _write_now(transport, frame)
    assert len(transport.written) == 1  # the rest, queued once
    sent = _drain(b)
    assert 0 < len(sent) < len(frame)
    assert sent + transport.written[0] == frame
    # a second frame now waits behind the queued bytes instead of overtaking them
    _write_now(transport, text_frame("next"))
    assert transport.written[1] == text_frame("next")


@pytest.mark.parametrize(
    "over", [{"disconnecting": True}, {"_writeDisconnected": True}, {"TLS": True}]
)
def test_a_closing_or_tls_transport_is_left_to_twisted(pair, over):
    from realtime.transport import _write_now

    a, b = pair
    transport = _SocketTransport(a)
    for k, v in over.items():
        setattr(transport, k, v)
    _write_now(transport, b"\x81\x00")
    assert transport.written == [b"\x81\x00"] and _drain(b) == b""


def test_pending_counts_what_the_kernel_holds_for_a_tablet_that_stopped_reading(pair):
    """The fast lane hands frames to the kernel: its unacknowledged bytes are pending too."""
    from realtime.transport import _write_now

    a, b = pair
    transport = _SocketTransport(a)
    probe = pending_probe(functools.partial(_daphne_send, SimpleNamespace(transport=transport)))
    assert probe() == 0
    _write_now(transport, text_frame("x" * 20_000))  # b never reads
    assert transport.written == []  # all of it in the kernel, none in Twisted's queue
    assert probe() >= 20_000
    _drain(b)
    assert probe() == 0
