"""Importing members from CSV: per-row errors, all or nothing, encodings, moves."""

from __future__ import annotations

import re

import pytest

from core.errors import DomainError
from core.models import DeliberationGroup, Member
from meeting.proceedings.roster_import import import_members

pytestmark = pytest.mark.django_db
HEADER = "username,full_name,role,seat,group\n"
ENGLISH = re.compile(r"[A-Za-z]{2,}")  # a word a Chinese clerk would have to read


def members(term) -> list:
    return list(
        Member.objects.filter(term=term)
        .order_by("pk")
        .values_list("user__username", "full_name", "role", "seat", "group__name", "active")
    )


def test_new_members_are_created_with_groups_and_seats(committee):
    csv = HEADER + "n1,新委员一,委员,101,第一组\nn2,新委员二,member,102,第二组\n"
    rep = import_members(committee.term, csv.encode())
    assert rep.applied and rep.created == ["n1", "n2"] and rep.no_password == ["n1", "n2"]
    m = Member.objects.get(user__username="n1")
    assert (m.full_name, m.role, m.seat, m.group.name) == ("新委员一", "member", "101", "第一组")
    assert not m.user.has_usable_password()


def test_chinese_header_and_gb18030_file_from_excel(committee):
    text = "登录名,姓名,身份,座位号,审议组,初始密码\nn3,王五,副主任,201,第二组,s3cret-pw\n"
    rep = import_members(committee.term, text.encode("gb18030"))
    assert rep.created == ["n3"] and rep.no_password == []
    m = Member.objects.get(user__username="n3")
    assert m.role == "vice_chair" and m.user.check_password("s3cret-pw")


def test_every_bad_row_is_reported_and_nothing_is_written(committee):
    before = members(committee.term)
    csv = HEADER + (
        "ok1,好人,委员,301,第一组\n"  # line 2: fine
        "bad user,名字,委员,302,第一组\n"  # line 3: login name
        "n4,,委员,303,第一组\n"  # line 4: empty name
        "n5,某某,部长,304,第一组\n"  # line 5: unknown role
        "n6,某某,委员,301,第九组\n"  # line 6: seat twice + unknown group
        "ok1,重复,委员,305,\n"  # line 7: username twice
        "n7,某某,秘书,306,第一组\n"  # line 8: a clerk in a group
        "n8,某某,委员,002,\n"  # line 9: seat of m1, who is not in the file
    )
    with pytest.raises(DomainError) as e:
        import_members(committee.term, csv.encode())
    assert e.value.code == "bad_rows"
    got = [(x["line"], x["column"], x["code"]) for x in e.value.details["errors"]]
    assert got == [
        (3, "username", "bad_username"),
        (4, "full_name", "required"),
        (5, "role", "bad_role"),
        (6, "group", "unknown_group"),
        (6, "seat", "duplicate"),
        (7, "username", "duplicate"),
        (8, "group", "not_component_member"),
        (9, "seat", "seat_taken"),
    ]
    assert members(committee.term) == before
    assert not Member.objects.filter(user__username="ok1").exists()


@pytest.mark.parametrize(
    "raw,needle",
    [
        (b"", "文件是空的"),
        (b"name,seat\nx,1\n", "缺少列：登录名、身份"),
        (b"\xff\xfe\x00\xd8bad", "既不是 UTF-8"),
        (b"x" * (2 * 1024 * 1024 + 1), "文件超过"),
    ],
)
def test_unreadable_files_are_refused_whole(committee, raw, needle):
    before = members(committee.term)
    with pytest.raises(DomainError) as e:
        import_members(committee.term, raw)
    assert e.value.code == "bad_csv" and needle in e.value.message
    assert ENGLISH.findall(e.value.message.replace("UTF-8", "").replace("GB18030", "")) == []
    assert members(committee.term) == before


def test_moving_a_member_to_another_group_must_be_explicit(committee):
    m1 = committee.members[0]  # in group A, seat 002
    csv = (HEADER + f"m1,{m1.full_name},委员,002,第二组\n").encode()
    before = members(committee.term)
    with pytest.raises(DomainError) as e:
        import_members(committee.term, csv)
    assert e.value.details["errors"][0]["code"] == "already_in_group"
    assert members(committee.term) == before
    rep = import_members(committee.term, csv, move_groups=True)
    assert rep.moved == ["m1"]
    m1.refresh_from_db()
    assert m1.group == committee.group_b


def test_swapping_seats_and_unchanged_rows(committee):
    m1, m2 = committee.members[0], committee.members[1]
    csv = HEADER + f"m1,{m1.full_name},委员,003,第一组\nm2,{m2.full_name},委员,002,第二组\n"
    csv += f"m3,{committee.members[2].full_name},委员,004,第一组\n"
    rep = import_members(committee.term, csv.encode())
    assert rep.updated == ["m1", "m2"] and rep.unchanged == ["m3"]
    m1.refresh_from_db()
    m2.refresh_from_db()
    assert (m1.seat, m2.seat) == ("003", "002")


def test_dry_run_reports_without_writing_and_groups_can_be_created(committee):
    csv = (HEADER + "n9,新人,委员,401,第三组\n").encode()
    before = members(committee.term)
    rep = import_members(committee.term, csv, create_groups=True, dry_run=True)
    assert not rep.applied and rep.created == ["n9"] and rep.groups_created == ["第三组"]
    assert members(committee.term) == before
    assert not DeliberationGroup.objects.filter(name="第三组").exists()
    rep = import_members(committee.term, csv, create_groups=True)
    assert rep.applied
    assert Member.objects.get(user__username="n9").group.name == "第三组"


