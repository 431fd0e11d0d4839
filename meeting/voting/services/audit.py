"""The audit record of a vote: append-only entries chained by SHA-256 (审计链).

Each entry's hash covers the previous hash and the entry's own content in a canonical
JSON form, so a later edit, insertion or removal is detectable by recomputing the
chain. The head is kept on the vote row, which the caller has locked, so entries of
one round are numbered without gaps even when ballots arrive on many sockets at once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from core import clock
from meeting.voting.models import AuditEntry, Vote

GENESIS = "0" * 64


def entry_hash(prev_hash: str, vote_id: int, seq: int, kind: str, member, body, at) -> str:
    """SHA-256 over the previous hash and the canonical JSON of the entry."""
    content = json.dumps(
        {
            "vote": vote_id,
            "seq": seq,
            "kind": kind,
            "member": member,
            "body": body,
            "at": at.isoformat(),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


def append(
    vote: Vote,
    kind: str,
    *,
    member_id: int | None = None,
    body: dict | None = None,
    also: dict | None = None,
):
    """Add an entry to a locked vote's chain and move the head; returns the entry.

    ``also`` holds further updates of the vote row to make in the same statement (the
    ballot counter), saving a round trip on the hot path of casting.
    """
    body = body or {}
    at = clock.now()
    seq = vote.audit_seq + 1
    digest = entry_hash(vote.audit_head, vote.pk, seq, kind, member_id, body, at)
    entry = AuditEntry.objects.create(
        vote=vote,
        seq=seq,
        kind=kind,
        member_id=member_id,
        body=body,
        at=at,
        prev_hash=vote.audit_head,
        hash=digest,
    )
    vote.audit_seq, vote.audit_head = seq, digest
    Vote.objects.filter(pk=vote.pk).update(audit_seq=seq, audit_head=digest, **(also or {}))
    return entry


@dataclass(frozen=True)
class ChainCheck:
    intact: bool
    entries: int
    first_bad_seq: int | None
    head: str

    def as_dict(self) -> dict:
        return {
            "intact": self.intact,
            "entries": self.entries,
            "first_bad_seq": self.first_bad_seq,
            "head": self.head,
        }


def verify(vote: Vote) -> ChainCheck:
    """Recompute the chain from the stored entries; the first entry that fails is named."""
    prev, expected_seq = GENESIS, 1
    rows = list(AuditEntry.objects.filter(vote=vote).order_by("seq"))
    for row in rows:
        digest = entry_hash(prev, vote.pk, row.seq, row.kind, row.member_id, row.body, row.at)
        if row.seq != expected_seq or row.prev_hash != prev or row.hash != digest:
            return ChainCheck(False, len(rows), row.seq, vote.audit_head)
        prev, expected_seq = digest, expected_seq + 1
    intact = prev == vote.audit_head and len(rows) == vote.audit_seq
    return ChainCheck(intact, len(rows), None if intact else expected_seq, vote.audit_head)


def member_entries(vote: Vote, member_id: int) -> list[dict]:
    """A member's own entries, to check that their named ballot is in the record."""
    return [
        {"seq": e.seq, "kind": e.kind, "body": e.body, "at": e.at.isoformat(), "hash": e.hash}
        for e in AuditEntry.objects.filter(vote=vote, member_id=member_id).order_by("seq")
    ]
