"""The preparation, closing, minutes and audit pages: access, refusals with codes, downloads."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.models import AgendaItem, AuditEntry, Member, Session
from harness.actors import CLERK
from jobs.runner import run_until_idle
from meeting.voting.models import Vote
from tests.meeting.proceedings.held import hold_plenary

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(member) -> Client:
    c = Client()
    c.force_login(member.user)
    return c


@pytest.fixture
def clerk(committee) -> Client:
    return client_for(committee.clerk)


def test_only_the_session_clerk_prepares(committee):
    url = f"/proceedings/sessions/{committee.session.pk}/"
    assert client_for(committee.clerk).get(url).status_code == 200
    for who in (committee.members[0], committee.chair, committee.staff, committee.display):
        assert client_for(who).get(url).status_code == 403
    committee.group_a_sitting.clerk = committee.clerk
    committee.group_a_sitting.save()  # now a sitting clerk, not the session clerk
    assert client_for(committee.clerk).get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the login page


def test_new_session_by_copy_and_by_template(committee, clerk):
    r = clerk.post(
        "/proceedings/sessions/new/",
        {"how": "copy", "number": 2, "title": "第二次会议", "starts_on": "2026-12-20"},
    )
    assert r.status_code == 302
    s2 = Session.objects.get(number=2)
    assert r["Location"] == f"/proceedings/sessions/{s2.pk}/"
    assert s2.sittings.count() == 3
    r = clerk.post(
        "/proceedings/sessions/new/",
        {"how": "standing", "number": 3, "title": "第三次", "starts_on": "2027-01-10"},
    )
    assert Session.objects.get(number=3).sittings.count() == 4
    r = clerk.post(
        "/proceedings/sessions/new/",
        {"how": "standing", "number": 3, "title": "重复", "starts_on": "2027-01-10"},
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "number_taken"
    r = clerk.post("/proceedings/sessions/new/", {"how": "copy", "number": "x"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid"
    assert set(r.json()["error"]["details"]["fields"]) >= {"number", "title", "starts_on"}
    assert Session.objects.count() == 3


def test_add_sitting_and_item_and_prepare_vote(committee, clerk):
    sid = committee.session.pk
    r = clerk.post(
        f"/proceedings/sessions/{sid}/sittings/",
        {
            "kind": "plenary",
            "title": "第三次全体会议",
            "starts_at": "2026-11-25T09:00",
            "room": "二号厅",
            "chair": committee.chair.pk,
        },
    )
    assert r.status_code == 302
    s = committee.session.sittings.get(title="第三次全体会议")
    assert s.room == "二号厅" and s.starts_at.hour == 1  # 09:00 Asia/Shanghai is 01:00 UTC
    r = clerk.post(
        f"/proceedings/sittings/{s.pk}/items/",
        {"title": "审议条例", "presenter": committee.members[0].pk},
    )
    assert r.status_code == 302
    item = s.agenda_items.get()
    assert item.presenter == committee.members[0]
    r = clerk.post(
        f"/proceedings/items/{item.pk}/votes/",
        {"question": "通过条例", "kind": "named", "rule": "roster_half"},
    )
    assert r.status_code == 302
    v = Vote.objects.get(item=item)
    assert (v.state, v.rule_base, v.rule_strict) == ("prepared", "roster", True)
    page = clerk.get(f"/proceedings/sessions/{sid}/").content.decode()
    assert "审议条例" in page and "通过条例" in page


def test_refusals_show_their_code_and_change_nothing(committee, clerk):
    sid = committee.session.pk
    before = (committee.session.sittings.count(), AgendaItem.objects.count(), Vote.objects.count())
    r = clerk.post(
        f"/proceedings/sessions/{sid}/sittings/",
        {
            "kind": "group",
            "group": committee.group_a.pk,
            "title": "重复的组",
            "starts_at": "2026-11-25T09:00",
        },
    )
    assert r.status_code == 409 and 'data-code="bad_sitting"' in r.content.decode()
    assert "第一组在本次会议中已有分组会议。" in r.content.decode()  # in Chinese, naming it
    r = clerk.post(
        f"/proceedings/sessions/{sid}/sittings/",
        {"kind": "plenary", "title": "x", "starts_at": "tomorrow"},
    )
    assert r.status_code == 400 and 'data-code="invalid"' in r.content.decode()
    item = committee.plenary.agenda_items.first()
    r = clerk.post(
        f"/proceedings/items/{item.pk}/votes/",
        {"question": "q", "kind": "named", "rule": "nonsense"},
    )
    assert r.status_code == 400
    r = clerk.post(f"/proceedings/items/{item.pk}/", {"title": "x", "presenter": 999999})
    assert r.status_code == 409 and 'data-code="wrong_term"' in r.content.decode()
    after = (committee.session.sittings.count(), AgendaItem.objects.count(), Vote.objects.count())
    assert after == before
    item.refresh_from_db()
    assert item.title == "议题1"


def test_csv_import_lists_row_errors_on_the_page(committee, clerk):
    bad = "username,full_name,role,seat,group\nn1,甲,委员,101,第一组\nn2,乙,国王,102,第一组\n"
    r = clerk.post(
        f"/proceedings/sessions/{committee.session.pk}/members/",
        {"file": SimpleUploadedFile("m.csv", bad.encode())},
    )
    page = r.content.decode()
    assert r.status_code == 400 and 'data-code="bad_rows"' in page
    assert "<td>3</td><td>身份</td><td><code>bad_role</code></td>" in page
    # what a person reads is Chinese: the refusal's sentence and each row's column and
    # problem (the code stays, as <code>, and the file's own value as typed)
    box = re.search(r'<div class="card refusal".*?</div>', page, re.S).group(0)
    prose = re.sub(r"<code>.*?</code>|<[^>]+>|“[^”]*”", " ", box)
    assert re.findall(r"[A-Za-z]{2,}", prose) == [], prose
    assert not Member.objects.filter(user__username__in=["n1", "n2"]).exists()
    good = "username,full_name,role,seat,group\nn1,甲,委员,101,第一组\n"
    r = clerk.post(
        f"/proceedings/sessions/{committee.session.pk}/members/",
        {"file": SimpleUploadedFile("m.csv", good.encode())},
    )
    assert r.status_code == 200 and 'id="import-report"' in r.content.decode()
    assert Member.objects.filter(user__username="n1").exists()


def test_close_then_download_minutes(committee, clerk):
    hold_plenary(committee)
    sid = committee.session.pk
    assert clerk.get(f"/proceedings/sessions/{sid}/minutes/").json() == {"run": None}
    r = clerk.post(f"/proceedings/sessions/{sid}/close/")
    assert r.status_code == 302
    run = clerk.get(f"/proceedings/sessions/{sid}/minutes/").json()["run"]
    assert run["state"] == "queued"
    r = clerk.get(f"/proceedings/minutes/{run['id']}.pdf")
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_minutes"
    run_until_idle()
    run = clerk.get(f"/proceedings/sessions/{sid}/minutes/").json()["run"]
    assert run["state"] == "done" and run["progress"] == 100
    staff = client_for(committee.staff)
    r = staff.get(f"/proceedings/minutes/{run['id']}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(b"".join(r.streaming_content))).pages[0].extract_text()
    assert "委员1" in text
    r = staff.get(f"/proceedings/minutes/{run['id']}.json")
    assert b'"format": "yiting.minutes/1"' in b"".join(r.streaming_content)
    assert (
        client_for(committee.members[0]).get(f"/proceedings/minutes/{run['id']}.pdf").status_code
        == 403
    )
    r = clerk.post(f"/proceedings/sessions/{sid}/close/")
    assert r.status_code == 409 and 'data-code="session_closed"' in r.content.decode()
    page = clerk.get(f"/proceedings/sessions/{sid}/").content.decode()
    assert '<fieldset class="plain" disabled>' in page and 'id="close-session"' not in page
    r = clerk.post(f"/proceedings/sessions/{sid}/minutes/")
    assert r.status_code == 202 and r.json()["run"]["id"] != run["id"]


def test_close_with_an_open_vote_is_refused_on_the_page(committee, clerk):
    from meeting.services import attendance
    from meeting.voting.services.definition import VoteSpec, prepare
    from meeting.voting.services.lifecycle import open_vote

    s = committee.plenary
    for m in [committee.chair, *committee.members]:
        attendance.check_in(s.pk, m, method="clerk")
    v = prepare(s.pk, VoteSpec(item_id=s.agenda_items.first().pk, question="q"), actor=CLERK)
    open_vote(s.pk, v.pk, actor=CLERK)
    r = clerk.post(f"/proceedings/sessions/{committee.session.pk}/close/")
    assert r.status_code == 409 and 'data-code="vote_open"' in r.content.decode()
    committee.session.refresh_from_db()
    assert committee.session.state == "open"


def test_audit_view_filters_and_exports(committee, clerk, live):
    live(committee.clerk, committee.plenary, "agenda.step", {"direction": "next"}, role="clerk")
    live(
        committee.chair,
        committee.group_a_sitting,
        "agenda.step",
        {"direction": "next"},
        role="chair",
    )
    staff = client_for(committee.staff)
    page = staff.get("/proceedings/audit/").content.decode()
    assert page.count('data-action="agenda.step"') == 2
    page = staff.get(f"/proceedings/audit/?sitting={committee.plenary.pk}").content.decode()
    assert page.count('data-action="agenda.step"') == 1 and "秘书" in page
    page = staff.get("/proceedings/audit/?actor=主任").content.decode()
    assert page.count("<tr data-action") == 1
    r = staff.get("/proceedings/audit/?since=yesterday")
    assert r.status_code == 400 and 'data-code="bad_filter"' in r.content.decode()
    r = staff.get("/proceedings/audit/?format=csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads UTF-8
    body = r.content.decode("utf-8-sig")
    lines = body.splitlines()
    assert lines[0].startswith("时间,操作人,身份,会议,场次,操作,内容,操作代码")
    # the action in words, its code kept for checking; the role in words
    assert len(lines) == 3 and ",切换议程项," in lines[1] and ",agenda.step," in lines[1]
    assert ",主持人," in body and ",会务人员," in body and ",chair," not in body
    assert client_for(committee.members[0]).get("/proceedings/audit/").status_code == 403


def test_a_chair_ballot_never_enters_the_audit_trail(committee, live):
    from meeting.services import attendance
    from meeting.voting.services.definition import VoteSpec, prepare
    from meeting.voting.services.lifecycle import open_vote

    s = committee.plenary
    for m in [committee.chair, *committee.members]:
        attendance.check_in(s.pk, m, method="clerk")
    v = prepare(
        s.pk, VoteSpec(item_id=s.agenda_items.first().pk, question="q", kind="secret"), actor=CLERK
    )
    open_vote(s.pk, v.pk, actor=CLERK)
    ans = live(
        committee.chair,
        s,
        "vote.cast",
        {"vote": v.pk, "choice": "no"},
        role="chair",
        key="b1",
    )
    assert ans["ok"], ans
    assert not AuditEntry.objects.filter(action="vote.cast").exists()


def test_session_page_lists_documents_per_item_and_for_the_session(committee, clerk, tmp_path):
    from docs_store.services.upload import Upload, upload_documents
    from meeting.demo_pdf import write_bill

    pdf = write_bill(tmp_path / "b.pdf", "条例", "说明", 2).read_bytes()
    item = committee.plenary.agenda_items.get(order=2)
    [on_item] = upload_documents(
        committee.session, [Upload("a.pdf", pdf, "条例草案")], by=committee.clerk.user, item=item
    )
    [whole] = upload_documents(
        committee.session, [Upload("b.pdf", pdf, "会议议程")], by=committee.clerk.user
    )
    html = clerk.get(f"/proceedings/sessions/{committee.session.pk}/").content.decode()
    item_block = html.split(f'<li data-item="{item.pk}"')[1].split("</li>\n")[0]
    assert f'data-doc="{on_item.pk}"' in item_block and "条例草案" in item_block
    session_block = html.split('id="session-docs"')[1].split("</section>")[0]
    assert (
        f'data-doc="{whole.pk}"' in session_block
        and f'data-doc="{on_item.pk}"' not in session_block
    )


def test_edit_a_sitting_time_room_chair_and_clerk(committee, clerk):
    from django.contrib.auth import get_user_model

    other = Member.objects.create(
        user=get_user_model().objects.create_user("clerk2"),
        term=committee.term,
        full_name="第二组秘书",
        role="clerk",
    )
    s = committee.group_b_sitting
    url = f"/proceedings/sittings/{s.pk}/"
    r = clerk.post(
        url,
        {
            "title": "第二组审议",
            "starts_at": "2026-11-24T15:00",
            "room": "三号厅",
            "chair": committee.members[1].pk,
            "clerk": other.pk,
        },
    )
    assert r.status_code == 302
    s.refresh_from_db()
    assert (s.title, s.room, s.chair, s.clerk) == (
        "第二组审议",
        "三号厅",
        committee.members[1],
        other,
    )
    assert s.starts_at.hour == 7  # 15:00 Asia/Shanghai
    before = (s.title, s.room, s.chair_id)
    r = clerk.post(
        url, {"title": "x", "starts_at": "2026-11-24T15:00", "chair": committee.clerk.pk}
    )
    assert r.status_code == 409 and 'data-code="bad_sitting"' in r.content.decode()
    s.refresh_from_db()
    assert (s.title, s.room, s.chair_id) == before
    assert AuditEntry.objects.filter(action="sitting.update", sitting=s).count() == 1


def test_the_import_page_sets_the_plenary_seat_layout_from_the_row_column(committee, clerk):
    from core.models import SeatLayout

    committee.plenary.room = "第一会议室"
    committee.plenary.save()
    csv = "登录名,姓名,身份,座位号,排\nm1,委员1,委员,002,1\nchair,主任,主任,001,1\nm2,委员2,委员,003,2\n"
    r = clerk.post(
        f"/proceedings/sessions/{committee.session.pk}/members/",
        {"file": SimpleUploadedFile("m.csv", csv.encode())},
    )
    page = r.content.decode()
    assert r.status_code == 200 and 'id="import-layout"' in page
    assert "第一会议室" in re.search(r'<p id="import-layout">(.*?)</p>', page).group(1)
    layout = SeatLayout.objects.get(term=committee.term, room="第一会议室")
    assert layout.rows == [["001", "002"], ["003"]]
