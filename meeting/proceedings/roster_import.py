"""Importing the roster (组成人员名单) from a CSV or Excel (.xlsx) file, with an error per bad row.

The clerk exports the list from the personnel system or keeps it in Excel. An .xlsx is
read with openpyxl (its first sheet, values as shown, row numbers as Excel shows them);
a CSV from Chinese editions of Excel is GB18030, others UTF-8 with or without a BOM: all
are read. The header row names the columns in English or Chinese (``COLUMNS``: e.g.
username/登录名/用户名, full_name/姓名, role/身份/角色, seat/座位号, group/审议组/分组;
card/卡号, row/排, active/在任, password/初始密码 optional); a title above it is skipped.
A login created with an initial password must choose its own at first login
(``meeting.proceedings.accounts``).

The import is all or nothing: every row is checked first, and if any is wrong the
report lists each problem by line and column and nothing is written. A member who
already has a group is moved to another only when ``move_groups`` is set, so a typo
cannot silently seat someone in a different room.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from core import audit
from core.errors import DomainError
from core.models import COMPONENT_ROLES, DeliberationGroup, Member, Role, Term
from core.policy import Acting
from meeting.proceedings import accounts
from meeting.proceedings.models import PasswordChangeRequired

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
SESSION_CLERK = Acting(role=Role.CLERK)  # the import page is the session clerk's
MAX_SEAT_ROWS = 40  # meeting.services.seating.MAX_ROWS
USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
COLUMNS = {  # the header names each column answers to (compared without case and spaces)
    "username": ("username", "login", "登录名", "用户名", "账号", "帐号"),
    "full_name": ("full_name", "fullname", "name", "姓名", "全名", "名字"),
    "role": ("role", "身份", "角色", "职务"),
    "seat": ("seat", "seat_number", "座位号", "座位", "座号"),
    "card": ("card", "card_number", "卡号", "代表证号"),
    "row": ("row", "排", "排号"),
    "group": ("group", "审议组", "分组", "小组", "组别"),
    "active": ("active", "在任", "是否在任"),
    "password": ("password", "初始密码", "密码"),
}
MAX_COLUMNS = 64  # a sheet's columns read (a roster has about ten)
MAX_BLANK_RUN = 1000  # this many blank lines in a row end the roster
HEADER_SEARCH = 10  # lines looked at for the header row (a title may stand above it)
MAX_XLSX_UNPACKED = 32 * 1024 * 1024  # an .xlsx is a zip: refuse one that unpacks huge
REQUIRED = ("username", "full_name", "role")
# The columns as people read them (the row errors name the column this way).
COLUMN_LABELS = {
    "username": pgettext_lazy("roster column", "login name"),
    "full_name": pgettext_lazy("roster column", "full name"),
    "role": pgettext_lazy("roster column", "role"),
    "seat": pgettext_lazy("roster column", "seat"),
    "card": pgettext_lazy("roster column", "card number"),
    "row": pgettext_lazy("roster column", "row"),
    "group": pgettext_lazy("roster column", "deliberation group"),
    "active": pgettext_lazy("roster column", "in office"),
    "password": pgettext_lazy("roster column", "initial password"),
}
ROLE_WORDS = {
    "member": Role.MEMBER,
    "委员": Role.MEMBER,
    "组成人员": Role.MEMBER,
    "chair": Role.CHAIR,
    "主任": Role.CHAIR,
    "vice_chair": Role.VICE_CHAIR,
    "副主任": Role.VICE_CHAIR,
    "clerk": Role.CLERK,
    "秘书": Role.CLERK,
    "会务": Role.CLERK,
    "staff": Role.STAFF,
    "工作人员": Role.STAFF,
    "display": Role.DISPLAY,
    "大屏": Role.DISPLAY,
}
TRUE_WORDS = {"", "1", "yes", "true", "y", "是", "在任"}
FALSE_WORDS = {"0", "no", "false", "n", "否", "离任"}


@dataclass(frozen=True)
class RowError:
    line: int  # line in the file, the header being line 1
    column: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "column": self.column,
            "column_label": str(COLUMN_LABELS.get(self.column, self.column)),
            "code": self.code,
            "message": self.message,
        }


@dataclass
class Row:
    line: int
    username: str
    full_name: str
    role: str
    seat: str
    group: DeliberationGroup | None
    active: bool
    password: str


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    groups_created: list[str] = field(default_factory=list)
    no_password: list[str] = field(default_factory=list)
    layout_room: str | None = None  # the room whose seat layout the file's 排 column set
    layout_rows: int = 0
    applied: bool = False

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


def decode(raw: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), else GB18030 (Chinese Excel)."""
    _size(raw)
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise DomainError("bad_csv", _("The file is neither UTF-8 nor GB18030 text."))


