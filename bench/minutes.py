"""Minutes generation: a day-long session → JSON export and PDF, through the real job.

Builds, on a fresh SQLite database under a temporary data folder, the demo committee
(65 component members, a plenary and 4 group sittings) and fills its plenary with what a
long sitting leaves: every member checked in, ``--speeches`` ended floors spread over
the three items (granted and ended through ``meeting.floor``), and ``--votes`` named
votes cast by every member (through ``meeting.voting``). Then it closes the session and
runs the ``proceedings.minutes`` job, timing the job end to end and its two parts
(collecting the record from the database; rendering the PDF).

In the same run it measures the baseline: reportlab laying out a bare table with the
same number of rows (one per speech and per named choice) in the same CJK font, with no
database and no structure, the floor the PDF step can approach.

    python bench/minutes.py --speeches 120 --votes 6 [--json]

Figures only: this never fails on a slow result.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def hold_sitting(speeches: int, votes: int):
    from core.models import Role
    from core.policy import Acting

    clerk = Acting(role=Role.CLERK)  # the clerk who runs the sitting
    from core.roster import sitting_roster
    from meeting.demo import load_demo
    from meeting.floor.services import floor
    from meeting.services import agenda, attendance
    from meeting.voting.services.casting import cast
    from meeting.voting.services.definition import VoteSpec, prepare
    from meeting.voting.services.lifecycle import close_vote, open_vote

    demo = load_demo(members=65, with_documents=False)
    s = demo.sittings[0]
    roster = list(sitting_roster(s).order_by("seat"))
    for m in roster:
        attendance.check_in(s.pk, m, method="clerk")
    items = list(s.agenda_items.order_by("order"))
    for n in range(speeches):
        if n % max(speeches // len(items), 1) == 0:
            agenda.open_item(
                s.pk, items[min(n * len(items) // speeches, len(items) - 1)].pk, actor=clerk
            )
        sp = floor.grant(s.pk, role="clerk", by_user_id=None, member_id=roster[n % 65].pk)
        floor.end(s.pk, role="clerk", speech_id=sp.pk)
    for n in range(votes):
        v = prepare(
            s.pk,
            VoteSpec(item_id=items[n % len(items)].pk, question=f"表决事项{n + 1}"),
            actor=clerk,
        )
        open_vote(s.pk, v.pk, actor=clerk)
        q = str(v.questions.get().pk)
        for k, m in enumerate(roster):
            cast(s.pk, v.pk, m.pk, {q: ("yes", "no", "abstain")[k % 3]})
        close_vote(s.pk, v.pk, actor=clerk)
    return demo.session


def measure(speeches: int, votes: int) -> dict:
    from jobs.runner import run_until_idle
    from meeting.proceedings import minutes
    from meeting.proceedings.closing import close_session
    from meeting.proceedings.minutes_pdf import render

    session = hold_sitting(speeches, votes)
    run = close_session(session)
    t0 = time.perf_counter()
    run_until_idle()
    job_s = time.perf_counter() - t0
    run.refresh_from_db()
    assert run.state == "done", run.as_dict()
    t0 = time.perf_counter()
    record = minutes.collect(session)
    collect_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pdf = render(record)
    render_s = time.perf_counter() - t0
    return {
        "job_s": round(job_s, 3),
        "collect_s": round(collect_s, 3),
        "pdf_s": round(render_s, 3),
        "pdf_bytes": len(pdf),
        "rows": speeches + votes * 65,
    }


def baseline(rows: int) -> dict:
    """Bare reportlab: one table of ``rows`` rows in the same font, no database."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table

    from meeting.proceedings.minutes_pdf import FONT

    data = [[str(n), "委员姓名", "赞成", "09:00:00", "09:10:00"] for n in range(rows)]
    t0 = time.perf_counter()
    buf = io.BytesIO()
    table = Table(data, repeatRows=0)
    table.setStyle([("FONT", (0, 0), (-1, -1), FONT, 8)])
    SimpleDocTemplate(buf, pagesize=A4).build([table])
    return {"pdf_s": round(time.perf_counter() - t0, 3), "pdf_bytes": len(buf.getvalue())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--speeches", type=int, default=120)
    ap.add_argument("--votes", type=int, default=6)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        from bench.common import setup_django

        setup_django(Path(tmp))
        out = measure(args.speeches, args.votes)
        out["baseline"] = baseline(out["rows"])
    out.update(speeches=args.speeches, votes=args.votes, members=65)
    if args.json:
        print(json.dumps(out))
        return
    print(f"minutes of a sitting with {args.speeches} speeches, {args.votes} named votes × 65")
    print(f"  job end to end   {out['job_s']:8.3f} s")
    print(f"  collect record   {out['collect_s']:8.3f} s")
    print(f"  render PDF       {out['pdf_s']:8.3f} s  ({out['pdf_bytes'] // 1024} KiB)")
    b = out["baseline"]
    print(f"  baseline: bare reportlab table of {out['rows']} rows {b['pdf_s']:.3f} s")


if __name__ == "__main__":
    main()
