"""Every URL and every socket command, as every role, answered as the rulebook's table says.

Each route of the URL conf is named here with the rule its view asks (``core.policy``)
and where the role comes from (the sitting, the session, the term, the reviewers'
office), or listed as open or as not decided by a role (with why); a route in neither
fails the test, so a new page cannot go unchecked. A login the table allows gets no
403; one it refuses gets 403 (a document answers 404 to a login with no role where it
is read, as for a guessed id). Each request runs in a transaction rolled back after it.

Every command of the protocol's registry, sent by a socket of each role, is refused by
the runner with the rule's own list of roles exactly when the table refuses that role.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import get_resolver

from core import policy
from core.models import Member, Role
from core.roster import session_role, sitting_role, term_role
from tests.deploy import test_url_sweep as url_sweep
from tests.deploy.test_url_sweep import fill

pytestmark = pytest.mark.django_db
world = url_sweep.world  # the fixture: a committee with a paper, a vote, ids to point at

# route name → (rule, where the role is read, whose own object also opens it)
RULED = {
    "tablet": ("page.tablet", "sitting"),
    "console": ("page.console", "sitting"),
    "display": ("page.display", "sitting"),
    "console-index": ("page.console_index", "any sitting"),
    "review": ("page.review", "reviewers"),
    "vote-result": ("vote.result", "sitting"),
    "vote-result-csv": ("vote.result", "sitting"),
    "vote-result-pdf": ("vote.result", "sitting"),
    "vote-audit": ("vote.audit", "sitting"),
    "floor-log": ("floor.log", "sitting"),
    "floor-log-csv": ("floor.log", "sitting"),
    "floor-totals": ("floor.totals", "term", "own"),
    "proceedings:sessions": ("sessions.prepare", "term"),
    "proceedings:new-session": ("sessions.prepare", "term"),
    "proceedings:session": ("sessions.prepare", "term"),
    "proceedings:add-sitting": ("sessions.prepare", "term"),
    "proceedings:import-roster": ("sessions.prepare", "term"),
    "proceedings:close": ("sessions.prepare", "term"),
    "proceedings:update-sitting": ("sessions.prepare", "term"),
    "proceedings:add-item": ("sessions.prepare", "term"),
    "proceedings:update-item": ("sessions.prepare", "term"),
    "proceedings:remove-item": ("sessions.prepare", "term"),
    "proceedings:prepare-vote": ("sessions.prepare", "term"),
    "proceedings:minutes": ("record.read", "session"),
    "proceedings:audit": ("record.read", "term"),
    "proceedings:accounts": ("sessions.prepare", "term"),
    "proceedings:reset-password": ("accounts.reset_password", "term"),
    "docs:upload": ("documents.manage", "session"),
    "docs:placements": ("documents.place", "session"),
    "docs:new_version": ("documents.manage", "document"),
    "docs:sitting": ("sync", "sitting"),
    "docs:search": ("sync", "sitting"),
    "docs:detail": ("documents.read.{access}", "document"),
    "docs:page": ("documents.read.{access}", "document"),
    "docs:notes": ("documents.annotate", "document"),
    "docs:ink": ("documents.annotate", "document"),
    "docs:ink_export": ("documents.annotate", "document"),
    "media:deputy-record": ("clips.review", "reviewers", "own"),
    "media:member-speeches": ("clips.review", "reviewers", "own"),
    "briefs:index": ("briefs.read_draft", "reviewers"),
    "briefs:sitting": ("briefs.read_draft", "reviewers"),
    "briefs:create": ("briefs.compile", "reviewers"),
    "briefs:member-book": ("books.read", "reviewers", "own"),
    "briefs:term-book": ("books.read_term", "reviewers"),
    "opinions:mine": ("opinions.write", "sitting"),
    "briefs:leave": ("leave.record", "sitting"),
    "docs:drafts:articles": ("documents.read.{access}", "document"),
    "docs:drafts:comparison": ("documents.read.{access}", "document"),
    "docs:drafts:sitting": ("drafts.compare", "sitting"),
    "opinions_staff:index": ("opinions.read_submitted", "reviewers"),
    "opinions_staff:document": ("opinions.read_submitted", "reviewers"),
    "opinions_staff:export": ("opinions.read_submitted", "reviewers"),
    "opinions_staff:item": ("opinions.read_submitted", "reviewers"),
}
OPEN = {  # no role decides these: anyone, or any login
    "home", "login", "logout", "set_language", "favicon", "healthz", "tablet-sw",
    "proceedings:errors", "briefs:errors", "tls", "tls-ca-pem", "tls-ca-crt",
    "password_change", "password_change_done",  # every login's own password
}  # fmt: skip
NOT_BY_ROLE = {
    "docs:pdf": "a confidential paper's PDF is the clerk's: the document tests check it",
    "docs:read": "a reading slice of a non-member answers recorded: false, not 403",
    "docs:ink_erase": "a stroke id the world has not: 404 before any rule",
    "docs:hits": "the search index answers per page; covered by docs:search",
    "media:clip-list": "every login lists the clips it may see (its own, or all)",
    "media:clip": "a clip the world has not: 404 before any rule",
    "media:clip-file": "as media:clip",
    "media:clip-poster": "as media:clip",
    "media:clip-delete": "as media:clip",
    "briefs:save-summary": "a speech the world has not: 404 before any rule",
    "briefs:brief": "a brief the world has not: 404 before any rule",
    "briefs:check": "as briefs:brief",
    "briefs:release": "as briefs:brief",
    "briefs:revise": "as briefs:brief",
    "briefs:export": "as briefs:brief",
    "briefs:moment": "as media:clip",
    "briefs:moment-file": "as media:clip",
    "briefs:job": "a job the world has not: 404 before any rule",
    "proceedings:minutes-file": "a minutes run the world has not: 404 before any rule",
    "metrics": "the operator's token or a Django staff login (deploy/health.py)",
    "health-details": "as metrics",
    "opinions:document": "a paper read in one sitting: a role there and documents.read.<access> "
    "both (a session clerk of another sitting has none here); test_member_views checks each",
    "opinions:submit": "an opinion the world has not: 404 before any rule",
    "opinions:delete": "as opinions:submit",
    "docs:drafts:table_pdf": "the table prints the paper's text: docs:pdf's rule (the clerk's), "
    "checked in tests/docs_store/drafts/test_views.py",
    "docs:drafts:table_docx": "as docs:drafts:table_pdf",
    "opinions_staff:ties": "a speech the world has not: 404 before any rule",
    "opinions_staff:untie": "a tie the world has not: 404 before any rule",
    "opinions_staff:brief-arrangement": "a brief the world has not: 404 before any rule",
}


def route_names() -> dict[str, str]:
    """Every named route (admin's left out: Django's own is_staff) → its pattern."""
    out: dict[str, str] = {}

    def walk(resolver, prefix: str, ns: str) -> None:
        for p in resolver.url_patterns:
            if hasattr(p, "url_patterns"):
                if str(p.pattern).startswith("admin/"):
                    continue
                walk(p, prefix + str(p.pattern), ns + (f"{p.namespace}:" if p.namespace else ""))
            else:
                out[ns + (p.name or "")] = prefix + str(p.pattern)

    walk(get_resolver(), "", "")
    return out


def test_every_route_is_named_with_its_rule_or_why_none():
    names = set(route_names())
    unlisted = names - set(RULED) - OPEN - set(NOT_BY_ROLE)
    assert not unlisted, f"name the rule of these routes in {__file__}: {sorted(unlisted)}"
    for action, *_rest in RULED.values():
        policy.rule(action.replace("{access}", "public"))  # every named rule exists
    assert set(RULED) <= names, sorted(set(RULED) - names)


@pytest.fixture
def clerk_elsewhere(world):
    """A clerk assigned to group B's sitting: no clerk of the plenary the world points at."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("clerk-b", password="pw-clerk-b")
    member = Member.objects.create(
        user=user, term=world.term, full_name="乙组秘书", role=Role.CLERK
    )
    world.group_b_sitting.clerk = member
    world.group_b_sitting.save(update_fields=["clerk"])
    world.users["clerk elsewhere"] = user
    return user