def _size(raw: bytes) -> None:
    if len(raw) > MAX_BYTES:
        raise DomainError(
            "bad_csv", _("The file is larger than %(mib)s MiB.") % {"mib": MAX_BYTES // 2**20}
        )


XLSX_MAGIC = b"PK\x03\x04"  # a zip: .xlsx (Office Open XML)
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # an OLE file: the old binary .xls


@dataclass
class Table:
    """A file's lines as lists of text, numbered as the clerk's program shows them."""

    lines: Iterator[tuple[int, list[str]]]


def read_table(raw: bytes) -> Table:
    """An .xlsx by its content (a zip), else CSV text; an old .xls is refused by name."""
    _size(raw)
    if raw.startswith(XLSX_MAGIC):
        return Table(_xlsx_lines(raw))
    if raw.startswith(XLS_MAGIC):
        raise DomainError(
            "bad_csv",
            _(
                "This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) "
                "or as CSV and import that."
            ),
        )
    reader = csv.reader(io.StringIO(decode(raw)))
    return Table((reader.line_num, row) for row in reader)


def _cell_text(value) -> str:
    """A cell as the clerk typed it: 401.0 is ``401``, a date ``2026-11-24``, empty ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _xlsx_lines(raw: bytes) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows, numbered from 1 as Excel and WPS show them."""
    from openpyxl import load_workbook

    unreadable = DomainError(
        "bad_csv", _("The Excel file could not be read; save it again as .xlsx or CSV.")
    )
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_XLSX_UNPACKED:
                raise DomainError(
                    "bad_csv",
                    _("The Excel file unpacks to more than %(mib)s MiB.")
                    % {"mib": MAX_XLSX_UNPACKED // 2**20},
                )
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except DomainError:
        raise
    except Exception as exc:  # a damaged zip or workbook: openpyxl raises many kinds
        raise unreadable from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            return
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        for n, values in enumerate(rows, start=1):
            yield n, [_cell_text(v) for v in values]
    except DomainError:
        raise
    except Exception as exc:
        raise unreadable from exc
    finally:
        book.close()


def _key(name) -> str:
    """A header cell compared without case, spaces (also full-width) or a trailing colon."""
    return re.sub(r"[\s\u3000]+", "", str(name or "")).lower().rstrip(":：")


_ALIASES = {_key(word): ours for ours, words in COLUMNS.items() for word in words}


def _columns(names: list[str]) -> dict[str, int]:
    """Our column names to their positions in a header row (the first match of each)."""
    found: dict[str, int] = {}
    for i, name in enumerate(names):
        ours = _ALIASES.get(_key(name))
        if ours is not None and ours not in found:
            found[ours] = i
    return found


def _header(lines: Iterator[tuple[int, list[str]]]) -> tuple[int, dict[str, int]]:
    """Find the header row: the first line naming the required columns (a title above
    it is skipped), else the first non-blank line, whose missing columns are reported."""
    first: tuple[int, dict[str, int]] | None = None
    for seen, (line, values) in enumerate(lines, start=1):
        if any(v.strip() for v in values):
            cols = _columns(values)
            if first is None:
                first = (line, cols)
            if all(c in cols for c in REQUIRED):
                return line, cols
        if seen >= HEADER_SEARCH:
            break
    if first is None:
        raise DomainError("bad_csv", _("The file is empty; the first line must name the columns."))
    missing = [c for c in REQUIRED if c not in first[1]]
    raise DomainError(
        "bad_csv",
        _("Missing column(s): %(columns)s.")
        % {"columns": "、".join(str(COLUMN_LABELS[c]) for c in missing)},
        missing=missing,
        expected={c: list(COLUMNS[c]) for c in COLUMNS},
    )


def help_columns() -> list[dict]:
    """The columns for the import's help: label, required, the Chinese and English names."""
    return [
        {
            "key": ours,
            "label": str(COLUMN_LABELS[ours]),
            "required": ours in REQUIRED,
            "chinese": [w for w in words if not w.isascii()],
            "english": [w for w in words if w.isascii()],
        }
        for ours, words in COLUMNS.items()
    ]


def help_roles() -> list[tuple[str, list[str]]]:
    """The words the role column takes, grouped by role (Chinese first)."""
    by_role: dict[str, list[str]] = {}
    for word, role in ROLE_WORDS.items():
        by_role.setdefault(str(role), []).append(word)
    return [
        (role, sorted(words, key=str.isascii))  # stable: the table's order within each
        for role, words in by_role.items()
    ]


class _Checker:
    """Checks rows one by one, remembering what earlier rows claimed (usernames, seats)."""

    def __init__(self, term: Term, create_groups: bool, has_card: bool = False) -> None:
        self.term = term
        self.create_groups = create_groups
        self.groups = {g.name: g for g in term.groups.all()}
        self.new_groups: set[str] = set()
        self.seen_users: dict[str, int] = {}
        self.seen_seats: dict[str, int] = {}
        self.seen_cards: dict[str, int] = {}
        self.has_card = has_card  # a file without the column leaves cards as they are
        self.errors: list[RowError] = []

    def err(self, line: int, column: str, code: str, message: str) -> None:
        self.errors.append(RowError(line, column, code, message))

    def _role(self, line: int, value: str) -> str | None:
        role = ROLE_WORDS.get(value.strip().lower()) or ROLE_WORDS.get(value.strip())
        if role is None:
            self.err(line, "role", "bad_role", _("Unknown role “%(value)s”.") % {"value": value})
        return role

    def _group(self, line: int, name: str, role: str | None) -> DeliberationGroup | None:
        if not name:
            return None
        if role is not None and role not in COMPONENT_ROLES:
            self.err(
                line,
                "group",
                "not_component_member",
                _("Only component members sit in deliberation groups."),
            )
            return None
        if name in self.groups:
            return self.groups[name]
        if self.create_groups:
            self.new_groups.add(name)
            return None
        self.err(
            line,
            "group",
            "unknown_group",
            _("No deliberation group “%(name)s” in this term.") % {"name": name},
        )
        return None

    def _active(self, line: int, value: str) -> bool:
        v = value.strip().lower()
        if v in TRUE_WORDS:
            return True
        if v in FALSE_WORDS:
            return False
        self.err(
            line,
            "active",
            "bad_value",
            _("“In office” must be yes or no, not “%(value)s”.") % {"value": value},
        )
        return True

    def _unique(self, line: int, column: str, value: str, seen: dict[str, int]) -> None:
        if value in seen:
            self.err(
                line,
                column,
                "duplicate",
                _("“%(value)s” is also on line %(line)s.") % {"value": value, "line": seen[value]},
            )
        else:
            seen[value] = line

    def row(self, line: int, get) -> Row | None:
        before = len(self.errors)
        username, full_name = get("username"), get("full_name")
        if not USERNAME.match(username):
            self.err(
                line,
                "username",
                "bad_username",
                _("“%(value)s” is not a valid login name (letters, digits and . @ + - _).")
                % {"value": username},
            )
        else:
            self._unique(line, "username", username, self.seen_users)
        if not full_name:
            self.err(line, "full_name", "required", _("The name is empty."))
        role = self._role(line, get("role"))
        seat = get("seat")
        if seat:
            self._unique(line, "seat", seat, self.seen_seats)
        seat_row = get("row")
        if seat_row and not (seat_row.isdigit() and 1 <= int(seat_row) <= MAX_SEAT_ROWS):
            self.err(
                line,
                "row",
                "bad_value",
                _("The row must be a number from 1 to %(max)s, not “%(value)s”.")
                % {"max": MAX_SEAT_ROWS, "value": seat_row},
            )
        elif seat_row and not seat:
            self.err(line, "seat", "required", _("A member with a row needs a seat number."))
        card = get("card")
        if card:
            self._unique(line, "card", card, self.seen_cards)
        group_name = get("group")
        group = self._group(line, group_name, role)
        active = self._active(line, get("active"))
        if len(self.errors) > before:
            return None
        row = Row(line, username, full_name, role, seat, group, active, get("password"))
        row.group_name = group_name  # type: ignore[attr-defined]
        row.card = card if self.has_card else None  # type: ignore[attr-defined]
        row.seat_row = int(seat_row) if seat_row else None  # type: ignore[attr-defined]
        return row


def _seat_conflicts(term: Term, rows: list[Row], checker: _Checker) -> None:
    """A seat in the file held by another member who is not in the file."""
    in_file = {r.username for r in rows}
    taken = Member.objects.filter(term=term).exclude(seat="").select_related("user")
    for m in taken:
        holder = m.user.get_username()
        for r in rows:
            if r.seat == m.seat and holder != r.username and holder not in in_file:
                checker.err(
                    r.line,
                    "seat",
                    "seat_taken",
                    _("Seat %(seat)s belongs to %(name)s.") % {"seat": r.seat, "name": m.full_name},
                )


def _card_conflicts(term: Term, rows: list[Row], checker: _Checker) -> None:
    """A card number in the file held by another member who is not in the file."""
    in_file = {r.username for r in rows}
    holders = dict(
        Member.objects.filter(term=term)
        .exclude(card_number="")
        .exclude(user__username__in=in_file)
        .values_list("card_number", "full_name")
    )
    for r in rows:
        card = getattr(r, "card", None)
        if card and card in holders:
            checker.err(
                r.line,
                "card",
                "card_taken",
                _("Card %(card)s belongs to %(name)s.") % {"card": card, "name": holders[card]},
            )


def check(
    term: Term, source: str | Table, *, create_groups: bool = False
) -> tuple[list[Row], _Checker]:
    """Check every line of a file (CSV text or a ``read_table``); nothing is written."""
    if isinstance(source, str):
        reader = csv.reader(io.StringIO(source))
        source = Table((reader.line_num, row) for row in reader)
    lines = iter(source.lines)
    _, cols = _header(lines)
    checker = _Checker(term, create_groups, has_card="card" in cols)
    rows: list[Row] = []
    count = blank = 0
    for line, values in lines:
        if not any(v.strip() for v in values):
            blank += 1
            if blank >= MAX_BLANK_RUN:
                break  # a sheet formatted far below its roster: the roster has ended
            continue  # blank line
        blank, count = 0, count + 1
        if count > MAX_ROWS:
            raise DomainError("bad_csv", _("More than %(rows)s rows.") % {"rows": MAX_ROWS})

        def get(col: str, values=values) -> str:
            i = cols.get(col)
            return values[i].strip() if i is not None and i < len(values) else ""

        row = checker.row(line, get)
        if row is not None:
            rows.append(row)
    _seat_conflicts(term, rows, checker)
    _card_conflicts(term, rows, checker)
    return rows, checker


def _apply_row(
    term: Term,
    row: Row,
    groups: dict,
    move: bool,
    report: ImportReport,
    errs,
    old_seat: str,
    old_card: str = "",
) -> None:
    User = get_user_model()
    group = row.group or groups.get(getattr(row, "group_name", ""))
    user, created_user = User.objects.get_or_create(username=row.username)
    if created_user:
        if row.password:
            user.set_password(row.password)
        else:
            user.set_unusable_password()
            report.no_password.append(row.username)
        user.save()
        if row.password:  # a password from the file: the member chooses their own at first login
            accounts.require_change(user, PasswordChangeRequired.Reason.IMPORTED)
    member = Member.objects.filter(user=user, term=term).first()
    values = {
        "full_name": row.full_name,
        "role": row.role,
        "seat": row.seat,
        "active": row.active,
    }
    if getattr(row, "card", None) is not None:
        values["card_number"] = row.card  # type: ignore[attr-defined]
    if member is None:
        Member.objects.create(user=user, term=term, group=group, **values)
        report.created.append(row.username)
        return
    if member.group_id and group is not None and member.group_id != group.pk:
        if not move:
            errs.append(
                RowError(
                    row.line,
                    "group",
                    "already_in_group",
                    _(
                        "%(name)s already sits in %(group)s; tick “move members between "
                        "groups” to move them."
                    )
                    % {"name": member.full_name, "group": member.group},
                )
            )
            return
        report.moved.append(row.username)
    member.seat = old_seat  # as it was before the seats were freed
    member.card_number = old_card
    changed = any(getattr(member, k) != v for k, v in values.items()) or (
        group is not None and member.group_id != group.pk
    )
    for k, v in values.items():
        setattr(member, k, v)
    if group is not None:
        member.group = group
    member.save()  # always: the seat was freed above
    (report.updated if changed else report.unchanged).append(row.username)


def import_members(
    term: Term,
    raw: bytes,
    *,
    create_groups: bool = False,
    move_groups: bool = False,
    dry_run: bool = False,
    by=None,
    room: str | None = None,
) -> ImportReport:
    """Check every row, then write them all in one transaction, or nothing.

    Raises ``DomainError("bad_rows", details={"errors": [...]})`` listing every problem.
    With ``dry_run`` the report says what would happen and nothing is kept. A file with
    the row column (排) sets the seat layout of ``room`` (the session's plenary room)
    from its rows, front row 1, seats in seat order (``meeting.services.seating``).
    """
    rows, checker = check(term, read_table(raw), create_groups=create_groups)
    if checker.errors:
        raise _bad_rows(checker.errors)
    report = ImportReport()
    try:
        with transaction.atomic():
            _write(term, rows, checker, move_groups, report, by)
            if room is not None:
                _seat_layout(term, room, rows, report, by)
            if dry_run:
                raise _DryRun
    except _DryRun:
        return report
    report.applied = True
    return report


def _seat_layout(term: Term, room: str, rows: list[Row], report: ImportReport, by) -> None:
    from meeting.services import seating

    numbers = {
        r.seat: r.seat_row  # type: ignore[attr-defined]
        for r in rows
        if getattr(r, "seat_row", None) and r.active and r.role in COMPONENT_ROLES
    }
    if not numbers:
        return
    layout = seating.save_room_layout(
        term,
        room,
        seating.rows_from_numbers(numbers),
        actor=SESSION_CLERK,
        by_user_id=by.pk if by else None,
    )
    report.layout_room, report.layout_rows = room, len(layout)


class _DryRun(Exception):
    """Rolls the dry run's transaction back."""


def _bad_rows(errors: list[RowError]) -> DomainError:
    errors = sorted(errors, key=lambda e: (e.line, e.column))
    return DomainError(
        "bad_rows",
        _("%(count)s problem(s) in the file; nothing was imported.") % {"count": len(errors)},
        errors=[e.as_dict() for e in errors],
    )


def _write(term, rows, checker, move_groups, report, by) -> None:
    groups: dict[str, DeliberationGroup] = {}
    top = term.groups.count()
    for n, name in enumerate(sorted(checker.new_groups), start=1):
        groups[name] = DeliberationGroup.objects.create(term=term, name=name, order=top + n)
        report.groups_created.append(name)
    # Free every seat the file reassigns first: (term, seat) is unique.
    mine = Member.objects.filter(term=term, user__username__in=[r.username for r in rows])
    seats = dict(mine.values_list("user__username", "seat"))
    mine.exclude(seat="").update(seat="")
    cards = dict(mine.values_list("user__username", "card_number"))
    if checker.has_card:  # (term, card_number) is unique too: free those the file reassigns
        mine.exclude(card_number="").update(card_number="")
    late: list[RowError] = []
    for row in rows:
        _apply_row(
            term,
            row,
            groups,
            move_groups,
            report,
            late,
            seats.get(row.username, ""),
            cards.get(row.username, ""),
        )
    if late:
        raise _bad_rows(late)
    audit.record(
        by,
        "roster.import",
        summary=_("%(new)s new, %(changed)s changed")
        % {"new": len(report.created), "changed": len(report.updated)},
        data={k: len(v) for k, v in report.as_dict().items() if isinstance(v, list)},
    )
