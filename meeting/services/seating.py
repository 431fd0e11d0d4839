"""The seat plan (座位图): where each member of a sitting sits, as rows facing the chair.

A room's layout is stored per term and room (``SeatLayout``): rows front first, each a
list of seat numbers left to right as the chair sees them, ``""`` for a gap (an aisle).
A room without a saved layout gets one made from its roster's seat numbers in order,
as the shallow arcs of a committee room: a short front row, each row behind it two
seats longer. The console draws the plan (``plan``) and the clerk edits it
(``save_layout``, rule ``seating.save``); members of the roster whose seat is not in
the layout (or who have no seat) are listed in ``unplaced`` so nobody is left off.
"""

from __future__ import annotations

import math
import re

from django.db import transaction

from core import events, policy
from core.errors import DomainError
from core.models import Member, SeatLayout, Sitting, Term
from core.roster import sitting_roster

MAX_ROWS = 40
MAX_PER_ROW = 80
MAX_SEAT_LEN = 20  # Member.seat


def seat_key(seat: str) -> tuple:
    """Seats in their natural order: "2" before "10", "A3" before "A12"."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.findall(r"\d+|\D+", seat)
    )


def default_rows(seats: list[str]) -> list[list[str]]:
    """Rows for ``seats`` (in seat order): a few rows, each a seat longer than the one in
    front of it, the last taking what is left. 65 seats: 11, 12, 13, 14, 15."""
    seats = sorted(seats, key=seat_key)
    n = len(seats)
    if n == 0:
        return []
    count = max(1, round(math.sqrt(n / 2.6)))
    front = max(1, (n - count * (count - 1) // 2) // count)
    sizes = [front + i for i in range(count)]
    while sum(sizes) > n:  # few seats: shorten from the front
        sizes[sizes.index(max(sizes))] -= 1
    for i in range(n - sum(sizes)):  # what is left goes to the back rows, a seat each
        sizes[count - 1 - i % count] += 1
    rows, at = [], 0
    for size in sizes:
        rows.append(seats[at : at + size])
        at += size
    return [r for r in rows if r]


def _layout(term_id: int, room: str) -> SeatLayout | None:
    return SeatLayout.objects.filter(term_id=term_id, room=room).first()


def _on_leave(sitting: Sitting) -> list[int]:
    from meeting.briefs.models import Leave  # leave (请假) is recorded with the briefs

    return sorted(Leave.objects.filter(sitting=sitting).values_list("member_id", flat=True))


def plan(sitting: Sitting) -> dict:
    """The sitting's seat plan as the console draws it.

    ``rows``: member ids front row first (``None`` a gap); ``seats``: the same rows as
    seat numbers (what the clerk edits); ``unplaced``: roster members the layout does
    not place; ``saved``: whether the room has a saved layout (else it is the default
    from the roster); ``leave``: members on leave (请假) from this sitting.
    """
    members = list(sitting_roster(sitting).values_list("pk", "seat"))
    by_seat = {seat: pk for pk, seat in members if seat}
    layout = _layout(sitting.session.term_id, sitting.room)
    seat_rows = layout.rows if layout else default_rows(list(by_seat))
    rows, placed = [], set()
    for seats in seat_rows:
        row = []
        for seat in seats:
            if not seat:
                row.append(None)
            elif seat in by_seat and by_seat[seat] not in placed:
                row.append(by_seat[seat])
                placed.add(by_seat[seat])
        while row and row[-1] is None:
            row.pop()
        while row and row[0] is None:
            row.pop(0)
        if any(m is not None for m in row):
            rows.append(row)
    unplaced = [
        pk for pk, seat in sorted(members, key=lambda m: seat_key(m[1])) if pk not in placed
    ]
    return {
        "room": sitting.room,
        "saved": layout is not None,
        "rows": rows,
        "seats": [list(r) for r in seat_rows],
        "unplaced": unplaced,
        "leave": _on_leave(sitting),
    }


def _clean(term: Term, rows: list[list[str]]) -> list[list[str]]:
    if len(rows) > MAX_ROWS:
        raise DomainError("bad_layout", f"At most {MAX_ROWS} rows.", rows=len(rows))
    known = set(
        Member.objects.filter(term=term, active=True)
        .exclude(seat="")
        .values_list("seat", flat=True)
    )
    out, seen, unknown, twice = [], set(), [], []
    for row in rows:
        if len(row) > MAX_PER_ROW:
            raise DomainError("bad_layout", f"At most {MAX_PER_ROW} seats a row.", seats=len(row))
        clean = []
        for raw in row:
            seat = str(raw).strip()
            if seat in ("", "|", "_", "-"):
                clean.append("")
                continue
            if len(seat) > MAX_SEAT_LEN or seat not in known:
                unknown.append(seat[:MAX_SEAT_LEN])
            elif seat in seen:
                twice.append(seat)
            seen.add(seat)
            clean.append(seat)
        while clean and clean[-1] == "":
            clean.pop()
        while clean and clean[0] == "":
            clean.pop(0)
        if clean:
            out.append(clean)
    if unknown:
        raise DomainError(
            "bad_layout", f"No member holds seat(s) {', '.join(unknown)}.", seats=unknown
        )
    if twice:
        raise DomainError("bad_layout", f"Seat(s) {', '.join(twice)} listed twice.", seats=twice)
    return out


@transaction.atomic
def save_room_layout(
    term: Term,
    room: str,
    rows: list[list[str]],
    *,
    actor: policy.Actor,
    by_user_id: int | None = None,
) -> list[list[str]]:
    """Save the layout of ``room`` in ``term`` (``rows`` empty: back to the default);
    returns the rows as saved. Every open sitting of the term in that room is told
    (``seating.plan`` to its clerks and chairs) with its new plan."""
    policy.require(actor, "seating.save")
    # One save of a term's layouts at a time: two clerks saving a new room's layout at
    # once would race on update_or_create's INSERT (no savepoint inside a command).
    Term.objects.select_for_update().filter(pk=term.pk).first()
    clean = _clean(term, rows)
    if clean:
        SeatLayout.objects.update_or_create(
            term=term, room=room, defaults={"rows": clean, "updated_by_id": by_user_id}
        )
    else:
        SeatLayout.objects.filter(term=term, room=room).delete()
    same_room = Sitting.objects.filter(session__term=term, room=room).exclude(
        state=Sitting.State.ENDED
    )
    for other in same_room.select_related("session__term"):
        events.notify(events.live(other.pk), "seating.plan", plan(other), other.pk)
    return clean


@transaction.atomic
def save_layout(
    sitting_id: int, rows: list[list[str]], *, actor: policy.Actor, by_user_id: int | None = None
) -> dict:
    """The console's save: the layout of the sitting's room. Returns the sitting's plan."""
    policy.require(actor, "seating.save")
    sitting = Sitting.objects.select_related("session__term").get(pk=sitting_id)
    if sitting.state == Sitting.State.ENDED:
        raise DomainError("sitting_ended", f"{sitting} has ended.")
    save_room_layout(sitting.session.term, sitting.room, rows, actor=actor, by_user_id=by_user_id)
    return plan(sitting)


def rows_from_numbers(seat_rows: dict[str, int]) -> list[list[str]]:
    """Rows from each seat's row number (the roster file's 排 column): rows in number
    order, front first, each row's seats in seat order."""
    by_row: dict[int, list[str]] = {}
    for seat, row in seat_rows.items():
        by_row.setdefault(row, []).append(seat)
    return [sorted(by_row[r], key=seat_key) for r in sorted(by_row)]
