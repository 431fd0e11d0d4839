"""The aiortc peers this server process holds, one per publisher, and their capture workers.

The socket that negotiated a peer owns it: the peer lives in the event loop of the
Daphne process that received the offer, and ``Publisher.server`` names that process.
Commands for a peer held by another process (start/stop recording) travel over the
channel layer to that process's ``process_channel()``; see ``deliver``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from dataclasses import dataclass, field

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from core.process import SERVER_ID
from media import gate as _gate
from media.capture import Capture

log = logging.getLogger(__name__)


class BadOffer(ValueError):
    """The SDP offer could not be used (garbage, or no audio/video to receive)."""


class UnrecordedCodec(BadOffer):
    """A stream of the offer is only in codecs this server cannot receive and record."""


def check_codecs(sdp: str) -> None:
    """Refuse, naming them, media sections whose codecs aiortc cannot decode (e.g. VP9 only).

    aiortc would fail the whole negotiation with an opaque error; the tablet is told which
    stream and codecs, and the speech falls back to the room camera when there is one.
    """
    from aiortc import RTCRtpReceiver

    kind, offered = None, []
    problems = []

    def close_section() -> None:
        if kind in ("audio", "video") and offered:
            known = {
                c.mimeType.split("/")[1].lower()
                for c in RTCRtpReceiver.getCapabilities(kind).codecs
            }
            media = [c for c in offered if c.lower() not in ("rtx", "red", "ulpfec", "flexfec-03")]
            if media and not any(c.lower() in known for c in media):
                problems.append(f"{kind}: {', '.join(sorted(set(media)))}")

    for line in sdp.splitlines():
        if line.startswith("m="):
            close_section()
            kind, offered = line[2:].split(" ", 1)[0], []
        elif line.startswith("a=rtpmap:") and " " in line:
            offered.append(line.split(" ", 1)[1].split("/", 1)[0])
    close_section()
    if problems:
        raise UnrecordedCodec(
            "this server records VP8 or H.264 video and Opus, G.711 or G.722 audio; "
            "the offer has " + "; ".join(problems)
        )


def answered_codecs(sdp: str) -> dict[str, str]:
    """The codec each stream of an answer will carry: the first payload of each m= line."""
    out: dict[str, str] = {}
    kind, first = None, None
    names: dict[str, str] = {}
    for line in [*sdp.splitlines(), "m=end"]:
        if line.startswith("m="):
            if kind in ("audio", "video") and first in names and kind not in out:
                out[kind] = names[first]
            parts = line[2:].split()
            kind, first, names = parts[0], (parts[3] if len(parts) > 3 else None), {}
        elif line.startswith("a=rtpmap:") and " " in line:
            pt, rest = line[len("a=rtpmap:") :].split(" ", 1)
            names[pt] = rest.split("/", 1)[0]
    return out


def passthrough_enabled() -> bool:
    """Record members' VP8/Opus as it arrives (default); ``YITING_MEDIA_PASSTHROUGH=0``
    (or ``settings.MEDIA_PASSTHROUGH = False``) decodes and encodes H.264/AAC as before.
    The bench's comparison modes (``--decode-all``, ``--study``) always decode."""
    if os.environ.get("YITING_MEDIA_DECODE_ALL") == "1":
        return False
    if os.environ.get("YITING_MEDIA_STUDY_NO_DECODE") == "1":
        return False
    env = os.environ.get("YITING_MEDIA_PASSTHROUGH")
    if env is not None:
        return env != "0"
    return bool(getattr(settings, "MEDIA_PASSTHROUGH", True))


def use_passthrough(capture: Capture, answer_sdp: str) -> bool:
    """Turn on passthrough for a member's capture when every stream's codec allows it."""
    from media.passthrough import passes

    if capture.room_dir is not None or not passthrough_enabled():
        return False
    codecs = answered_codecs(answer_sdp)
    if not codecs or not all(passes(kind, name) for kind, name in codecs.items()):
        return False
    capture.enable_passthrough()
    return True


@dataclass
class Peer:
    publisher_id: int
    pc: RTCPeerConnection
    capture: Capture
    tasks: list[asyncio.Task] = field(default_factory=list)
    closed: bool = False


PEERS: dict[int, Peer] = {}


class _CountOnly:
    """A "decoder" that decodes nothing: the bench's measure of a passthrough hot path.

    With ``YITING_MEDIA_STUDY_NO_DECODE=1`` (bench/recording.py ``--study``, never in
    production) aiortc still receives, reorders and depacketises every frame (its jitter
    buffer's output is what a passthrough recorder would write), but hands nothing on:
    the server's CPU is then what receiving costs without decoding.
    """

    def decode(self, encoded_frame) -> list:
        return []


def _study_no_decode() -> None:
    import aiortc.rtcrtpreceiver as receiver

    receiver.get_decoder = lambda codec: _CountOnly()


if os.environ.get("YITING_MEDIA_STUDY_NO_DECODE") == "1":
    _study_no_decode()
_gate.install()
_loop: asyncio.AbstractEventLoop | None = None
_listener: asyncio.Task | None = None


