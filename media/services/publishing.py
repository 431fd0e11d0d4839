"""Who may publish a camera into a sitting, and the Publisher rows that say who does.

Decision (documented in docs/media.md): tablets publish for the whole group sitting,
not only while holding the floor. Negotiating a peer takes a second or more (ICE,
DTLS, the first keyframe), which would cut the start of every speech; a running peer
costs only receiving (it is decoded only while it holds the floor, media/gate.py), and
a two-second pre-roll is kept so the speech starts exactly at the floor grant.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol

from django.db import OperationalError, transaction

from core import clock, events, policy
from core.errors import DomainError
from core.models import Member, Sitting
from core.roster import on_roster
from media.models import Publisher, Recording

log = logging.getLogger(__name__)


class Context(Protocol):
    """Who asks (a socket's identity in the sitting; ``realtime.context.Context`` fits)."""

    user_id: int
    sitting_id: int
    role: str
    member_id: int | None


# media.publish (core/policy.py): a seat publishes its own camera, these the room camera.
MEMBER_ROLES = tuple(str(r.value) for r in policy.TABLET_ROLES)
ROOM_ROLES = ("clerk", "display")


def check_may_publish(ctx: Context, kind: str, member_id: int | None) -> Member | None:
    """The member a publisher speaks for (None for the room camera), or a refusal."""
    sitting = Sitting.objects.select_related("session").get(pk=ctx.sitting_id)
    if sitting.kind != "group":
        raise DomainError(
            "not_group_sitting", "Speeches are recorded in group deliberation sittings only."
        )
    if kind == "room":
        if ctx.role not in ROOM_ROLES:
            raise DomainError(
                "not_publisher", "Only the clerk or the room device publishes the room camera."
            )
        return None
    if ctx.role not in MEMBER_ROLES or ctx.member_id is None:
        raise DomainError("not_publisher", "Only members of the sitting publish their camera.")
    if member_id is not None and member_id != ctx.member_id:
        raise DomainError(
            "publish_for_other",
            "A tablet publishes only for the member logged in on it.",
            member=member_id,
        )
    member = Member.objects.get(pk=ctx.member_id)
    if not on_roster(sitting, member):
        raise DomainError("not_publisher", "The member is not on the roster of this sitting.")
    return member


NEGOTIATING = "negotiating"


LOCK_RETRIES = 5
LOCK_BACKOFF_S = 0.05


def _retry_locked(fn):
    """Run a one-statement write again when SQLite reports its table locked.

    The negotiation runs outside any transaction, so these two small writes race with
    other connections' writes (a live peer's recording rows). SQLite in shared-cache mode
    answers such a race with "table is locked" at once instead of waiting; the statement
    changed nothing, so it is simply tried again a bounded number of times.
    """

    def run(*args, **kwargs):
        for attempt in range(LOCK_RETRIES):
            try:
                return fn(*args, **kwargs)
            except OperationalError as exc:
                if "locked" not in str(exc) or attempt == LOCK_RETRIES - 1:
                    raise
                log.info("%s: %s; retry %d", fn.__name__, exc, attempt + 1)
                time.sleep(LOCK_BACKOFF_S * (attempt + 1))
        raise AssertionError("unreachable")

    return run


@_retry_locked
def reserve(ctx: Context, member: Member | None, kind: str, server: str) -> Publisher:
    """A publisher row for the peer being negotiated: not live, announced to nobody.

    The peer needs its publisher's id before negotiating (its capture files are named
    after it), but the negotiation (ICE, DTLS) must run outside any transaction: on
    SQLite a transaction holds the write lock. So the row is written first as ended
    (``negotiating``), invisible to ``status`` and recovery; ``go_live`` makes it live,
    ``discard`` removes it after a bad offer, so a refused offer leaves nothing behind.
    """
    return Publisher.objects.create(
        sitting_id=ctx.sitting_id,
        member=member,
        kind=kind,
        user_id=ctx.user_id,
        server=server,
        channel_name=ctx.channel_name,
        state=Publisher.State.ENDED,
        end_reason=NEGOTIATING,
    )


@transaction.atomic
def go_live(publisher_id: int) -> list[Publisher]:
    """The peer answered: the publisher is live; the same member's (or room's) earlier
    live publishers end as replaced. Returns those, whose peers the caller closes."""
    pub = Publisher.objects.select_for_update().get(pk=publisher_id)
    earlier = list(
        Publisher.objects.select_for_update()
        .filter(sitting_id=pub.sitting_id, kind=pub.kind, member=pub.member_id)
        .filter(state=Publisher.State.LIVE)
        .exclude(pk=pub.pk)
    )
    for old in earlier:
        _end(old, "replaced")
    pub.state, pub.end_reason, pub.ended_at = Publisher.State.LIVE, "", None
    pub.save(update_fields=["state", "end_reason", "ended_at"])
    _announce(pub)
    return earlier


@_retry_locked
def discard(publisher_id: int) -> None:
    """Remove a reserved publisher whose offer was refused (it was never live)."""
    Publisher.objects.filter(pk=publisher_id, end_reason=NEGOTIATING).delete()


def _end(pub: Publisher, reason: str) -> None:
    pub.state, pub.ended_at, pub.end_reason = Publisher.State.ENDED, clock.now(), reason
    pub.save(update_fields=["state", "ended_at", "end_reason"])
    _announce(pub)


@transaction.atomic
def ended(publisher_id: int, reason: str) -> Publisher | None:
    """The peer closed or failed: the publisher is no longer live."""
    pub = Publisher.objects.select_for_update().filter(pk=publisher_id).first()
    if pub is None or pub.state == Publisher.State.ENDED:
        return pub
    _end(pub, reason)
    return pub


def own_live(ctx: Context) -> list[Publisher]:
    return list(
        Publisher.objects.filter(
            sitting_id=ctx.sitting_id, user_id=ctx.user_id, state=Publisher.State.LIVE
        )
    )


def _announce(pub: Publisher) -> None:
    payload = publisher_payload(pub)
    for role in sorted(policy.LIVE_ROLES):
        events.notify(
            events.role(pub.sitting_id, role), "media.publisher_changed", payload, pub.sitting_id
        )


def publisher_payload(pub: Publisher) -> dict:
    return {
        "publisher": pub.pk,
        "kind": pub.kind,
        "member": pub.member_id,
        "live": pub.state == Publisher.State.LIVE,
        "reason": pub.end_reason,
    }


def status(sitting_id: int) -> dict:
    """Who publishes and who is being recorded now (console view, snapshot part)."""
    pubs = Publisher.objects.filter(sitting_id=sitting_id, state=Publisher.State.LIVE)
    recs = Recording.objects.filter(
        sitting_id=sitting_id,
        state__in=(Recording.State.RECORDING, Recording.State.FINALISING),
    ).exclude(source=Recording.Source.ROOM, member=None)
    return {
        "publishers": [publisher_payload(p) for p in pubs.order_by("pk")],
        "recording": [
            {
                "recording": r.pk,
                "member": r.member_id,
                "source": r.source,
                "state": r.state,
                "started_at": r.started_at.isoformat(),
            }
            for r in recs.order_by("pk")
        ],
    }