def test_card_numbers_are_imported_unique_and_kept_when_the_column_is_absent(committee):
    text = "登录名,姓名,身份,座位号,卡号\nc1,卡一,委员,401,880001\nc2,卡二,委员,402,880002\n"
    import_members(committee.term, text.encode())
    cards = dict(
        Member.objects.filter(term=committee.term).values_list("user__username", "card_number")
    )
    assert (cards["c1"], cards["c2"]) == ("880001", "880002")
    # the two swap cards in one file: (term, card) is unique, the swap is not a conflict
    import_members(
        committee.term,
        (text.replace("880001", "X").replace("880002", "880001").replace("X", "880002")).encode(),
    )
    assert Member.objects.get(user__username="c1").card_number == "880002"
    # a file without the column leaves the cards as they are
    import_members(committee.term, (HEADER + "c1,卡一,委员,401,\n").encode())
    assert Member.objects.get(user__username="c1").card_number == "880002"


def test_a_card_twice_or_held_by_someone_not_in_the_file_is_refused(committee):
    import_members(committee.term, "username,full_name,role,card\nc1,卡一,委员,880001\n".encode())
    before = members(committee.term)
    bad = "username,full_name,role,card\nc2,卡二,委员,880009\nc3,卡三,委员,880009\nc4,卡四,委员,880001\n"
    with pytest.raises(DomainError) as err:
        import_members(committee.term, bad.encode())
    found = {(e["line"], e["column"], e["code"]) for e in err.value.details["errors"]}
    assert found == {(3, "card", "duplicate"), (4, "card", "card_taken")}
    assert members(committee.term) == before


def test_every_row_message_is_chinese_and_names_the_column_in_chinese(committee):
    csv = "username,full_name,role,seat,group,active,card\n" + (
        "bad user,名字,委员,302,第一组,是,\n"  # login name
        "n4,,委员,303,第一组,是,\n"  # empty name
        "n5,某某,boss,304,第一组,是,\n"  # unknown role (an English word the file had)
        "n6,某某,委员,303,第九组,是,\n"  # seat twice + unknown group
        "n7,某某,秘书,306,第一组,是,\n"  # a clerk in a group
        "n8,某某,委员,002,,是,\n"  # seat of m1, who is not in the file
        "n11,某某,委员,309,,maybe,\n"  # bad in-office value
        "n9,某某,委员,307,,是,880001\n"
        "n10,某某,委员,308,,是,880001\n"  # card twice
    )
    with pytest.raises(DomainError) as e:
        import_members(committee.term, csv.encode())
    assert ENGLISH.findall(e.value.message) == []
    errors = e.value.details["errors"]
    codes = {x["code"] for x in errors}
    assert {"bad_username", "required", "bad_role", "duplicate", "unknown_group"} <= codes
    assert {"not_component_member", "seat_taken", "bad_value"} <= codes
    for x in errors:
        quoted = re.sub(r"“[^”]*”", "", x["message"])  # the file's own values, as typed
        assert ENGLISH.findall(quoted) == [], x
        assert ENGLISH.findall(x["column_label"]) == [], x
    by_code = {x["code"]: x for x in errors}
    assert by_code["seat_taken"]["message"] == "座位号 002 已属于委员1。"
    assert by_code["bad_role"]["column_label"] == "身份"


def test_a_move_without_the_box_ticked_says_so_in_chinese(committee):
    m1 = committee.members[0]
    with pytest.raises(DomainError) as e:
        import_members(committee.term, (HEADER + f"m1,{m1.full_name},委员,002,第二组\n").encode())
    (err,) = e.value.details["errors"]
    assert err["message"] == "委员1已在第一组；如要调组，请勾选“允许调整委员所在审议组”。"


def test_a_row_column_sets_the_plenary_rooms_seat_layout(committee):
    from core.models import SeatLayout
    from meeting.services import seating

    csv = "登录名,姓名,身份,座位号,审议组,排\n" + (
        "m1,委员1,委员,002,第一组,2\n"
        "m2,委员2,委员,003,第二组,1\n"
        "m3,委员3,委员,004,第一组,2\n"
        "chair,主任,主任,001,第一组,1\n"
        "m4,委员4,委员,005,第二组,\n"  # no row: drawn below the plan, unplaced
    )
    preview = import_members(committee.term, csv.encode(), dry_run=True, room="")
    assert preview.layout_rows == 2 and not SeatLayout.objects.exists()
    rep = import_members(committee.term, csv.encode(), room="")
    assert rep.applied and (rep.layout_room, rep.layout_rows) == ("", 2)
    assert SeatLayout.objects.get(term=committee.term, room="").rows == [
        ["001", "003"],
        ["002", "004"],
    ]
    plan = seating.plan(committee.plenary)
    assert committee.members[3].pk in plan["unplaced"]


def test_a_bad_row_number_is_a_row_error_and_nothing_is_written(committee):
    from core.models import SeatLayout

    csv = "username,full_name,role,seat,group,row\n" + (
        "m1,委员1,委员,002,第一组,前排\nn1,新人,委员,,第一组,1\n"  # a row without a seat
    )
    with pytest.raises(DomainError) as e:
        import_members(committee.term, csv.encode(), room="")
    got = [
        (x["line"], x["column"], x["code"], x["column_label"]) for x in e.value.details["errors"]
    ]
    assert got == [(2, "row", "bad_value", "排"), (3, "seat", "required", "座位号")]
    assert not SeatLayout.objects.exists()
    assert not Member.objects.filter(user__username="n1").exists()