def process_channel(server: str = SERVER_ID) -> str:
    """The channel-layer name of a server process's media inbox."""
    return "media-proc." + re.sub(r"[^A-Za-z0-9_.-]", "-", server)[:90]


def rtc_configuration() -> RTCConfiguration:
    """The configured ICE servers, and none by default (``YITING_ICE_SERVERS``).

    ``RTCPeerConnection()`` without a configuration makes aiortc ask Google's public
    STUN server; a legislature's closed network must make no outside request, so the
    list is always passed, empty unless the operator names servers.
    """
    servers = []
    for url in settings.ICE_SERVERS:
        if url.startswith(("turn:", "turns:")):
            servers.append(
                RTCIceServer(
                    urls=url,
                    username=settings.ICE_USERNAME or None,
                    credential=settings.ICE_CREDENTIAL or None,
                )
            )
        else:
            servers.append(RTCIceServer(urls=url))
    return RTCConfiguration(iceServers=servers)


async def open_peer(publisher_id: int, sdp: str, capture: Capture, on_ended) -> str:
    """Accept an offer: start a receiving peer, its capture worker; return the answer SDP."""
    global _loop
    _loop = asyncio.get_running_loop()
    pc = RTCPeerConnection(configuration=rtc_configuration())
    peer = Peer(publisher_id, pc, capture)
    kinds: set[str] = set()

    @pc.on("track")
    def _on_track(track) -> None:
        kinds.add(track.kind)
        _gate.attach(track, capture.gate_for(track.kind))
        peer.tasks.append(asyncio.ensure_future(_pump(peer, track, on_ended)))

    @pc.on("connectionstatechange")
    async def _on_state() -> None:
        if pc.connectionState in ("failed", "closed"):
            await close_peer(publisher_id, reason=f"connection_{pc.connectionState}")
            on_ended(publisher_id, f"connection_{pc.connectionState}")

    try:
        check_codecs(sdp)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        if not kinds:
            raise BadOffer("the offer has no audio or video to publish")
        capture.kinds = set(kinds)
        await pc.setLocalDescription(await pc.createAnswer())
    except BadOffer:
        await pc.close()
        raise
    except Exception as exc:  # aiortc raises ValueError/AttributeError/... on garbage SDP
        await pc.close()
        raise BadOffer(f"unusable SDP offer: {exc.__class__.__name__}: {exc}") from None
    use_passthrough(capture, pc.localDescription.sdp)
    capture.start()
    PEERS[publisher_id] = peer
    _ensure_listener()
    return pc.localDescription.sdp


async def _pump(peer: Peer, track, on_ended) -> None:
    """Hand decoded frames to the capture worker; nothing heavy runs here."""
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            break
        came = frame.opaque  # when its compressed frame reached the decoder (media.gate)
        peer.capture.feed(track.kind, frame, came if isinstance(came, float) else time.time())
    if not peer.closed:
        await close_peer(peer.publisher_id, reason="track_ended")
        on_ended(peer.publisher_id, "track_ended")


async def close_peer(publisher_id: int, *, reason: str = "closed") -> None:
    peer = PEERS.pop(publisher_id, None)
    if peer is None or peer.closed:
        return
    peer.closed = True
    log.info("closing peer of publisher %s (%s)", publisher_id, reason)
    peer.capture.end()
    await peer.pc.close()
    for t in peer.tasks:
        t.cancel()


def capture_of(publisher_id: int) -> Capture | None:
    peer = PEERS.get(publisher_id)
    return peer.capture if peer else None


# --- commands for a peer, wherever it lives ----------------------------------------------
def deliver(server: str, message: dict) -> None:
    """Run a capture command on the process holding the peer (this one, or over the layer)."""
    if server == SERVER_ID:
        apply(message)
        return
    layer = get_channel_layer()
    if layer is None:
        log.error("no channel layer to reach %s", server)
        return
    async_to_sync(layer.send)(process_channel(server), {"type": "media.command", **message})


def apply(message: dict) -> None:
    """Thread-safe: forward a start/stop/close to the local capture worker."""
    pid = message["publisher"]
    op = message["op"]
    if op == "close":
        if _loop is not None and pid in PEERS:
            asyncio.run_coroutine_threadsafe(close_peer(pid, reason="unpublished"), _loop)
        return
    cap = capture_of(pid)
    if cap is None:
        log.warning("no local capture for publisher %s (%s)", pid, op)
        return
    if op == "start":
        from pathlib import Path

        cap.start_recording(message["recording"], Path(message["path"]), message["start"])
    elif op == "stop":
        cap.stop_recording(message["recording"], message["stop_at"])


def _ensure_listener() -> None:
    """Receive commands other processes send to peers held here (multi-process setups)."""
    global _listener
    if _listener is not None and not _listener.done():
        return
    layer = get_channel_layer()
    if layer is None or layer.__class__.__name__ == "InMemoryChannelLayer":
        return  # one process: commands are applied directly
    _listener = asyncio.ensure_future(_listen(layer))


async def _listen(layer) -> None:
    name = process_channel()
    while True:
        try:
            msg = await layer.receive(name)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("media inbox %s failed; retrying", name)
            await asyncio.sleep(1)
            continue
        try:
            apply(msg)
        except Exception:
            log.exception("bad media command %r", msg)
