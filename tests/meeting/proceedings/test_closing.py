"""Closing a session and generating its minutes (JSON + PDF) in the background."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdf
import pytest
from django.conf import settings

from core.errors import DomainError
from core.models import AgendaItem, AuditEntry, Session, Sitting
from harness.actors import CLERK
from jobs.runner import run_until_idle
from meeting.floor.models import Speech
from meeting.floor.services import floor
from meeting.proceedings.closing import close_session, latest_run, request_minutes
from meeting.proceedings.models import MinutesRun
from meeting.voting.services.definition import VoteSpec, prepare
from meeting.voting.services.lifecycle import open_vote
from tests.meeting.proceedings.held import hold_plenary

pytestmark = pytest.mark.django_db(transaction=True)


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(p.extract_text() for p in reader.pages)


def test_close_ends_sittings_and_floors_and_queues_minutes(committee):
    s = committee.plenary
    from meeting.services import agenda

    agenda.open_item(s.pk, s.agenda_items.first().pk, actor=CLERK)
    sp = floor.grant(s.pk, role="clerk", by_user_id=None, member_id=committee.members[0].pk)
    run = close_session(committee.session, by=committee.clerk.user)
    committee.session.refresh_from_db()
    assert committee.session.state == Session.State.CLOSED and committee.session.ends_on
    assert set(committee.session.sittings.values_list("state", flat=True)) == {"ended"}
    assert not AgendaItem.objects.filter(state="current").exists()
    sp.refresh_from_db()
    assert sp.ended_at is not None and sp.ended_how == Speech.Ended.FINISHED
    assert run.state == MinutesRun.State.QUEUED and run.job.kind == "proceedings.minutes"
    close = AuditEntry.objects.get(action="session.close")
    assert close.data["floors_ended"] == 1 and close.actor == "秘书"
    from realtime.models import SittingEvent

    for sitting in committee.session.sittings.all():
        last = SittingEvent.objects.filter(sitting=sitting).order_by("-seq").first()
        assert (last.type, last.payload["state"]) == ("sitting.state", "ended")


def test_open_vote_refuses_the_close_and_nothing_changes(committee):
    from meeting.services import attendance

    s = committee.plenary
    for m in [committee.chair, *committee.members]:
        attendance.check_in(s.pk, m, method="clerk")
    v = prepare(s.pk, VoteSpec(item_id=s.agenda_items.first().pk, question="q"), actor=CLERK)
    open_vote(s.pk, v.pk, actor=CLERK)
    with pytest.raises(DomainError) as e:
        close_session(committee.session)
    assert e.value.code == "vote_open" and e.value.details == {"vote": v.pk, "sitting": s.pk}
    committee.session.refresh_from_db()
    assert committee.session.state == "open" and committee.session.ends_on is None
    assert not Sitting.objects.filter(state="ended").exists()
    assert not MinutesRun.objects.exists() and not AuditEntry.objects.exists()


def test_closing_twice_and_minutes_of_an_open_session_are_refused(committee):
    with pytest.raises(DomainError) as e:
        request_minutes(committee.session)
    assert e.value.code == "not_closed"
    close_session(committee.session)
    with pytest.raises(DomainError) as e:
        close_session(committee.session)
    assert e.value.code == "session_closed"
    assert MinutesRun.objects.count() == 1


def test_minutes_say_who_spoke_and_how_each_vote_went(committee):
    held = hold_plenary(committee)
    run = close_session(committee.session, by=committee.clerk.user)
    assert run_until_idle() >= 1
    run.refresh_from_db()
    assert run.as_dict()["state"] == "done" and run.progress == 100, run.as_dict()
    root = Path(settings.DATA_DIR)
    record = json.loads((root / run.json_path).read_text())
    plenary = next(s for s in record["sittings"] if s["id"] == committee.plenary.pk)
    assert [m["name"] for m in plenary["attendance"]["absent"]] == ["委员8"]
    assert plenary["attendance"]["quorum"]["present"] == 8
    item = plenary["agenda"][0]
    assert [sp["name"] for sp in item["speeches"]] == ["委员1", "委员2"]
    assert all(sp["ended_at"] and sp["duration_s"] >= 0 for sp in item["speeches"])
    named, secret = item["votes"]
    assert named["id"] == held["named"].pk and named["rule"]["words_zh"] == "全体组成人员的过半数"
    assert named["result"]["passed"] is True
    assert named["result"]["questions"][0]["counts"] == {"yes": 5, "no": 1, "abstain": 1}
    assert named["result"]["did_not_vote"] == 1
    assert {m["name"]: list(m["choices"].values())[0] for m in named["result"]["named"]} == {
        "主任": "yes",
        "委员1": "yes",
        "委员2": "yes",
        "委员3": "yes",
        "委员4": "yes",
        "委员5": "no",
        "委员6": "abstain",
    }
    assert secret["result"]["passed"] is False and secret["result"]["named"] is None
    text = pdf_text(root / run.pdf_path)
    for needle in (
        "第一次会议会议纪要",
        "委员1",
        "委员2",
        "通过《数据条例（草案）》",
        "任命某某为副主任",
        "表决结果：通过",
        "表决结果：未通过",
        "缺席1人（委员8）",
        "全体组成人员的过半数",
        "时间：2026-11-24 17:00",  # 09:00 UTC in the committee's time zone (Asia/Shanghai)
    ):
        assert needle in text, needle
    assert latest_run(committee.session) == run


def test_secret_ballots_never_reach_the_minutes(committee):
    held = hold_plenary(committee)
    run = close_session(committee.session)
    run_until_idle()
    run.refresh_from_db()
    raw = (Path(settings.DATA_DIR) / run.json_path).read_text()
    record = json.loads(raw)
    secret = record["sittings"][0]["agenda"][0]["votes"][1]
    assert secret["id"] == held["secret"].pk and secret["kind"] == "secret"
    assert set(secret["result"]) >= {"questions", "cast"} and secret["result"]["named"] is None
    assert secret["result"]["cast"] == 6


def test_a_failing_job_marks_the_run_failed_and_a_new_run_can_follow(committee, monkeypatch):
    from meeting.proceedings import minutes

    close_session(committee.session)

    def broken(record, path):
        raise OSError("disk full")

    monkeypatch.setattr(minutes, "write_pdf", broken)
    for _ in range(3):  # the queue retries, then gives up
        from jobs.models import Job

        Job.objects.update(run_after="2000-01-01T00:00:00Z")
        run_until_idle()
    run = latest_run(committee.session)
    assert run.as_dict()["state"] == "failed" and "disk full" in run.as_dict()["error"]
    monkeypatch.undo()
    again = request_minutes(committee.session)
    run_until_idle()
    again.refresh_from_db()
    assert again.as_dict()["state"] == "done"
    assert (Path(settings.DATA_DIR) / again.pdf_path).exists()


def test_close_recalls_distributed_documents_and_the_minutes_list_them(committee, tmp_path):
    from docs_store.models import Document
    from docs_store.services.distribution import distribute
    from docs_store.services.upload import Upload, upload_documents
    from meeting.demo_pdf import write_bill

    clerk = committee.clerk.user
    pdf = write_bill(tmp_path / "bill.pdf", "数据条例（草案）", "说明", 3)
    item = committee.plenary.agenda_items.get(order=1)
    [doc] = upload_documents(
        committee.session, [Upload("bill.pdf", pdf.read_bytes())], by=clerk, item=item
    )
    upload_documents(committee.session, [Upload("draft.pdf", pdf.read_bytes(), "未分发")], by=clerk)
    distribute(committee.session, by=clerk, ids=[doc.pk], actor=CLERK)
    run = close_session(committee.session, by=clerk)
    doc.refresh_from_db()
    assert doc.state == Document.State.RECALLED
    assert AuditEntry.objects.get(action="session.close").data["documents_recalled"] == 1
    run_until_idle()
    run.refresh_from_db()
    record = json.loads((Path(settings.DATA_DIR) / run.json_path).read_text())
    [listed] = record["documents"]
    assert listed["title"] == "数据条例（草案）" and listed["item"] == "议题1"
    assert listed["pages"] == 3 and listed["state"] == "recalled" and listed["distributed_at"]
    assert "数据条例（草案）" in pdf_text(Path(settings.DATA_DIR) / run.pdf_path)


def test_close_without_knowing_who_cannot_recall_and_changes_nothing(committee, tmp_path):
    from docs_store.services.distribution import distribute
    from docs_store.services.upload import Upload, upload_documents
    from meeting.demo_pdf import write_bill

    clerk = committee.clerk.user
    pdf = write_bill(tmp_path / "bill.pdf", "条例", "说明", 1)
    upload_documents(committee.session, [Upload("bill.pdf", pdf.read_bytes())], by=clerk)
    distribute(committee.session, by=clerk, actor=CLERK)
    with pytest.raises(DomainError) as e:
        close_session(committee.session)
    assert e.value.code == "invalid"
    committee.session.refresh_from_db()
    assert committee.session.state == "open"
    assert not Sitting.objects.filter(state="ended").exists()


def test_a_speech_with_a_filed_clip_links_to_it_and_a_deleted_clip_does_not(committee):
    from django.utils import timezone

    from media.models import Clip, Recording

    hold_plenary(committee)
    s = committee.plenary
    first, second = Speech.objects.filter(sitting=s).order_by("started_at")
    for sp, deleted in ((first, None), (second, timezone.now())):
        rec = Recording.objects.create(
            sitting=s,
            member=sp.member,
            floor_entry_id=sp.pk,
            source="member",
            state="done",
            started_at=sp.started_at,
            ended_at=sp.ended_at,
        )
        clip = Clip.objects.create(
            recording=rec,
            member=sp.member,
            term=committee.term,
            session=committee.session,
            sitting=s,
            agenda_item=sp.agenda_item,
            floor_entry_id=sp.pk,
            source="member",
            started_at=sp.started_at,
            ended_at=sp.ended_at,
            duration_s=1.0,
            size=10,
            sha256="0" * 64,
            path="x.mp4",
            deleted_at=deleted,
        )
        if deleted is None:
            kept = clip
    from meeting.proceedings.minutes import collect

    speeches = collect(committee.session)["sittings"][0]["agenda"][0]["speeches"]
    assert speeches[0]["clip"] == f"/media/clips/{kept.public_id}/"
    assert speeches[1]["clip"] is None


def test_minutes_list_documents_with_their_sitting_and_state_in_chinese(committee, tmp_path):
    from docs_store.services.distribution import distribute
    from docs_store.services.upload import Upload, upload_documents
    from harness.pdf import embedded_fonts
    from meeting.demo_pdf import write_bill

    clerk = committee.clerk.user
    pdf = write_bill(tmp_path / "bill.pdf", "数据条例（草案）", "说明", 2)
    item = committee.group_a_sitting.agenda_items.get(order=1)
    [doc] = upload_documents(
        committee.session, [Upload("bill.pdf", pdf.read_bytes())], by=clerk, item=item
    )
    distribute(committee.session, actor=CLERK, by=clerk, ids=[doc.pk])
    run = close_session(committee.session, by=clerk)
    run_until_idle()
    run.refresh_from_db()
    path = Path(settings.DATA_DIR) / run.pdf_path
    record = json.loads((Path(settings.DATA_DIR) / run.json_path).read_text())
    assert record["documents"][0]["sitting"] == "第一组会议"
    text = pdf_text(path)
    assert "第一组会议" in text and "已撤回" in text and "recalled" not in text
    assert embedded_fonts(path.read_bytes()), "the minutes must embed their CJK font"