def _role(world, user, where: str) -> str | None:
    from docs_store.models import Document

    if user is None:
        return None
    if where == "sitting":
        return sitting_role(user, world.plenary)
    if where == "session":
        return session_role(user, world.session)
    if where == "term":
        return term_role(user, world.term)
    if where == "reviewers":
        return Role.STAFF.value if policy.may_review_clips(user) else None
    if where == "document":
        doc = Document.objects.get(pk=world.ids["document_id"])
        return session_role(user, doc.session)  # the world's paper is session-wide
    raise AssertionError(where)


def _allowed(world, user, name: str) -> bool:
    from docs_store.models import Document

    action, where, *own = RULED[name]
    if "{access}" in action:
        access = Document.objects.get(pk=world.ids["document_id"]).access
        action = action.format(access=access)
    if user is None:
        return False
    if own and user.pk == world.members[0].user_id:  # the world's member is this login
        return True
    if where == "any sitting":
        from core.models import Sitting

        return user.is_superuser or any(
            policy.may(sitting_role(user, s), action) for s in Sitting.objects.all()
        )
    return policy.may(_role(world, user, where), action)


def _answer(client: Client, path: str, form: dict) -> int:
    with transaction.atomic():
        status = client.get(path).status_code
        if status == 405:
            status = client.post(path, form).status_code
        transaction.set_rollback(True)
    return status


