"""Protocol messages of speech recording (分组审议视频录制): WebRTC signalling and progress.

A tablet publishes its camera and microphone for the whole group sitting with
``media.publish`` (an SDP offer; the reply carries the server's answer). The server
records the publisher's stream while the member holds the floor and files the clip.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from realtime.protocol.base import CommandData, command, event
from realtime.protocol.errors import error_code

BAD_SDP = error_code("bad_sdp", "The SDP offer is not valid or has no audio/video to publish.")
CODEC_NOT_RECORDED = error_code(
    "codec_not_recorded",
    "A stream of the offer is only in codecs the server does not record (it records VP8 or "
    "H.264 video and Opus audio); the speech is recorded from the room camera if there is one.",
)
NOT_PUBLISHER = error_code(
    "not_publisher", "This login may not publish a stream in this sitting (not on its roster)."
)
PUBLISH_FOR_OTHER = error_code(
    "publish_for_other", "A tablet may publish only for the member logged in on it."
)
NOT_GROUP_SITTING = error_code(
    "not_group_sitting", "Speeches are recorded in group deliberation sittings only."
)
DISK_FULL = error_code(
    "disk_full",
    "The server's disk is full: the recording could not be written; nothing "
    "already recorded was lost.",
)
STREAM_MISSING = error_code(
    "stream_missing", "No stream (member tablet or room camera) was there to record the speech."
)

REASON_REQUIRED = error_code(
    "reason_required", "Deleting a clip needs a reason; nothing was deleted."
)

_OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n…"


@command(
    "media.publish",
    example={"sdp": _OFFER, "kind": "member"},
)
class Publish(CommandData):
    """Offer the tablet's camera+microphone (``kind`` member) or the room camera (``room``).

    Answer: ``{"publisher": id, "sdp": "<answer SDP>"}``. The socket that sent the offer
    owns the peer: it lives in that server process. A new offer replaces the sender's
    earlier publisher. ``member`` may be given and must be the tablet's own member.
    """

    sdp: str = Field(min_length=1, max_length=60000)
    kind: Literal["member", "room"] = "member"
    member: int | None = None


@command("media.unpublish", example={})
class Unpublish(CommandData):
    """Stop publishing (the tablet leaves or turns its camera off)."""


@command("media.status", example={})
class Status(CommandData):
    """Who publishes and who is being recorded now (same as the ``media`` snapshot part)."""


_REC = {
    "recording": 7,
    "member": 12,
    "entry": 31,
    "item": 3,
    "source": "member",
    "state": "recording",
    "started_at": "2026-11-24T09:12:00+00:00",
    "ended_at": None,
    "stream_lost": False,
}
RECORDING_STARTED = event(
    "media.recording_started",
    "The floor holder's speech is being recorded (source: member stream or room camera).",
    _REC,
)
RECORDING_STOPPED = event(
    "media.recording_stopped",
    "Recording stopped (floor ended, or the stream stopped: ``stream_lost``); finalising.",
    {**_REC, "state": "finalising", "ended_at": "2026-11-24T09:14:03+00:00"},
)
CLIP_READY = event(
    "media.clip_ready",
    "The clip is playable and filed to the member's file.",
    {
        "clip": "3f1c…",
        "recording": 7,
        "member": 12,
        "item": 3,
        "duration_s": 123.4,
        "stream_lost": False,
        "url": "/media/clips/3f1c…/",
    },
)
RECORDING_FAILED = event(
    "media.recording_failed",
    "A speech could not be recorded or finalised (``code``: disk_full, stream_missing…).",
    {"recording": 7, "member": 12, "code": "disk_full", "message": "…"},
)
NOT_RECORDED = event(
    "media.not_recorded",
    "The floor was granted but neither the member nor a room camera publishes.",
    {"member": 12, "entry": 31, "code": "stream_missing"},
)
DISK_LOW = event(
    "media.disk_low",
    "Free disk is getting close to the threshold below which recordings are refused.",
    {"free_bytes": 3 << 30, "warn_below_bytes": 4 << 30, "refuse_below_bytes": 1 << 30},
    sequenced=False,
    audience="clerks and chairs of the sitting (the console)",
)
CLIP_PROGRESS = event(
    "media.clip_progress",
    "Progress of a clip being finalised (steps done of total).",
    {"recording": 7, "member": 12, "done": 2, "total": 4},
    sequenced=False,
)
PUBLISHER_CHANGED = event(
    "media.publisher_changed",
    "A tablet or the room camera started or stopped publishing.",
    {"publisher": 5, "kind": "member", "member": 12, "live": True, "reason": ""},
    sequenced=False,
    audience="clerks and chairs of the sitting",
)
CLIP_DELETED = event(
    "media.clip_deleted",
    "Staff deleted a clip (with a recorded reason); its links now answer 410 Gone.",
    {"clip": "3f1c…", "member": 12},
)
