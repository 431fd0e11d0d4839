"""Every route of the URL conf, as every role and anonymous, with hostile values.

For each route: a plain GET, GETs whose query string sets every known parameter name to
one hostile value (huge and non-ASCII numbers, dates at the calendar's ends, NUL, invalid
UTF-8, a long string), a POST of the same as a form and as JSON, and the path itself with
integers beyond any column. The answer must never be a 5xx and nothing may be logged at
ERROR (Django logs every traceback of a request there).
"""

from __future__ import annotations

import json
import logging
import urllib.parse
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from harness.actors import CLERK

pytestmark = pytest.mark.django_db

HOSTILE = [
    "99999999999999999999999",
    "-99999999999999999999999",
    "²",
    "١٢",
    "-1",
    "0",
    "",
    "x",
    "1e309",
    "NaN",
    "0001-01-01",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "\x00",
    "a" * 3000,
    "中文" * 200,
    "../../etc/passwd",
]
RAW = ["%ED%A0%80", "%FF%FE", "%00"]  # a lone surrogate and bytes that are not UTF-8
PARAMS = [
    "session", "sitting", "item", "member", "term", "from", "to", "since", "until",
    "actor", "action", "format", "page", "download", "q", "o", "p", "width", "next",
    "number", "title", "starts_on", "how", "kind", "group", "starts_at", "room", "chair",
    "clerk", "description", "presenter", "first_speech_limit_s", "second_speech_limit_s",
    "on_time_up", "question", "rule", "duration_s", "titles", "access", "reason",
    "seconds", "opened", "text", "create_groups", "move_groups", "dry_run", "language",
]  # fmt: skip
JSON_BODIES = [
    {"page": 10**30, "text": "x"},
    {"page": 1, "text": "\ud800"},
    {"page": "²", "text": None},
    {"seconds": 10**30, "opened": True},
    {"seconds": -(10**30), "opened": "yes"},
    [1, 2, 3],
    {"text": "中" * 100_000, "page": 1},
]


def routes() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every (route pattern, [(kwarg, converter)]) of the URL conf."""
    out = []

    def walk(resolver, prefix: str) -> None:
        for p in resolver.url_patterns:
            text = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p, text)
            elif isinstance(p, URLPattern):
                out.append(text)

    walk(get_resolver(), "")
    return out


def fill(pattern: str, values: dict[str, str]) -> str:
    """The pattern as a path, converters replaced by ``values`` (regex routes: skipped)."""
    import re

    def sub(m: re.Match) -> str:
        conv, name = m.group(1), m.group(2)
        if conv == "uuid":
            return values.get(name, str(uuid.uuid4()))
        if conv == "int":
            return values.get(name, "1")
        return values.get(name, "x")

    path = re.sub(r"<(?:(\w+):)?(\w+)>", sub, pattern)
    return "/" + path.lstrip("^").rstrip("$")


@pytest.fixture
def world(committee, settings):
    """A committee with a distributed document, a vote and a minutes run to point at."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.contrib.auth import get_user_model

    from docs_store.services.distribution import distribute
    from docs_store.services.upload import Upload, upload_documents
    from meeting.voting import services as votes
    from tests.docs_store.conftest import make_pdf

    [doc] = upload_documents(
        committee.session, [Upload("议程.pdf", make_pdf(2))], by=committee.clerk.user
    )
    distribute(committee.session, actor=CLERK, by=committee.clerk.user, ids=[doc.pk])
    item = committee.plenary.agenda_items.order_by("order").first()
    vote = votes.prepare(
        committee.plenary.pk,
        votes.VoteSpec(item_id=item.pk, question="表决"),
        actor=CLERK,
        by_user_id=committee.clerk.user_id,
    )
    admin = get_user_model().objects.create_superuser("root", password="pw-root")
    committee.ids = {
        "session_id": str(committee.session.pk),
        "sitting_id": str(committee.plenary.pk),
        "document_id": str(doc.pk),
        "member_id": str(committee.members[0].pk),
        "vote_id": str(vote.pk),
        "item_id": str(item.pk),
        "version": "1",
        "page": "1",
        "width": "800",
        "fmt": "pdf",
        "run_id": "1",
    }
    committee.users = {
        "anonymous": None,
        "outsider": committee.outsider,
        "member": committee.members[0].user,
        "chair": committee.chair.user,
        "clerk": committee.clerk.user,
        "staff": committee.staff.user,
        "display": committee.display.user,
        "admin": admin,
    }
    return committee


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _query(value: str, raw: bool = False) -> str:
    quoted = value if raw else urllib.parse.quote(value, safe="")
    return "&".join(f"{name}={quoted}" for name in PARAMS)


def test_no_route_answers_5xx_or_logs_a_traceback(world):
    errors = Errors()
    logging.getLogger().addHandler(errors)
    failures: list[str] = []
    sent = 0

    def check(resp, what: str) -> None:
        nonlocal sent
        sent += 1
        if resp.status_code >= 500 or errors.records:
            detail = ""
            if errors.records:
                rec = errors.records[0]
                exc = rec.exc_info[1] if rec.exc_info else None
                detail = f"{rec.getMessage()[:200]} [{type(exc).__name__}: {str(exc)[:200]}]"
            failures.append(f"{what} → {resp.status_code} {detail}")
            errors.records.clear()

    try:
        for n, pattern in enumerate(sorted(routes(), key=lambda p: "logout" in p)):
            admin_route = pattern.startswith("admin/")
            roles = ["anonymous", "admin"] if admin_route else list(world.users)
            for r, role in enumerate(roles):
                client = Client(raise_request_exception=False)
                user = world.users[role]
                if user is not None:
                    client.force_login(user)
                path = fill(pattern, world.ids)
                value = HOSTILE[(n + r) % len(HOSTILE)]
                raw = RAW[(n + r) % len(RAW)]
                check(client.get(path), f"{role} GET {path}")
                # the roles that reach the most code get every hostile value, others one
                every = role in ("admin", "clerk", "staff") and "logout" not in pattern
                for v in HOSTILE if every else [value]:
                    check(client.get(f"{path}?{_query(v)}"), f"{role} GET {path}?…={v[:20]!r}")
                if admin_route:
                    continue
                check(client.get(f"{path}?{_query(raw, raw=True)}"), f"{role} GET {path}?…={raw}")
                for v in HOSTILE if role == "clerk" and "logout" not in pattern else [value]:
                    form = {name: v for name in PARAMS}
                    check(client.post(path, form), f"{role} POST form {path} {v[:20]!r}")
                body = JSON_BODIES[(n + r) % len(JSON_BODIES)]
                check(
                    client.post(path, json.dumps(body), content_type="application/json"),
                    f"{role} POST json {path} {str(body)[:40]}",
                )
                if "<int:" in pattern and role in ("clerk", "admin", "member"):
                    huge = {k: "99999999999999999999999" for k in world.ids}
                    big = fill(pattern, huge)
                    check(client.get(big), f"{role} GET {big}")
                    check(client.post(big, form), f"{role} POST {big}")
    finally:
        logging.getLogger().removeHandler(errors)
    assert sent > 500
    assert not failures, f"{len(failures)} of {sent} requests failed:\n" + "\n".join(failures[:40])