def _form(world, name: str) -> dict:
    """What a POST needs to reach the rule (a view that looks its object up first)."""
    if name == "briefs:create":
        return {"session": world.ids["session_id"], "item": "1"}
    return {}


def test_every_url_answers_every_role_as_the_rulebook_says(world, clerk_elsewhere):
    patterns = route_names()
    wrong = []
    for name in sorted(RULED):
        path = fill(patterns[name], world.ids)
        for who, user in world.users.items():
            if user is None:
                continue  # anonymous: the login page (tests/frontend)
            client = Client(raise_request_exception=False)
            client.force_login(user)
            status = _answer(client, path, _form(world, name))
            allowed = _allowed(world, user, name)
            # the documents' pages answer a login with no role there as for a guessed id
            refused = status == 403 or (status == 404 and name.startswith("docs:"))
            if allowed == refused:
                verdict = "allowed" if allowed else "refused"
                wrong.append(f"{name} {path} as {who}: the table says {verdict}, got {status}")
    assert not wrong, "\n".join(wrong)


def test_every_command_answers_every_role_as_the_rulebook_says(world):
    from realtime import runner
    from realtime.consumers import arrive
    from realtime.protocol import REGISTRY, decode

    people = {
        "chair": world.chair.user,
        "clerk": world.clerk.user,
        "member": world.members[0].user,
        "staff": world.staff.user,
        "display": world.display.user,
    }
    wrong = []
    for who, user in people.items():
        _, ctx, _ = arrive(user, world.plenary.pk, f"test.{who}")
        assert ctx.role == who
        for type_, spec in sorted(REGISTRY.commands.items()):
            frame = {"type": type_, "id": "s", "data": spec.example}
            if spec.idempotent:
                frame["key"] = f"sweep-{who}-{type_}"
            with transaction.atomic():
                reply = runner.run_command(ctx, decode(json.dumps(frame), 65536))
                transaction.set_rollback(True)
            error = reply.get("error") or {}
            by_runner = error.get("code") == "forbidden" and error.get("details", {}).get(
                "allowed"
            ) == sorted(policy.roles_for(type_))
            if by_runner == policy.may(who, type_):
                wrong.append(f"{type_} as {who}: table {policy.may(who, type_)}, reply {reply}")
    assert not wrong, "\n".join(wrong)
