"""A burst of ballots' count notices, coalesced per vote (PostgreSQL's path, issue 27).

The first ballot's notice goes at once; the ones within the pause after it become one
notice with the highest count, which names no member when it stands for several.
"""

from __future__ import annotations

import threading

from meeting.voting.services import progress


def test_a_burst_becomes_one_notice_now_and_one_with_the_latest_count(monkeypatch):
    sent: list[tuple[dict, dict, int | None]] = []
    done = threading.Event()

    def record(sitting_id, wall, live, merged):
        sent.append((wall, live, merged))
        if len(sent) == 2:
            done.set()

    monkeypatch.setattr(progress, "_send_count", record)
    counts = progress._Counts()
    for n in range(1, 21):  # 20 ballots at once; a thread may commit them out of order
        cast = 21 - n if n == 5 else n
        counts.want(3, 7, {"vote": 7, "cast": cast}, {"vote": 7, "cast": cast, "member": n})
    assert done.wait(5), sent
    assert sent[0] == ({"vote": 7, "cast": 1}, {"vote": 7, "cast": 1, "member": 1}, None)
    wall, live, merged = sent[1]
    assert wall["cast"] == live["cast"] == 20 and merged == 19
    assert len(sent) == 2


def test_a_lone_late_ballot_keeps_its_member(monkeypatch):
    sent: list = []
    done = threading.Event()

    def record(sitting_id, wall, live, merged):
        sent.append((live, merged))
        done.set()

    monkeypatch.setattr(progress, "_send_count", record)
    counts = progress._Counts()
    counts.want(3, 8, {"vote": 8, "cast": 1}, {"vote": 8, "cast": 1, "member": 4})
    done.clear()
    counts.want(3, 8, {"vote": 8, "cast": 2}, {"vote": 8, "cast": 2, "member": 5})
    assert done.wait(5)
    live, merged = sent[-1]
    assert merged == 1 and live["member"] == 5  # one ballot in the pause: still named


def test_the_sent_notice_drops_the_member_when_it_stands_for_several(monkeypatch):
    notices: list = []
    monkeypatch.setattr(
        progress.events, "notify", lambda audience, t, payload, s: notices.append(payload)
    )
    progress._send_count(3, {"cast": 9}, {"cast": 9, "member": 2}, 4)
    progress._send_count(3, {"cast": 10}, {"cast": 10, "member": 6}, 1)
    assert notices == [{"cast": 9}, {"cast": 9}, {"cast": 10}, {"cast": 10, "member": 6}]
