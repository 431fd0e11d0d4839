"""Private parts of other packages that Yiting reaches into, each checked by name.

The code patches or reads a few internals on its hot paths (each place says why). A
new release of the package may rename or reshape them; these tests fail with the file to
re-check instead of letting the product misbehave quietly. ``CHECKED`` lists the
versions each was checked against: a version outside it fails here, by design, until
someone has re-read the internal and widened the entry (and pyproject's upper bound).
"""

from __future__ import annotations

import inspect
from importlib.metadata import version

import pytest

# distribution -> (major.minor versions checked, the file that reaches into it)
CHECKED = {
    "django": ({"5.2"}, "realtime/runner.py (_savepoint_allowed)"),
    "channels": ({"4.1", "4.2", "4.3"}, "realtime/consumers.py (dispatch)"),
    "daphne": ({"4.1", "4.2"}, "realtime/server.py (WebSocketFactory)"),
    "autobahn": ({"24.4", "25.6", "25.12", "26.10"}, "realtime/transport.py, realtime/server.py"),
    "twisted": ({"24.11", "25.5", "26.10"}, "realtime/transport.py (transport buffers)"),
    "aiortc": ({"1.9", "1.10", "1.11", "1.12", "1.13", "1.14", "1.15", "1.16"}, "media/gate.py"),
    "pypdf": ({"5.9", "6.0", "6.1", "6.4", "7.1"}, "docs_store/watermark.py (_add_object)"),
}


def _minor(dist: str) -> str:
    return ".".join(version(dist).split(".")[:2])


@pytest.mark.parametrize("dist", sorted(CHECKED))
def test_the_installed_version_was_checked(dist):
    checked, where = CHECKED[dist]
    assert _minor(dist) in checked, (
        f"{dist} {version(dist)} was not checked against the internals {where} uses: "
        f"re-read them, then add {_minor(dist)} to tests/test_internals.py CHECKED"
    )


def test_django_asks_the_connection_before_each_savepoint():
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.transaction import Atomic

    assert callable(BaseDatabaseWrapper._savepoint_allowed), "realtime/runner.py shadows it"
    assert "_savepoint_allowed" in inspect.getsource(BaseDatabaseWrapper.savepoint)
    assert "savepoint" in inspect.getsource(Atomic.__enter__)


def test_channels_dispatch_is_what_the_consumer_overrides():
    from channels.consumer import AsyncConsumer, get_handler_name

    source = inspect.getsource(AsyncConsumer.dispatch)
    assert list(inspect.signature(AsyncConsumer.dispatch).parameters) == ["self", "message"]
    assert "get_handler_name" in source, "realtime/consumers.py dispatch mirrors this"
    assert get_handler_name({"type": "websocket.receive"}) == "websocket_receive"


def test_daphne_builds_its_websocket_factory_from_the_module_name():
    from daphne import server
    from daphne.ws_protocol import WebSocketFactory

    assert server.WebSocketFactory is WebSocketFactory or issubclass(
        server.WebSocketFactory, WebSocketFactory
    )
    assert "WebSocketFactory(" in inspect.getsource(server.Server.run)


def test_autobahn_protocol_internals_the_fast_lane_reads():
    from autobahn.websocket import protocol

    assert callable(protocol.pformat), "realtime/server.py defers it"
    source = inspect.getsource(protocol.WebSocketProtocol)
    assert "_perMessageCompress" in source, "realtime/transport.py reads it"
    assert "failByDrop" in source


def test_twisted_transport_buffers_the_fast_lane_reads():
    from twisted.internet import abstract

    source = inspect.getsource(abstract.FileDescriptor)
    for name in ("dataBuffer", "offset", "_tempDataLen", "_writeDisconnected"):
        assert name in source, f"realtime/transport.py reads FileDescriptor.{name}"


def test_aiortc_decoder_worker_has_the_signature_the_gate_replaces():
    import aiortc.rtcrtpreceiver as receiver

    from media import gate

    theirs = list(inspect.signature(gate.AIORTC_DECODER_WORKER).parameters)
    ours = list(inspect.signature(gate.decoder_worker).parameters)
    assert theirs == ours, "media/gate.py replaces aiortc's decoder_worker: re-read it"
    assert gate.AIORTC_DECODER_WORKER.__module__ == "aiortc.rtcrtpreceiver"
    assert "decoder_worker" in inspect.getsource(receiver.RTCRtpReceiver)


def test_pypdf_writer_internals_the_watermark_uses():
    from pypdf import PdfWriter

    writer = PdfWriter()
    for name in ("_add_object", "_root_object", "_objects"):
        assert hasattr(writer, name), f"docs_store/watermark.py uses PdfWriter.{name}"
